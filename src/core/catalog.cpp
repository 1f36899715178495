#include "core/catalog.h"

namespace im {

namespace {
using D = Derivation;
using S = ServiceType;
using Dir = Direction;
using Dim = Dimension;
constexpr Limits kNoLimits{};

constexpr std::string_view kRedisMemory = "Scale up instance class or review eviction policy";
constexpr std::string_view kRedisEvict = "Increase maxmemory or add cache sharding";
constexpr std::string_view kRdsCpu = "Identify slow queries, add read replicas, or scale up";
constexpr std::string_view kRdsConn = "Check application connection pool settings";
constexpr std::string_view kRdsLatency = "Check disk IOPS, upgrade to io1/io2, or optimize queries";
constexpr std::string_view kTraffic =
    "Compare with traffic and deployments of the day; check the clients driving the change";

// clang-format off
const MetricDef kCatalog[] = {
  // ---- Redis (Prometheus, prometheus-redis-exporter names) ----
  {S::REDIS, "memory_used_bytes", "bytes", "prometheus", D::GAUGE, "redis_memory_used_bytes", "", 1,
   Stat::AVG, Dir::UP, Dim::MEMORY, kNoLimits, "memory_usage_pct", kRedisMemory},
  {S::REDIS, "memory_usage_pct", "percent", "prometheus", D::RATIO_PCT, "redis_memory_used_bytes",
   "redis_memory_max_bytes", 1, Stat::AVG, Dir::UP, Dim::MEMORY, {80, 90, 95}, "", kRedisMemory},
  {S::REDIS, "connected_clients", "count", "prometheus", D::GAUGE, "redis_connected_clients", "", 1,
   Stat::AVG, Dir::UP, Dim::CONNECTIONS, kNoLimits, "", "Check client connection pools and for connection leaks"},
  {S::REDIS, "blocked_clients", "count", "prometheus", D::GAUGE, "redis_blocked_clients", "", 1,
   Stat::AVG, Dir::UP, Dim::CONNECTIONS, kNoLimits, "", "Look for long blocking commands (BLPOP, WAIT) and slow consumers"},
  {S::REDIS, "db_keys", "count", "prometheus", D::SUM_GAUGE, "redis_db_keys", "", 1,
   Stat::AVG, Dir::BOTH, Dim::MEMORY, kNoLimits, "", "Check key TTLs and for a change in what the application caches"},
  {S::REDIS, "ops_per_sec", "ops/s", "prometheus", D::RATE, "redis_commands_processed_total", "", 1,
   Stat::AVG, Dir::BOTH, Dim::THROUGHPUT, kNoLimits, "", kTraffic},
  {S::REDIS, "cpu_user_pct", "percent", "prometheus", D::RATE, "redis_cpu_user_seconds_total", "", 100,
   Stat::AVG, Dir::UP, Dim::CPU, kNoLimits, "", "Look for expensive commands (SLOWLOG) or scale up the node"},
  {S::REDIS, "hit_ratio_pct", "percent", "prometheus", D::HIT_RATIO_PCT, "redis_keyspace_hits_total",
   "redis_keyspace_misses_total", 1, Stat::AVG, Dir::DOWN, Dim::LATENCY, kNoLimits, "",
   "Check evictions and TTLs; review what the application caches"},
  {S::REDIS, "keyspace_misses_per_sec", "ops/s", "prometheus", D::RATE, "redis_keyspace_misses_total", "", 1,
   Stat::AVG, Dir::UP, Dim::LATENCY, kNoLimits, "", "Check evictions and TTLs; review what the application caches"},
  {S::REDIS, "evicted_keys_per_sec", "keys/s", "prometheus", D::RATE, "redis_evicted_keys_total", "", 1,
   Stat::AVG, Dir::UP, Dim::MEMORY, kNoLimits, "", kRedisEvict},

  // ---- RDS (CloudWatch AWS/RDS, by DBInstanceIdentifier) ----
  {S::RDS, "cpu_utilization", "percent", "cloudwatch", D::GAUGE, "CPUUtilization", "", 1,
   Stat::AVG, Dir::UP, Dim::CPU, {80, 90, NAN}, "", kRdsCpu},
  {S::RDS, "database_connections", "count", "cloudwatch", D::GAUGE, "DatabaseConnections", "", 1,
   Stat::AVG, Dir::UP, Dim::CONNECTIONS, kNoLimits, "", kRdsConn},
  {S::RDS, "freeable_memory", "bytes", "cloudwatch", D::GAUGE, "FreeableMemory", "", 1,
   Stat::AVG, Dir::DOWN, Dim::MEMORY, kNoLimits, "", "Review buffer pool and connection memory, or scale up the instance class"},
  {S::RDS, "free_storage_space", "bytes", "cloudwatch", D::GAUGE, "FreeStorageSpace", "", 1,
   Stat::AVG, Dir::DOWN, Dim::STORAGE, kNoLimits, "free_storage_pct", "Grow allocated storage or enable storage autoscaling; purge old data", "1,2"},
  {S::RDS, "free_storage_pct", "percent", "cloudwatch", D::STORAGE_PCT, "FreeStorageSpace", "", 1,
   Stat::AVG, Dir::DOWN, Dim::STORAGE, {10, 5, NAN}, "", "Grow allocated storage or enable storage autoscaling; purge old data", "1,2"},
  {S::RDS, "read_iops", "count/s", "cloudwatch", D::GAUGE, "ReadIOPS", "", 1,
   Stat::AVG, Dir::BOTH, Dim::THROUGHPUT, kNoLimits, "", kRdsLatency},
  {S::RDS, "write_iops", "count/s", "cloudwatch", D::GAUGE, "WriteIOPS", "", 1,
   Stat::AVG, Dir::BOTH, Dim::THROUGHPUT, kNoLimits, "", kRdsLatency},
  {S::RDS, "read_latency_ms", "ms", "cloudwatch", D::GAUGE, "ReadLatency", "", 1000,
   Stat::P95, Dir::UP, Dim::LATENCY, kNoLimits, "", kRdsLatency},
  {S::RDS, "write_latency_ms", "ms", "cloudwatch", D::GAUGE, "WriteLatency", "", 1000,
   Stat::P95, Dir::UP, Dim::LATENCY, kNoLimits, "", kRdsLatency},
  {S::RDS, "read_throughput", "bytes/s", "cloudwatch", D::GAUGE, "ReadThroughput", "", 1,
   Stat::AVG, Dir::BOTH, Dim::THROUGHPUT, kNoLimits, "", kTraffic},
  {S::RDS, "write_throughput", "bytes/s", "cloudwatch", D::GAUGE, "WriteThroughput", "", 1,
   Stat::AVG, Dir::BOTH, Dim::THROUGHPUT, kNoLimits, "", kTraffic},
  {S::RDS, "network_receive_throughput", "bytes/s", "cloudwatch", D::GAUGE, "NetworkReceiveThroughput", "", 1,
   Stat::AVG, Dir::BOTH, Dim::THROUGHPUT, kNoLimits, "", kTraffic},
  {S::RDS, "network_transmit_throughput", "bytes/s", "cloudwatch", D::GAUGE, "NetworkTransmitThroughput", "", 1,
   Stat::AVG, Dir::BOTH, Dim::THROUGHPUT, kNoLimits, "", kTraffic},
  {S::RDS, "disk_queue_depth", "count", "cloudwatch", D::GAUGE, "DiskQueueDepth", "", 1,
   Stat::AVG, Dir::UP, Dim::LATENCY, kNoLimits, "", kRdsLatency},
  {S::RDS, "swap_usage", "bytes", "cloudwatch", D::GAUGE, "SwapUsage", "", 1,
   Stat::AVG, Dir::UP, Dim::MEMORY, kNoLimits, "", "Memory pressure: review memory settings or scale up the instance class"},

  // ---- EC2 (CloudWatch AWS/EC2, by InstanceId; only with ENABLE_EC2) ----
  {S::EC2, "cpu_utilization", "percent", "cloudwatch", D::GAUGE, "CPUUtilization", "", 1,
   Stat::AVG, Dir::UP, Dim::CPU, kNoLimits, "", "Find the busy process; scale up or out"},
  {S::EC2, "network_in", "bytes", "cloudwatch", D::GAUGE, "NetworkIn", "", 1,
   Stat::AVG, Dir::BOTH, Dim::THROUGHPUT, kNoLimits, "", kTraffic},
  {S::EC2, "network_out", "bytes", "cloudwatch", D::GAUGE, "NetworkOut", "", 1,
   Stat::AVG, Dir::BOTH, Dim::THROUGHPUT, kNoLimits, "", kTraffic},
  {S::EC2, "network_packets_in", "count", "cloudwatch", D::GAUGE, "NetworkPacketsIn", "", 1,
   Stat::AVG, Dir::BOTH, Dim::THROUGHPUT, kNoLimits, "", kTraffic},
  {S::EC2, "network_packets_out", "count", "cloudwatch", D::GAUGE, "NetworkPacketsOut", "", 1,
   Stat::AVG, Dir::BOTH, Dim::THROUGHPUT, kNoLimits, "", kTraffic},
  {S::EC2, "status_check_failed", "count", "cloudwatch", D::GAUGE, "StatusCheckFailed", "", 1,
   Stat::MAX, Dir::UP, Dim::ERRORS, kNoLimits, "", "Check the instance's system log; stop/start to move it to healthy hardware"},
  {S::EC2, "ebs_read_bytes", "bytes", "cloudwatch", D::GAUGE, "EBSReadBytes", "", 1,
   Stat::AVG, Dir::BOTH, Dim::THROUGHPUT, kNoLimits, "", kTraffic},
  {S::EC2, "ebs_write_bytes", "bytes", "cloudwatch", D::GAUGE, "EBSWriteBytes", "", 1,
   Stat::AVG, Dir::BOTH, Dim::THROUGHPUT, kNoLimits, "", kTraffic},
};
// clang-format on
}  // namespace

std::span<const MetricDef> metric_catalog() {
  return kCatalog;
}

const MetricDef* find_metric(ServiceType service, std::string_view name) {
  for (const auto& m : kCatalog)
    if (m.service == service && m.name == name) return &m;
  return nullptr;
}

std::string_view catalog_input(ServiceType service, std::string_view source_name) {
  for (const MetricDef& d : metric_catalog()) {
    if (d.service != service) continue;
    for (std::string_view in : {d.input, d.input2}) {
      if (in.empty()) continue;
      if (in == source_name || (in.size() == source_name.size() + 6 &&
                                in.starts_with(source_name) && in.ends_with("_total")))
        return in;
    }
  }
  return {};
}

}  // namespace im
