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

namespace im::app {

// The sources `s` configures: the simulator, or Prometheus for Redis and AWS (inventory and
// CloudWatch) when credentials are found in `environment` (the process environment, read once
// by the caller) or the configuration. Waits (AWS retries, CloudWatch's pacing) use
// `clock.sleep`. Services nothing covers are named in Sources::unavailable with the reason.
pipeline::Sources build_sources(const Settings& s,
                                const std::map<std::string, std::string>& environment,
                                const Clock& clock);

// How to reach the MySQL/MariaDB server of `s` beyond its URL.
store::MysqlOptions mysql_options(const Settings& s);

}  // namespace im::app
