// Steps 1-8 on the backfilled Prometheus: 30 days of synthetic exporter history
// (tests/collect/redis_history.h). Every stored daily aggregate must equal, to 1e-9 relative,
// what this test computes on its own from the same generated samples.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "collect/prometheus/client.h"
#include "collect/prometheus/redis_source.h"
#include "collect/redis_history.h"
#include "pipeline/pipeline.h"
#include "pipeline/pipeline_fixture.h"
#include "prom_test_util.h"
#include "store/store.h"
#include "test_util.h"

namespace im {
namespace {

namespace h = test::history;

const h::Spec kSpec;  // what the fixture's generator wrote (its defaults)

Day day_of(int index) {
  return Day::from_unix_seconds(kSpec.first_day_unix) + index;
}

int series_index(const char* metric, const char* db = "") {
  const auto& defs = h::series_defs();
  for (size_t i = 0; i < defs.size(); ++i)
    if (std::string(defs[i].metric) == metric && std::string(defs[i].db) == db)
      return static_cast<int>(i);
  throw std::runtime_error(std::string("no series ") + metric);
}

// The day's samples of one generated series on the 5-minute grid, NaN where absent.
std::vector<double> samples(int k, const char* metric, int day, const char* db = "") {
  std::vector<double> v(h::kSlotsPerDay, NAN);
  const int si = series_index(metric, db);
  for (int slot = 0; slot < h::kSlotsPerDay; ++slot)
    if (h::has_sample(kSpec, k, day, slot))
      v[static_cast<size_t>(slot)] = h::value(kSpec, k, si, int64_t{day} * h::kSlotsPerDay + slot);
  return v;
}

// Per-slot increase of a counter (a decrease means it restarted from 0), divided by the slots
// it spans; NaN for the first sample and after a gap of more than 3 slots.
std::vector<double> increases(const std::vector<double>& c) {
  std::vector<double> out(c.size(), NAN);
  int last = -1;
  for (int i = 0; i < static_cast<int>(c.size()); ++i) {
    if (std::isnan(c[i])) continue;
    if (last >= 0 && i - last <= 3) out[i] = (c[i] >= c[last] ? c[i] - c[last] : c[i]) / (i - last);
    last = i;
  }
  return out;
}

struct Agg {
  double avg, min, max, p95;
  int count;
};
std::optional<Agg> aggregate(const std::vector<double>& v) {
  std::vector<double> x;
  for (double d : v)
    if (!std::isnan(d)) x.push_back(d);
  if (x.empty()) return std::nullopt;
  std::sort(x.begin(), x.end());
  double sum = 0;
  for (double d : x) sum += d;
  const double pos = 0.95 * static_cast<double>(x.size() - 1);
  const size_t lo = static_cast<size_t>(pos), hi = std::min(lo + 1, x.size() - 1);
  return Agg{sum / static_cast<double>(x.size()), x.front(), x.back(),
             x[lo] + (pos - static_cast<double>(lo)) * (x[hi] - x[lo]), static_cast<int>(x.size())};
}

// What the day's row of a catalog metric must hold, computed from the generated samples.
std::optional<Agg> expected(int k, const std::string& metric, int day) {
  auto rate = [&](const char* counter, double scale) {
    auto inc = increases(samples(k, counter, day));
    for (double& d : inc) d = d / h::kStep * scale;
    return aggregate(inc);
  };
  if (metric == "memory_used_bytes") return aggregate(samples(k, "redis_memory_used_bytes", day));
  if (metric == "connected_clients") return aggregate(samples(k, "redis_connected_clients", day));
  if (metric == "blocked_clients") return aggregate(samples(k, "redis_blocked_clients", day));
  if (metric == "db_keys") {
    auto a = samples(k, "redis_db_keys", day, "db0"), b = samples(k, "redis_db_keys", day, "db1");
    for (size_t i = 0; i < a.size(); ++i) a[i] += b[i];
    return aggregate(a);
  }
  if (metric == "memory_usage_pct") {
    auto used = samples(k, "redis_memory_used_bytes", day);
    auto max = samples(k, "redis_memory_max_bytes", day);
    std::vector<double> pct(used.size(), NAN);
    for (size_t i = 0; i < used.size(); ++i)
      if (max[i] > 0) pct[i] = 100.0 * used[i] / max[i];
    return aggregate(pct);
  }
  if (metric == "ops_per_sec") return rate("redis_commands_processed_total", 1);
  if (metric == "cpu_user_pct") return rate("redis_cpu_user_seconds_total", 100);
  if (metric == "keyspace_misses_per_sec") return rate("redis_keyspace_misses_total", 1);
  if (metric == "evicted_keys_per_sec") return rate("redis_evicted_keys_total", 1);
  if (metric == "hit_ratio_pct") {
    auto hits = increases(samples(k, "redis_keyspace_hits_total", day));
    auto misses = increases(samples(k, "redis_keyspace_misses_total", day));
    std::vector<double> pct(hits.size(), NAN);
    for (size_t i = 0; i < hits.size(); ++i)
      if (hits[i] + misses[i] > 0) pct[i] = 100.0 * hits[i] / (hits[i] + misses[i]);
    return aggregate(pct);
  }
  throw std::runtime_error("unexpected metric " + metric);
}

const char* kMetrics[] = {"memory_used_bytes",   "memory_usage_pct", "connected_clients",
                          "blocked_clients",     "db_keys",          "ops_per_sec",
                          "cpu_user_pct",        "hit_ratio_pct",    "keyspace_misses_per_sec",
                          "evicted_keys_per_sec"};

void expect_close(double got, double want, const std::string& what) {
  EXPECT_LE(std::fabs(got - want), 1e-9 * std::max(std::fabs(got), std::fabs(want)) + 1e-12)
      << what << ": stored " << got << ", expected " << want;
}

TEST(PrometheusHistory, EveryStoredAggregateEqualsTheGeneratedSamples) {
  test::TempDir dir;
  std::string why;
  auto store = store::open_store(*parse_storage_url("sqlite://" + dir.file("h.db"), why));
  Settings s;
  s.source = Settings::Source::LIVE;
  s.prometheus.url = test::prom("IM_TEST_PROM_HISTORY_URL");
  s.pipeline.max_retries = 0;
  const int64_t now = day_of(kSpec.days).start_unix() + 6 * 3600;
  auto p = pipeline::test_fixture::assemble(
      s, *store, pipeline::test_fixture::test_clock([now] { return now; }));
  pipeline::RunOptions o;
  for (int d = 0; d < kSpec.days; ++d) o.days.push_back(day_of(d));
  o.steps = {1, 2, 3, 6, 7, 8};
  auto r = p.run(o);
  for (const auto& d : r.days)
    for (const auto& st : d.steps)
      EXPECT_NE(st.status, pipeline::StepStatus::FAILED)
          << d.day.str() << " step " << st.num << ": " << st.message;

  std::map<std::string, int> index;  // instance name -> k
  for (int k = 0; k < kSpec.instances(); ++k) index[h::instance_name(k)] = k;
  // Every stored row matches; count them per (instance, day).
  std::map<std::pair<int, int>, int> rows;
  for (const auto& m : store->load_daily_metrics(day_of(0), day_of(kSpec.days - 1), {})) {
    ASSERT_TRUE(index.count(m.instance_id)) << m.instance_id;
    const int k = index[m.instance_id], day = m.date - day_of(0);
    const std::string what = m.instance_id + " " + m.metric + " " + m.date.str();
    auto want = expected(k, m.metric, day);
    ASSERT_TRUE(want.has_value()) << what << ": stored, but no sample was generated";
    expect_close(m.avg, want->avg, what + " avg");
    expect_close(m.min, want->min, what + " min");
    expect_close(m.max, want->max, what + " max");
    expect_close(m.p95, want->p95, what + " p95");
    EXPECT_EQ(m.sample_count, want->count) << what;
    EXPECT_EQ(m.expected_samples, h::kSlotsPerDay) << what;
    ++rows[{k, day}];
  }
  // And nothing computable is missing (nor zero-filled where nothing was generated).
  int checked = 0;
  for (int k = 0; k < kSpec.instances(); ++k)
    for (int day = 0; day < kSpec.days; ++day) {
      int want = 0;
      for (const char* metric : kMetrics) want += expected(k, metric, day).has_value();
      EXPECT_EQ((rows[{k, day}]), want) << h::instance_name(k) << " " << day_of(day).str();
      checked += want;
    }
  EXPECT_GT(checked, 2000);

  // The special cases, spelled out.
  auto one = [&](int k, const char* metric, int day) -> std::optional<DailyMetric> {
    for (const auto& m : store->load_daily_metrics(day_of(day), day_of(day), {}))
      if (m.instance_id == h::instance_name(k) && m.metric == metric) return m;
    return std::nullopt;
  };
  EXPECT_EQ(one(2, "memory_used_bytes", 15)->sample_count, 288 - 72);  // the gap: fewer samples
  EXPECT_FALSE(one(1, "memory_usage_pct", 5).has_value());             // maxmemory 0
  EXPECT_FALSE(one(3, "memory_used_bytes", 15).has_value());           // not there yet
  EXPECT_TRUE(one(3, "memory_used_bytes", 16).has_value());
  EXPECT_GE(one(0, "ops_per_sec", 10)->min, 0);  // the reset gives no negative rate
  for (const auto& row : store->load_inventory())
    if (row.instance.id == h::instance_name(3)) {
      EXPECT_EQ(row.first_seen, day_of(16));
    }
}

TEST(PrometheusHistory, RequestsPerDayDoNotGrowWithTheFleet) {
  collect::prometheus::Client c(collect::prometheus::ClientOptions{
      test::prom("IM_TEST_PROM_HISTORY_URL"), 30, "", "", "", ""});
  collect::prometheus::RedisSource src(
      c, collect::prometheus::RedisSourceOptions{Settings{}.prometheus.metrics, "redis", "instance",
                                                 300});
  const ServiceType redis[] = {ServiceType::REDIS};
  auto requests_for = [&](int day, size_t& instances) {
    const int64_t before = c.requests();
    auto inv = src.discover(day_of(day), redis);
    instances = inv.size();
    src.collect_series(day_of(day), ServiceType::REDIS, inv);
    return c.requests() - before;
  };
  size_t small = 0, large = 0;
  const int64_t few = requests_for(5, small), many = requests_for(kSpec.days - 1, large);
  EXPECT_EQ(small, static_cast<size_t>(kSpec.full_instances - 1));  // instance 3 not there yet
  EXPECT_EQ(large, static_cast<size_t>(kSpec.instances()));
  EXPECT_EQ(few, many);
  EXPECT_EQ(many, 12);  // discovery (2) + one query per metric (10)
}

}  // namespace
}  // namespace im
