// Redis instances and their samples from Prometheus (prometheus-redis-exporter metrics):
// step 1 (discovery), step 2 (health of the exporters' targets) and step 3 (the day's raw
// samples). A handful of requests per day whatever the fleet size: one range-vector query per
// metric covers every instance.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "collect/prometheus/client.h"
#include "collect/source.h"

namespace im::collect::prometheus {

struct RedisSourceOptions {
  // Exporter metric names to collect. Each matches a catalog source metric by name, or by name
  // plus "_total" (older exporters name counters without the suffix). No default here: the
  // configuration's list (prometheus.metrics) is the one place it is written.
  std::vector<std::string> metrics;
  std::string job = "redis";                // the exporters' job label ("" = any job)
  std::string instance_label = "instance";  // the label that names a Redis instance
  int step_seconds = 300;                   // the scrape interval: one sample slot per step
};

class RedisSource final : public InventorySource, public SampleSource, public HealthCheck {
 public:
  RedisSource(Client& client, RedisSourceOptions opts);

  // Step 2: readiness, then the targets of the job. Throws when Prometheus cannot answer.
  TargetHealth health() override;

  // Instances that reported during the day (any exporter sample in [day, day+1)).
  std::vector<Instance> discover(Day day, std::span<const ServiceType> services) override;
  // Every configured metric for the day, all instances per request, on the step grid.
  Collected collect(Day day, ServiceType service, std::span<const Instance> instances) override {
    return {collect_series(day, service, instances), {}, {}, {}, {}};
  }
  // The day's raw series of `instances` (what collect() returns in `series`).
  std::vector<RawSeries> collect_series(Day day, ServiceType service,
                                        std::span<const Instance> instances);

  // Warnings Prometheus attached to answers since the last call ("query `...`: text").
  std::vector<std::string> take_warnings() override { return std::exchange(warnings_, {}); }

 private:
  // metric{job="...", <instance_label>=~"a|b"}: `only` empty selects every instance.
  std::string selector(const std::string& metric, std::span<const std::string> only) const;
  void fetch(const std::string& metric, Day day, std::span<const std::string> only,
             std::vector<Series>& out);
  QueryResult query(const std::string& expr, Day day);
  Client& client_;
  RedisSourceOptions opts_;
  std::vector<std::string> warnings_;
};

// Evaluation time and range of a whole UTC day: `[<just under 1d>]` at the day's last
// millisecond selects exactly the samples in [day 00:00, day+1 00:00) (a range selector
// includes both of its ends).
double day_eval_time(Day day);
inline constexpr const char* kDayRange = "[86399999ms]";

}  // namespace im::collect::prometheus
