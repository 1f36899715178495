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

  // ---- Services a user switches on (cloudwatch.services); CloudWatch names in snake_case ----
  // DocumentDB (AWS/DocDB, by DBInstanceIdentifier; its latencies are already in ms).
  {S::DOCDB, "cpu_utilization", "percent", "cloudwatch", D::GAUGE, "CPUUtilization", "", 1,
   Stat::AVG, Dir::UP, Dim::CPU, {80, 90, NAN}, "", kRdsCpu},
  {S::DOCDB, "database_connections", "count", "cloudwatch", D::GAUGE, "DatabaseConnections", "", 1,
   Stat::AVG, Dir::UP, Dim::CONNECTIONS, kNoLimits, "", kRdsConn},
  {S::DOCDB, "freeable_memory", "bytes", "cloudwatch", D::GAUGE, "FreeableMemory", "", 1,
   Stat::AVG, Dir::DOWN, Dim::MEMORY, kNoLimits, "", "Review the working set and indexes, or scale up the instance class"},
  {S::DOCDB, "free_local_storage", "bytes", "cloudwatch", D::GAUGE, "FreeLocalStorage", "", 1,
   Stat::AVG, Dir::DOWN, Dim::STORAGE, kNoLimits, "", "Look for large sorts and temporary collections; scale up the instance class", "1,2"},
  {S::DOCDB, "read_latency", "ms", "cloudwatch", D::GAUGE, "ReadLatency", "", 1,
   Stat::P95, Dir::UP, Dim::LATENCY, kNoLimits, "", "Check the profiler for slow queries and missing indexes"},
  {S::DOCDB, "write_latency", "ms", "cloudwatch", D::GAUGE, "WriteLatency", "", 1,
   Stat::P95, Dir::UP, Dim::LATENCY, kNoLimits, "", "Check the profiler for slow queries and missing indexes"},
  {S::DOCDB, "buffer_cache_hit_ratio", "percent", "cloudwatch", D::GAUGE, "BufferCacheHitRatio", "", 1,
   Stat::AVG, Dir::DOWN, Dim::MEMORY, kNoLimits, "", "The working set no longer fits in memory: scale up the instance class"},
  {S::DOCDB, "network_throughput", "bytes/s", "cloudwatch", D::GAUGE, "NetworkThroughput", "", 1,
   Stat::AVG, Dir::BOTH, Dim::THROUGHPUT, kNoLimits, "", kTraffic},

  // EKS (Container Insights, ContainerInsights by ClusterName: cluster-wide figures).
  {S::EKS, "cluster_failed_node_count", "count", "cloudwatch", D::GAUGE, "cluster_failed_node_count", "", 1,
   Stat::MAX, Dir::UP, Dim::ERRORS, kNoLimits, "", "Describe the failed nodes (kubectl describe node) and replace them"},
  {S::EKS, "cluster_node_count", "count", "cloudwatch", D::GAUGE, "cluster_node_count", "", 1,
   Stat::AVG, Dir::BOTH, Dim::THROUGHPUT, kNoLimits, "", "Check the cluster autoscaler and the node groups' scaling activity"},
  {S::EKS, "node_cpu_utilization", "percent", "cloudwatch", D::GAUGE, "node_cpu_utilization", "", 1,
   Stat::AVG, Dir::UP, Dim::CPU, {80, 90, NAN}, "", "Add nodes or review the pods' CPU requests and limits"},
  {S::EKS, "node_memory_utilization", "percent", "cloudwatch", D::GAUGE, "node_memory_utilization", "", 1,
   Stat::AVG, Dir::UP, Dim::MEMORY, {80, 90, NAN}, "", "Add nodes or review the pods' memory requests and limits"},
  {S::EKS, "node_filesystem_utilization", "percent", "cloudwatch", D::GAUGE, "node_filesystem_utilization", "", 1,
   Stat::MAX, Dir::UP, Dim::STORAGE, {80, 90, NAN}, "", "Clean images and logs on the nodes or grow their volumes", "1,2"},
  {S::EKS, "node_network_total_bytes", "bytes/s", "cloudwatch", D::GAUGE, "node_network_total_bytes", "", 1,
   Stat::AVG, Dir::BOTH, Dim::THROUGHPUT, kNoLimits, "", kTraffic},
  {S::EKS, "pod_cpu_utilization", "percent", "cloudwatch", D::GAUGE, "pod_cpu_utilization", "", 1,
   Stat::AVG, Dir::UP, Dim::CPU, kNoLimits, "", "Find the busy workloads (kubectl top pods) and scale them out"},
  {S::EKS, "pod_memory_utilization", "percent", "cloudwatch", D::GAUGE, "pod_memory_utilization", "", 1,
   Stat::AVG, Dir::UP, Dim::MEMORY, kNoLimits, "", "Find the workloads near their memory limits (OOMKilled) and raise them"},

  // MSK (AWS/Kafka, by "Cluster Name" and "Broker ID": one instance per broker).
  {S::MSK, "cpu_user", "percent", "cloudwatch", D::GAUGE, "CpuUser", "", 1,
   Stat::AVG, Dir::UP, Dim::CPU, {60, 80, NAN}, "", "Spread partition leadership or add brokers / a larger broker type"},
  {S::MSK, "cpu_system", "percent", "cloudwatch", D::GAUGE, "CpuSystem", "", 1,
   Stat::AVG, Dir::UP, Dim::CPU, kNoLimits, "", "Check connection churn and TLS handshakes; add brokers"},
  {S::MSK, "kafka_data_logs_disk_used", "percent", "cloudwatch", D::GAUGE, "KafkaDataLogsDiskUsed", "", 1,
   Stat::MAX, Dir::UP, Dim::STORAGE, {80, 90, 95}, "", "Grow broker storage or shorten topic retention", "1,2"},
  {S::MSK, "memory_used", "bytes", "cloudwatch", D::GAUGE, "MemoryUsed", "", 1,
   Stat::AVG, Dir::UP, Dim::MEMORY, kNoLimits, "", "Check the broker's heap and page cache; scale up the broker type"},
  {S::MSK, "bytes_in_per_sec", "bytes/s", "cloudwatch", D::GAUGE, "BytesInPerSec", "", 1,
   Stat::AVG, Dir::BOTH, Dim::THROUGHPUT, kNoLimits, "", kTraffic},
  {S::MSK, "bytes_out_per_sec", "bytes/s", "cloudwatch", D::GAUGE, "BytesOutPerSec", "", 1,
   Stat::AVG, Dir::BOTH, Dim::THROUGHPUT, kNoLimits, "", kTraffic},
  {S::MSK, "connection_count", "count", "cloudwatch", D::GAUGE, "ConnectionCount", "", 1,
   Stat::AVG, Dir::UP, Dim::CONNECTIONS, kNoLimits, "", "Check the clients' connection pooling and reconnect loops"},
  {S::MSK, "under_replicated_partitions", "count", "cloudwatch", D::GAUGE, "UnderReplicatedPartitions", "", 1,
   Stat::MAX, Dir::UP, Dim::ERRORS, {NAN, 0.5, NAN}, "", "Check the broker's disk, network and CPU; look for a lagging or restarting broker"},

  // OpenSearch (AWS/ES, by DomainName and ClientId: one instance per domain).
  {S::OPENSEARCH, "cpu_utilization", "percent", "cloudwatch", D::GAUGE, "CPUUtilization", "", 1,
   Stat::AVG, Dir::UP, Dim::CPU, {80, 90, NAN}, "", "Review expensive queries and shard counts, or scale the data nodes"},
  {S::OPENSEARCH, "jvm_memory_pressure", "percent", "cloudwatch", D::GAUGE, "JVMMemoryPressure", "", 1,
   Stat::MAX, Dir::UP, Dim::MEMORY, {80, 92, NAN}, "", "Reduce shards and field data, or scale up the data nodes"},
  {S::OPENSEARCH, "free_storage_space", "MB", "cloudwatch", D::GAUGE, "FreeStorageSpace", "", 1,
   Stat::MIN, Dir::DOWN, Dim::STORAGE, kNoLimits, "", "Delete old indexes (ISM policy) or grow the volumes", "1,2"},
  {S::OPENSEARCH, "cluster_status_red", "count", "cloudwatch", D::GAUGE, "ClusterStatus.red", "", 1,
   Stat::MAX, Dir::UP, Dim::ERRORS, {NAN, 0.5, NAN}, "", "Find the unassigned primary shards (_cluster/allocation/explain)"},
  {S::OPENSEARCH, "cluster_status_yellow", "count", "cloudwatch", D::GAUGE, "ClusterStatus.yellow", "", 1,
   Stat::MAX, Dir::UP, Dim::ERRORS, kNoLimits, "", "Find the unassigned replica shards (_cluster/allocation/explain)"},
  {S::OPENSEARCH, "search_latency", "ms", "cloudwatch", D::GAUGE, "SearchLatency", "", 1,
   Stat::P95, Dir::UP, Dim::LATENCY, kNoLimits, "", "Check slow logs for expensive queries; review shard sizes"},
  {S::OPENSEARCH, "indexing_latency", "ms", "cloudwatch", D::GAUGE, "IndexingLatency", "", 1,
   Stat::P95, Dir::UP, Dim::LATENCY, kNoLimits, "", "Check bulk sizes, refresh intervals and disk throughput"},

  // EMR (AWS/ElasticMapReduce, by JobFlowId: one instance per cluster; 5-minute metrics).
  {S::EMR, "apps_pending", "count", "cloudwatch", D::GAUGE, "AppsPending", "", 1,
   Stat::AVG, Dir::UP, Dim::THROUGHPUT, kNoLimits, "", "Add task nodes or review the YARN queue configuration"},
  {S::EMR, "container_pending_ratio", "ratio", "cloudwatch", D::GAUGE, "ContainerPendingRatio", "", 1,
   Stat::AVG, Dir::UP, Dim::THROUGHPUT, kNoLimits, "", "Add task nodes (managed scaling) or review container sizes"},
  {S::EMR, "hdfs_utilization", "percent", "cloudwatch", D::GAUGE, "HDFSUtilization", "", 1,
   Stat::MAX, Dir::UP, Dim::STORAGE, {80, 90, NAN}, "", "Add core nodes or move data to S3", "1,2"},
  {S::EMR, "yarn_memory_available_percentage", "percent", "cloudwatch", D::GAUGE, "YARNMemoryAvailablePercentage", "", 1,
   Stat::MIN, Dir::DOWN, Dim::MEMORY, kNoLimits, "", "Add nodes or review executor memory settings"},
  {S::EMR, "mr_unhealthy_nodes", "count", "cloudwatch", D::GAUGE, "MRUnhealthyNodes", "", 1,
   Stat::MAX, Dir::UP, Dim::ERRORS, kNoLimits, "", "Check the unhealthy nodes' disks and logs; replace them"},
  {S::EMR, "is_idle", "flag", "cloudwatch", D::GAUGE, "IsIdle", "", 1,
   Stat::AVG, Dir::BOTH, Dim::THROUGHPUT, kNoLimits, "", "An idle cluster costs money: check its jobs or terminate it"},
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
