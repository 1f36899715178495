// What the pipeline asks of a data source. Sources know their APIs, never the database.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "core/types.h"

namespace im::collect {

// Step 1: which instances exist on a day.
class InventorySource {
 public:
  virtual ~InventorySource() = default;
  virtual std::vector<Instance> discover(Day day, std::span<const ServiceType> services) = 0;
  // What the last discover() could not do but did not stop it (an API it may not call).
  virtual std::vector<std::string> take_notes() { return {}; }
};

// Instances two sources found under the same (service, id), e.g. an ElastiCache node that is
// also a Prometheus target: `into` keeps its source and values, and takes from `from` what it
// lacks (class, engine, region, a name, absent tags).
void merge_instance(Instance& into, const Instance& from);

// What a source returns for one UTC day of one service.
struct Collected {
  // Raw samples of [day 00:00, day+1 00:00) on a grid, as source series (exporter or
  // CloudWatch names): steps 6-7 normalize and aggregate them.
  std::vector<RawSeries> series;
  // Statistics the source already computed over the whole day (CloudWatch Period 86400).
  std::vector<SourceDaily> daily;
  // Instances the source could not answer for (after its own retries), and why: the step
  // stores the others and is FAILED with these counts, never silently partial.
  std::vector<std::string> missing;
  std::string missing_why;
  std::vector<std::string> notes;  // for the log: fallbacks, instances without data
};

// Steps 3-5: one UTC day of the given instances of one service.
class SampleSource {
 public:
  virtual ~SampleSource() = default;
  virtual Collected collect(Day day, ServiceType service, std::span<const Instance> instances) = 0;
  // What the calls since the last take cost (requests, bytes, retries: CloudWatch's
  // GetMetricData is billed per metric), as a line for the log; "" when there is nothing to say.
  virtual std::string take_usage() { return {}; }
};

// Step 2: the health of the targets a scraping source depends on (Prometheus's exporters).
struct TargetHealth {
  int up = 0, down = 0, unknown = 0;
  std::vector<std::string> down_targets;  // "instance (last error)"
};

class HealthCheck {
 public:
  virtual ~HealthCheck() = default;
  // Throws when the source cannot answer.
  virtual TargetHealth health() = 0;
  // Warnings the server attached to its answers since the last take (partial data...).
  virtual std::vector<std::string> take_warnings() { return {}; }
};

}  // namespace im::collect
