// Micro-benchmarks of the hot paths: simulate, normalize and aggregate one instance-day,
// one baseline, and the client-side work of one full GetMetricData request (signing its
// body, reading its answer).
#include <benchmark/benchmark.h>

#include <string>

#include "collect/aws/gmd_json.h"
#include "collect/aws/sigv4.h"
#include "collect/prometheus/client.h"

#include "collect/simulate/simulator.h"
#include "spc/spc.h"
#include "transform/transform.h"

namespace {

using namespace im;
const Day kDay = *Day::parse("2026-11-20");

void BM_SimulateRedisInstanceDay(benchmark::State& state) {
  collect::SimulatedFleet fleet({});
  const ServiceType redis[] = {ServiceType::REDIS};
  auto inv = fleet.discover(kDay, redis);
  inv.resize(1);
  for (auto _ : state)
    benchmark::DoNotOptimize(fleet.collect_series(kDay, ServiceType::REDIS, inv));
}
BENCHMARK(BM_SimulateRedisInstanceDay);

void BM_NormalizeAndAggregateRedisInstanceDay(benchmark::State& state) {
  collect::SimulatedFleet fleet({});
  const ServiceType redis[] = {ServiceType::REDIS};
  auto inv = fleet.discover(kDay, redis);
  inv.resize(1);
  auto raw = fleet.collect_series(kDay, ServiceType::REDIS, inv);
  for (auto _ : state) {
    auto n = transform::normalize(raw, inv);
    benchmark::DoNotOptimize(transform::aggregate(n.series, kDay));
  }
}
BENCHMARK(BM_NormalizeAndAggregateRedisInstanceDay);

void BM_Baseline(benchmark::State& state) {
  std::vector<spc::DayValue> h;
  for (int i = 28; i >= 1; --i) h.push_back({kDay - i, 50.0 + i % 5});
  spc::Params p;
  for (auto _ : state) benchmark::DoNotOptimize(spc::compute_baseline(h, kDay, p));
}
BENCHMARK(BM_Baseline);

// The recompute path a backtest sweep repeats (issue #15): one series scored on each of 30
// days after 28 days of history, as steps 9-10 do, each day seeing the previous days' day values
// and scores. Time per iteration is 30 series-days; x 140,000 series is a 30-day fleet recompute.
void BM_RecomputeSeries30Days(benchmark::State& state) {
  std::vector<spc::DayValue> values;
  uint64_t noise = 88172645463325252ull;
  for (int i = 0; i < 58; ++i) {
    noise ^= noise << 13, noise ^= noise >> 7, noise ^= noise << 17;
    values.push_back({kDay - 58 + i, 100.0 + static_cast<double>(noise % 1000) / 100.0});
  }
  values[45].x += 40;  // an incident, so that rules fire
  spc::MetricRules rules;
  rules.direction = Direction::UP;
  for (auto _ : state) {
    std::vector<spc::PastScore> past;
    for (size_t k = 28; k < values.size(); ++k) {
      const auto f = spc::evaluate(values[k].day, values[k].x, true,
                                   std::span<const spc::DayValue>(values).subspan(0, k), past,
                                   rules);
      if (f.z) past.push_back({values[k].day, values[k].x, *f.z, f.severity});
    }
    benchmark::DoNotOptimize(past.data());
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * 30);
}
BENCHMARK(BM_RecomputeSeries30Days);

// A GetMetricData body of 500 queries, as the JSON protocol sends it (~97 KB).
std::string get_metric_data_body() {
  std::string b = "{\"StartTime\":1763596800,\"EndTime\":1763683200,\"MetricDataQueries\":[";
  for (int k = 0; k < 500; ++k)
    b += (k ? ",{\"Id\":\"q" : "{\"Id\":\"q") + std::to_string(10000 + k) +
         "\",\"MetricStat\":{\"Metric\":{\"Namespace\":\"AWS/RDS\",\"MetricName\":"
         "\"FreeableMemory\",\"Dimensions\":[{\"Name\":\"DBInstanceIdentifier\",\"Value\":"
         "\"rds-bench-" +
         std::to_string(k / 14) + "\"}]},\"Period\":86400,\"Stat\":\"Average\"}}";
  return b + "]}";
}

// Signing one such request as the client does: the day's key is kept, the body is hashed.
void BM_SignGetMetricDataRequest(benchmark::State& state) {
  const std::string body = get_metric_data_body();
  collect::aws::SignableRequest r;
  r.headers = {{"Host", "monitoring.us-east-1.amazonaws.com"},
               {"Content-Type", "application/x-amz-json-1.0"},
               {"X-Amz-Target", "GraniteServiceVersion20100801.GetMetricData"},
               {"X-Amz-Date", "20261120T000000Z"}};
  r.body = body;
  const std::string key = collect::aws::signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                                    "20261120", "us-east-1", "monitoring");
  for (auto _ : state)
    benchmark::DoNotOptimize(collect::aws::authorization(r, "AKIDEXAMPLE", key, "us-east-1",
                                                         "monitoring", "20261120T000000Z"));
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(body.size()));
}
BENCHMARK(BM_SignGetMetricDataRequest);

// A 500-result answer as moto and CloudWatch write it, one result in 100 with a datapoint.
void BM_ReadGetMetricDataAnswer(benchmark::State& state) {
  std::string a = "{\"MetricDataResults\": [";
  for (int k = 0; k < 500; ++k) {
    const bool data = k % 100 == 0;
    a += (k ? ", {\"Id\": \"q" : "{\"Id\": \"q") + std::to_string(10000 + k) +
         "\", \"Label\": \"FreeableMemory Average\", \"Timestamps\": [" +
         (data ? "1763596800" : "") + "], \"Values\": [" + (data ? "12345.678" : "") +
         "], \"StatusCode\": \"Complete\"}";
  }
  a += "]}";
  std::string token;
  for (auto _ : state) {
    size_t n = 0;
    auto error = collect::aws::scan_get_metric_data(
        a, [&](collect::aws::GmdResult& r) { n += r.timestamps.size() + r.id.size(); }, token);
    benchmark::DoNotOptimize(n);
    benchmark::DoNotOptimize(error);
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(a.size()));
}
BENCHMARK(BM_ReadGetMetricDataAnswer);

// A range-vector answer as Prometheus writes it for one metric of 100 instances over a day
// scraped every 15 s (5,760 samples per series, ~9.5 MB): the collector reads one per metric
// and batch of instances.
void BM_ReadPrometheusMatrixAnswer(benchmark::State& state) {
  std::string a = R"({"status":"success","data":{"resultType":"matrix","result":[)";
  for (int k = 0; k < 100; ++k) {
    a += (k ? "," : "") + std::string(R"({"metric":{"__name__":"redis_memory_used_bytes",)") +
         R"("instance":"redis-bench-)" + std::to_string(k) + R"(:9121","job":"redis"},"values":[)";
    for (int t = 0; t < 5760; ++t)
      a += (t ? ",[" : "[") + std::to_string(1763596800 + 15 * t) + ".123,\"" +
           std::to_string(1000000 + (t * 7919 + k * 104729) % 900000) + "\"]";
    a += "]}";
  }
  a += "]}}";
  for (auto _ : state) {
    auto r = collect::prometheus::parse_query_response(a, "bench");
    benchmark::DoNotOptimize(r.matrix.data());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(a.size()));
}
BENCHMARK(BM_ReadPrometheusMatrixAnswer)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
