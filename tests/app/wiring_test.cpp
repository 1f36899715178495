// Configuration once (issue #14, item 6): a module's own default for a field the configuration
// sets is the configuration's default, so a part built without Settings (a test, a bench, a
// tool) behaves as a user's default run. The module options built from default Settings by the
// composition root must equal the modules' default-constructed options, field by field.
#include <gtest/gtest.h>

#include "app/wiring.h"
#include "collect/aws/client.h"
#include "collect/aws/cloudwatch.h"
#include "collect/prometheus/client.h"
#include "collect/prometheus/redis_source.h"

namespace im::app {
namespace {

const Settings kDefaults;

TEST(Wiring, MysqlOptionDefaultsAreTheConfigurationDefaults) {
  const store::MysqlOptions built = mysql_options(kDefaults), module;
  EXPECT_EQ(built.connect_timeout, module.connect_timeout);
  EXPECT_EQ(built.read_timeout, module.read_timeout);
  EXPECT_EQ(built.charset, module.charset);
  EXPECT_EQ(built.ssl_mode, module.ssl_mode);
  EXPECT_EQ(built.ssl_ca, module.ssl_ca);
  EXPECT_EQ(built.connect_retries, module.connect_retries);
  EXPECT_DOUBLE_EQ(built.retry_delay_seconds, module.retry_delay_seconds);
}

TEST(Wiring, PrometheusOptionDefaultsAreTheConfigurationDefaults) {
  const collect::prometheus::ClientOptions built = prometheus_client_options(kDefaults), module;
  EXPECT_EQ(built.url, module.url);
  EXPECT_DOUBLE_EQ(built.timeout_seconds, module.timeout_seconds);
  EXPECT_EQ(built.ca_file, module.ca_file);
  const collect::prometheus::RedisSourceOptions redis = redis_source_options(kDefaults), plain;
  EXPECT_EQ(redis.job, plain.job);
  EXPECT_EQ(redis.instance_label, plain.instance_label);
  EXPECT_EQ(redis.step_seconds, plain.step_seconds);
  EXPECT_EQ(redis.metrics, kDefaults.prometheus.metrics);  // the module has no list of its own
}

TEST(Wiring, AwsOptionDefaultsAreTheConfigurationDefaults) {
  const collect::aws::AwsOptions built = aws_options(kDefaults, {}, Clock::system()), module;
  EXPECT_EQ(built.region, module.region);
  EXPECT_EQ(built.endpoint_url, module.endpoint_url);
  EXPECT_EQ(built.max_attempts, module.max_attempts);
  EXPECT_DOUBLE_EQ(built.retry_base_seconds, module.retry_base_seconds);
  const collect::aws::CloudWatchOptions cw = cloudwatch_options(kDefaults), plain;
  EXPECT_EQ(cw.instances_per_request, plain.instances_per_request);
  EXPECT_DOUBLE_EQ(cw.delay_between_batches, plain.delay_between_batches);
  EXPECT_EQ(cw.period_seconds, plain.period_seconds);
  EXPECT_EQ(cw.percentiles, plain.percentiles);
  EXPECT_EQ(cw.json_protocol, plain.json_protocol);
  EXPECT_EQ(cw.only, plain.only);
}

}  // namespace
}  // namespace im::app
