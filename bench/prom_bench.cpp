// Prometheus collection of one day (steps 1, 3, 6, 7 without the database): requests and wall
// time, for `make bench`.   prom_bench URL YYYY-MM-DD
#include <chrono>
#include <cstdio>

#include "collect/prometheus/client.h"
#include "collect/prometheus/redis_source.h"
#include "config/settings.h"
#include "transform/transform.h"

using namespace im;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: prom_bench URL YYYY-MM-DD\n");
    return 2;
  }
  auto day = Day::parse(argv[2]);
  if (!day) return 2;
  collect::prometheus::Client client({argv[1], 60, "", "", "", ""});
  const Settings defaults;
  collect::prometheus::RedisSource src(client,
                                       {defaults.prometheus.metrics, "redis", "instance", 300});
  const ServiceType redis[] = {ServiceType::REDIS};
  auto t0 = std::chrono::steady_clock::now();
  auto inventory = src.discover(*day, redis);
  auto raw = src.collect_series(*day, ServiceType::REDIS, inventory);
  auto t1 = std::chrono::steady_clock::now();
  auto normalized = transform::normalize(raw, inventory);
  auto daily = transform::aggregate(normalized.series, *day);
  auto t2 = std::chrono::steady_clock::now();
  std::printf(
      "  %5zu instances: %lld requests, %zu source series, collect %.2f s, normalize + "
      "aggregate %.2f s, %zu daily rows\n",
      inventory.size(), static_cast<long long>(client.requests()), raw.size(),
      std::chrono::duration<double>(t1 - t0).count(),
      std::chrono::duration<double>(t2 - t1).count(), daily.size());
  return 0;
}
