#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "transform/transform.h"

namespace im::transform {
namespace {

const Day kDay = *Day::parse("2026-11-20");

RawSeries raw(const std::string& metric, std::vector<double> v, const std::string& labels = "",
              ServiceType svc = ServiceType::REDIS) {
  return RawSeries{svc, "r1", metric, labels, kDay.start_unix(), 300, std::move(v)};
}

const MetricSeries* find(const Normalized& n, const std::string& metric) {
  for (const auto& s : n.series)
    if (s.metric == metric) return &s;
  return nullptr;
}

TEST(CounterRate, PerSecondWithResetsAndGaps) {
  std::vector<double> c{100, 400, 700, 50, 350, NAN, 950};
  auto r = counter_rate(c, 300);
  EXPECT_TRUE(std::isnan(r[0]));
  EXPECT_DOUBLE_EQ(r[1], 1.0);
  EXPECT_DOUBLE_EQ(r[2], 1.0);
  EXPECT_DOUBLE_EQ(r[3], 50.0 / 300);  // reset: the counter restarted from 0
  EXPECT_DOUBLE_EQ(r[4], 1.0);
  EXPECT_TRUE(std::isnan(r[5]));
  EXPECT_DOUBLE_EQ(r[6], 600.0 / 600);  // across one missing sample
  auto strict = counter_rate(c, 300, 1);
  EXPECT_TRUE(std::isnan(strict[6]));
}

TEST(Quantile, LinearInterpolationLikePrometheus) {
  std::vector<double> v{1, 2, 3, 4, 5};
  EXPECT_DOUBLE_EQ(quantile_sorted(v, 0.5), 3);
  EXPECT_DOUBLE_EQ(quantile_sorted(v, 0.95), 4.8);
  EXPECT_DOUBLE_EQ(quantile_sorted(std::vector<double>{7}, 0.95), 7);
}

TEST(Aggregate, ExactlyOneUtcDayAndNoRowWithoutSamples) {
  MetricSeries s{ServiceType::REDIS, "r1", "connected_clients", kDay.start_unix() - 600, 300, {}};
  s.values = {1000, 1000, 10, 20, NAN, 30};  // two samples of the previous day
  for (int k = 6; k < 2 + 288; ++k) s.values.push_back(20);
  s.values.push_back(5000);  // next day's 00:00
  DailyMetric m;
  ASSERT_TRUE(aggregate_day(s, kDay, m));
  EXPECT_EQ(m.sample_count, 287);
  EXPECT_EQ(m.expected_samples, 288);
  EXPECT_DOUBLE_EQ(m.min, 10);
  EXPECT_DOUBLE_EQ(m.max, 30);
  EXPECT_NEAR(m.avg, (10 + 20 + 30 + 20.0 * 284) / 287, 1e-9);
  MetricSeries empty{ServiceType::REDIS, "r1", "x",
                     kDay.start_unix(),  300,  std::vector<double>(288, NAN)};
  EXPECT_FALSE(aggregate_day(empty, kDay, m));
  EXPECT_TRUE(aggregate(std::vector<MetricSeries>{empty}, kDay).empty());
}

TEST(Normalize, RedisDerivedMetrics) {
  std::vector<RawSeries> in{
      raw("redis_memory_used_bytes", {50, 60, 70}),
      raw("redis_memory_max_bytes", {100, 100, 100}),
      raw("redis_db_keys", {10, 11, 12}, "db=db0"),
      raw("redis_db_keys", {5, 5, 5}, "db=db1"),
      raw("redis_commands_processed_total", {0, 3000, 6000}),
      raw("redis_cpu_user_seconds_total", {10, 40, 70}),
      raw("redis_keyspace_hits_total", {0, 900, 1800}),
      raw("redis_keyspace_misses_total", {0, 100, 200}),
  };
  auto n = normalize(in, {});
  ASSERT_TRUE(find(n, "memory_usage_pct"));
  EXPECT_DOUBLE_EQ(find(n, "memory_usage_pct")->values[2], 70);
  EXPECT_DOUBLE_EQ(find(n, "db_keys")->values[1], 16);
  EXPECT_DOUBLE_EQ(find(n, "ops_per_sec")->values[1], 10);
  EXPECT_DOUBLE_EQ(find(n, "cpu_user_pct")->values[1], 10);  // 30 s of CPU per 300 s
  EXPECT_DOUBLE_EQ(find(n, "hit_ratio_pct")->values[2], 90);
  EXPECT_DOUBLE_EQ(find(n, "keyspace_misses_per_sec")->values[1], 100.0 / 300);
  EXPECT_FALSE(find(n, "evicted_keys_per_sec"));  // no input, no series (never a zero)
  EXPECT_TRUE(n.notes.empty());
}

TEST(Normalize, NoMemoryPercentWithoutMaxmemory) {
  auto n = normalize(std::vector<RawSeries>{raw("redis_memory_used_bytes", {50}),
                                            raw("redis_memory_max_bytes", {0})},
                     {});
  EXPECT_FALSE(find(n, "memory_usage_pct"));
  EXPECT_TRUE(find(n, "memory_used_bytes"));
  ASSERT_EQ(n.notes.size(), 1u);
  EXPECT_NE(n.notes[0].find("no memory_usage_pct"), std::string::npos);
}

TEST(Normalize, RdsUnitsAndStoragePercentFromInventory) {
  Instance inst;
  inst.service = ServiceType::RDS;
  inst.id = "r1";
  inst.allocated_storage_gb = 100;
  std::vector<RawSeries> in{raw("ReadLatency", {0.002}, "", ServiceType::RDS),
                            raw("FreeStorageSpace", {25.0 * (1ULL << 30)}, "", ServiceType::RDS)};
  auto n = normalize(in, std::vector<Instance>{inst});
  EXPECT_DOUBLE_EQ(find(n, "read_latency_ms")->values[0], 2.0);
  EXPECT_DOUBLE_EQ(find(n, "free_storage_pct")->values[0], 25.0);
  auto without = normalize(in, {});
  EXPECT_FALSE(find(without, "free_storage_pct"));
  EXPECT_EQ(without.notes.size(), 1u);
}

// CloudWatch's statistics of a day map through the catalog's linear derivations exactly.
TEST(NormalizeDaily, GaugesScaleAndStoragePercentUsesTheInventory) {
  const double gib = double(1ULL << 30);
  std::vector<SourceDaily> in = {
      {ServiceType::RDS, "db1", "ReadLatency", 0.002, 0.001, 0.004, 0.003, 1440, 1440,
       "cloudwatch"},
      {ServiceType::RDS, "db1", "FreeStorageSpace", 50 * gib, 40 * gib, 60 * gib, 58 * gib, 1380,
       1440, "averages_300s"},
      {ServiceType::RDS, "db2", "FreeStorageSpace", 1, 1, 1, 1, 10, 1440, "cloudwatch"}};
  Instance db1;
  db1.service = ServiceType::RDS;
  db1.id = "db1";
  db1.allocated_storage_gb = 200;
  std::vector<std::string> notes;
  auto out = normalize_daily(in, kDay, std::vector<Instance>{db1}, notes);
  std::map<std::string, DailyMetric> by;
  for (const auto& m : out) by[m.instance_id + " " + m.metric] = m;
  ASSERT_EQ(by.size(), 4u) << "read_latency_ms, both storage rows of db1, db2's bytes only";
  const auto& lat = by["db1 read_latency_ms"];
  EXPECT_DOUBLE_EQ(lat.avg, 2);
  EXPECT_DOUBLE_EQ(lat.min, 1);
  EXPECT_DOUBLE_EQ(lat.max, 4);
  EXPECT_DOUBLE_EQ(lat.p95, 3);
  EXPECT_EQ(lat.p95_method, "cloudwatch");
  EXPECT_EQ(lat.unit, "ms");
  EXPECT_EQ(lat.date, kDay);
  const auto& pct = by["db1 free_storage_pct"];
  EXPECT_DOUBLE_EQ(pct.avg, 25);
  EXPECT_DOUBLE_EQ(pct.min, 20);
  EXPECT_DOUBLE_EQ(pct.max, 30);
  EXPECT_DOUBLE_EQ(pct.p95, 29);
  EXPECT_EQ(pct.sample_count, 1380);
  EXPECT_EQ(pct.expected_samples, 1440);
  EXPECT_EQ(pct.p95_method, "averages_300s");
  EXPECT_TRUE(by.count("db2 free_storage_space"));
  ASSERT_EQ(notes.size(), 1u);  // db2's allocated storage is unknown: no percentage
  EXPECT_NE(notes[0].find("db2: allocated storage unknown"), std::string::npos) << notes[0];
}

}  // namespace
}  // namespace im::transform
