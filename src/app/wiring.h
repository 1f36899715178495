// The composition root: the one place that turns Settings into concrete parts (the sources of a
// run, the store's connection options) and hands them to the pipeline, as Prometheus's main
// wires discovery, scraping, storage and rules. A test, `backtest` or `serve` may assemble
// their own instead.
#pragma once

#include <map>
#include <string>

#include "config/settings.h"
#include "core/clock.h"
#include "pipeline/sources.h"
#include "store/store.h"

namespace im::collect::prometheus {
struct ClientOptions;
struct RedisSourceOptions;
}  // namespace im::collect::prometheus
namespace im::collect::aws {
struct AwsOptions;
struct CloudWatchOptions;
}  // namespace im::collect::aws

namespace im::app {

// The sources `s` configures: the simulator, or Prometheus for Redis and AWS (inventory and
// CloudWatch) when credentials are found in `environment` (the process environment, read once
// by the caller) or the configuration. Waits (AWS retries, CloudWatch's pacing) use
// `clock.sleep`. Services nothing covers are named in Sources::unavailable with the reason.
pipeline::Sources build_sources(const Settings& s,
                                const std::map<std::string, std::string>& environment,
                                const Clock& clock);

// Each module's options, filled from the settings. A module's own default for a field the
// configuration sets is the configuration's default (tests/app/wiring_test.cpp proves it), so a
// test or a tool that builds a module without Settings gets what a user gets.
store::MysqlOptions mysql_options(const Settings& s);
collect::prometheus::ClientOptions prometheus_client_options(const Settings& s);
collect::prometheus::RedisSourceOptions redis_source_options(const Settings& s);
// The AWS SDKs' credential chain reads `environment`; keys the configuration holds win.
collect::aws::AwsOptions aws_options(const Settings& s,
                                     const std::map<std::string, std::string>& environment,
                                     const Clock& clock);
collect::aws::CloudWatchOptions cloudwatch_options(const Settings& s);

}  // namespace im::app
