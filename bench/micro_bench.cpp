// Micro-benchmarks of the hot paths: simulate, normalize and aggregate one instance-day,
// and one baseline.
#include <benchmark/benchmark.h>

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

}  // namespace

BENCHMARK_MAIN();
