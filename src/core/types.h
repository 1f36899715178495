// Value types shared by every stage, and the error types that map to exit codes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/day.h"

namespace im {

enum class ServiceType { REDIS, RDS, EC2, EKS, MSK, DOCDB, OPENSEARCH, EMR };
inline constexpr ServiceType kAllServiceTypes[] = {
    ServiceType::REDIS, ServiceType::RDS,   ServiceType::EC2,        ServiceType::EKS,
    ServiceType::MSK,   ServiceType::DOCDB, ServiceType::OPENSEARCH, ServiceType::EMR};

std::string_view to_string(ServiceType t);
std::optional<ServiceType> parse_service_type(std::string_view s);  // case-insensitive

// Which aggregate of a day is its SPC day value (methodology.md section 1).
enum class Stat { AVG, MIN, MAX, P95 };
std::string_view to_string(Stat s);
std::optional<Stat> parse_stat(std::string_view s);

// The harmful direction of a metric (methodology.md section 6).
enum class Direction { UP, DOWN, BOTH };
std::string_view to_string(Direction d);
std::optional<Direction> parse_direction(std::string_view s);

// Health dimensions (methodology.md section 10).
enum class Dimension { CPU, MEMORY, STORAGE, CONNECTIONS, LATENCY, THROUGHPUT, ERRORS };
inline constexpr int kDimensionCount = 7;
std::string_view to_string(Dimension d);

// Errors. Each maps to one exit code in app/: configuration and usage errors exit 2,
// a held run lock exits 3, anything else inside a step marks the step FAILED.
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct LockBusyError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct StoreError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// The store cannot take writes at all (disk full, a read-only or corrupt file): no later step
// or day could write either, so a run stops at the first one instead of failing each in turn.
struct StoreUnusableError : StoreError {
  using StoreError::StoreError;
};
struct SourceError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// A failure worth retrying: a lost or refused connection, a timeout, throttling, an HTTP 5xx.
// The pipeline re-runs the step's transaction from the start, up to pipeline.max_retries times.
struct TransientError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One monitored resource, as the inventory knows it.
struct Instance {
  ServiceType service = ServiceType::REDIS;
  std::string id;  // Redis: host:port; RDS: DBInstanceIdentifier; EC2: InstanceId
  std::string name;
  std::string instance_class;  // cache.r6g.large, db.r6g.xlarge, m6i.large
  std::string engine;          // redis 7.0, aurora-mysql 8.0, ...
  std::string region;
  double allocated_storage_gb = 0;  // RDS: needed for free_storage_pct
  double max_memory_bytes = 0;      // Redis maxmemory; 0 = no limit
  std::map<std::string, std::string> tags;
  std::string source;  // simulate, prometheus, aws, manual
};

// Raw samples of one source series for one UTC day on a fixed grid:
// values[i] is the sample at start_unix + i*step_seconds; NaN marks a missing sample.
struct RawSeries {
  ServiceType service = ServiceType::REDIS;
  std::string instance_id;
  std::string source_metric;  // redis_memory_used_bytes, CPUUtilization, ...
  std::string labels;         // extra label set, e.g. "db=db0" (series summed over it)
  int64_t start_unix = 0;
  int32_t step_seconds = 300;
  std::vector<double> values;

  // An empty grid (every slot NaN) of the UTC day starting at `start`, one slot per `step`.
  void start_grid(int64_t start, int32_t step);
  // A sample at `t` (UTC seconds) into its slot; outside the day it is ignored. A later sample
  // in the same slot (a faster scrape than the grid) replaces an earlier one.
  void place(double t, double v);
};

// One source metric's statistics over a whole UTC day as the source computed them
// (CloudWatch at Period 86400). transform/ maps them onto catalog metrics.
struct SourceDaily {
  ServiceType service = ServiceType::RDS;
  std::string instance_id;
  std::string source_metric;  // CloudWatch MetricName
  double avg = 0, min = 0, max = 0, p95 = 0;
  int32_t sample_count = 0;      // datapoints the source aggregated (SampleCount)
  int32_t expected_samples = 0;  // datapoints a full day has at the metric's resolution
  std::string p95_method;        // as DailyMetric::p95_method
};

// Linear-interpolation quantile (Prometheus quantile_over_time), q in [0,1], of `sorted`;
// NaN when empty.
double quantile_sorted(std::span<const double> sorted, double q);

// One normalized metric series for one day (catalog name and unit), same grid rules.
struct MetricSeries {
  ServiceType service = ServiceType::REDIS;
  std::string instance_id;
  std::string metric;  // catalog name
  int64_t start_unix = 0;
  int32_t step_seconds = 300;
  std::vector<double> values;
};

// One row of infra_metric_daily.
struct DailyMetric {
  Day date;
  ServiceType service = ServiceType::REDIS;
  std::string instance_id;
  std::string metric;
  std::string unit;
  double avg = 0, min = 0, max = 0, p95 = 0;
  int32_t sample_count = 0;
  int32_t expected_samples = 0;
  std::string source;
  // How p95_value was computed: "samples" (from the day's samples, Prometheus and the
  // simulator), "cloudwatch" (CloudWatch's own p95 over its datapoints), or
  // "averages_<N>s" (from CloudWatch's N-second averages, where p95 is refused or missing).
  std::string p95_method = "samples";

  double coverage() const {
    return expected_samples > 0 ? double(sample_count) / expected_samples : 0.0;
  }
  double stat(Stat s) const;
};

}  // namespace im
