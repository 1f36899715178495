#include "app/wiring.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "collect/aws/client.h"
#include "collect/aws/cloudwatch.h"
#include "collect/aws/inventory.h"
#include "collect/prometheus/client.h"
#include "collect/prometheus/redis_source.h"
#include "collect/simulate/simulator.h"

namespace im::app {

namespace {

template <class T>
T* keep(pipeline::Sources& out, std::shared_ptr<T> p) {
  out.owned.push_back(p);
  return p.get();
}

void add_simulator(const Settings& s, pipeline::Sources& out) {
  const auto& sim = s.simulate;
  auto* fleet =
      keep(out, std::make_shared<collect::SimulatedFleet>(collect::SimulationConfig{
                    sim.seed, sim.redis_instances, sim.rds_instances, sim.ec2_instances}));
  const std::vector<ServiceType> modelled = {ServiceType::REDIS, ServiceType::RDS,
                                             ServiceType::EC2};
  out.bindings.push_back({"simulate", fleet, modelled, fleet, modelled, 0, "", "samples"});
  for (ServiceType svc : kAllServiceTypes)
    if (std::find(modelled.begin(), modelled.end(), svc) == modelled.end())
      out.unavailable[svc] = "the simulator models only REDIS, RDS and EC2";
  out.health_why = "source is simulate: there is no Prometheus to check";
}

void add_prometheus(const Settings& s, pipeline::Sources& out) {
  const auto& p = s.prometheus;
  if (p.url.empty()) {
    out.health_why = "prometheus.url (PROMETHEUS_URL) is not set";
    out.unavailable[ServiceType::REDIS] = out.health_why;
    return;
  }
  auto* client =
      keep(out, std::make_shared<collect::prometheus::Client>(prometheus_client_options(s)));
  auto* redis = keep(
      out, std::make_shared<collect::prometheus::RedisSource>(*client, redis_source_options(s)));
  // A target can vanish for a while (an exporter restart, a relabelling): an instance is
  // retired only after inventory.stale_after_days without a sample.
  out.bindings.push_back({"prometheus",
                          redis,
                          {ServiceType::REDIS},
                          redis,
                          {ServiceType::REDIS},
                          s.inventory.stale_after_days,
                          "",
                          "samples"});
  out.health = redis;
}

void add_aws(const Settings& s, const std::map<std::string, std::string>& environment,
             const Clock& clock, pipeline::Sources& out) {
  const auto aws = aws_options(s, environment, clock);
  auto credentials = std::shared_ptr<collect::aws::CredentialsProvider>(
      collect::aws::default_credentials_chain(aws));
  out.owned.push_back(credentials);
  std::string error;
  try {
    credentials->get();
    spdlog::info("AWS credentials from {}", credentials->source());
  } catch (const SourceError& e) {
    error = e.what();
  }
  const auto services = cloudwatch_services(s);
  for (ServiceType svc : kAllServiceTypes) {
    if (svc == ServiceType::REDIS) continue;
    const bool on = std::find(services.begin(), services.end(), svc) != services.end();
    if (!error.empty())
      out.unavailable[svc] = error;
    else if (!on)
      out.unavailable[svc] = svc == ServiceType::EC2
                                 ? "ENABLE_EC2 is false"
                                 : std::string(to_string(svc)) + " is not in cloudwatch.services";
  }
  if (!error.empty() || services.empty()) return;
  auto* inventory = keep(out, std::make_shared<collect::aws::AwsInventory>(aws, *credentials));
  auto* cloudwatch = keep(out, std::make_shared<collect::aws::CloudWatchSource>(
                                   aws, *credentials, cloudwatch_options(s), clock.sleep));
  // REDIS joins the inventory (ElastiCache's nodes); Prometheus still collects them.
  auto listed = services;
  listed.push_back(ServiceType::REDIS);
  out.bindings.push_back({"aws", inventory, listed, cloudwatch, services, 0, "cloudwatch",
                          s.cloudwatch.period_seconds < 86400
                              ? "averages_" + std::to_string(s.cloudwatch.period_seconds) + "s"
                              : "samples"});
}

}  // namespace

collect::aws::AwsOptions aws_options(const Settings& s,
                                     const std::map<std::string, std::string>& environment,
                                     const Clock& clock) {
  collect::aws::AwsOptions o;
  o.region = s.cloudwatch.region;
  o.endpoint_url = s.aws.endpoint_url;
  o.max_attempts = s.aws.max_attempts;
  o.retry_base_seconds = s.aws.retry_base_seconds;
  o.on_retry = [](const std::string& line) { spdlog::warn("{}", line); };
  o.sleep = clock.sleep;
  o.environment = environment;
  if (!s.aws.access_key_id.empty()) o.environment["AWS_ACCESS_KEY_ID"] = s.aws.access_key_id;
  if (!s.aws.secret_access_key.empty())
    o.environment["AWS_SECRET_ACCESS_KEY"] = s.aws.secret_access_key;
  if (!s.aws.session_token.empty()) o.environment["AWS_SESSION_TOKEN"] = s.aws.session_token;
  return o;
}

collect::aws::CloudWatchOptions cloudwatch_options(const Settings& s) {
  collect::aws::CloudWatchOptions cw;
  cw.instances_per_request = s.cloudwatch.batch_size;
  cw.delay_between_batches = s.cloudwatch.delay_between_batches;
  cw.period_seconds = s.cloudwatch.period_seconds;
  cw.json_protocol = s.cloudwatch.protocol == Settings::CloudWatch::Protocol::JSON;
  const auto& stats = s.cloudwatch.statistics;
  cw.percentiles = std::find(stats.begin(), stats.end(), "p95") != stats.end();
  for (const auto& item : s.cloudwatch.metrics) {  // validated: SERVICE:MetricName
    const auto colon = item.find(':');
    cw.only[*parse_service_type(item.substr(0, colon))].insert(item.substr(colon + 1));
  }
  return cw;
}

collect::prometheus::ClientOptions prometheus_client_options(const Settings& s) {
  const auto& p = s.prometheus;
  return {p.url, p.timeout_seconds, p.username, p.password, p.bearer_token, p.ca_file};
}

collect::prometheus::RedisSourceOptions redis_source_options(const Settings& s) {
  const auto& p = s.prometheus;
  return {p.metrics, p.job, p.instance_label, p.scrape_interval_seconds};
}

pipeline::Sources build_sources(const Settings& s,
                                const std::map<std::string, std::string>& environment,
                                const Clock& clock) {
  pipeline::Sources out;
  if (s.source == Settings::Source::SIMULATE) {
    add_simulator(s, out);
  } else {
    add_prometheus(s, out);
    add_aws(s, environment, clock, out);
  }
  return out;
}

store::MysqlOptions mysql_options(const Settings& s) {
  store::MysqlOptions my;
  my.password = s.mysql.password;
  my.connect_timeout = s.mysql.connect_timeout;
  my.read_timeout = s.mysql.read_timeout;
  my.charset = s.mysql.charset;
  my.ssl_mode = s.mysql.ssl_mode;
  my.ssl_ca = s.mysql.ssl_ca;
  my.connect_retries = s.pipeline.max_retries;
  my.retry_delay_seconds = s.pipeline.retry_delay_seconds;
  return my;
}

}  // namespace im::app
