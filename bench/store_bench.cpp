// Store write throughput: N daily-metric rows upserted in one transaction (first as new rows,
// then again as a re-run that updates every row), then read back. For `make bench`:
//   store_bench URL [ROWS]   (the password of a mysql:// URL comes from DB_PASSWORD)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "store/store.h"

using namespace im;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: store_bench URL [ROWS]\n");
    return 2;
  }
  const size_t rows = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 140000;
  std::string why;
  auto url = parse_storage_url(argv[1], why);
  if (!url) {
    std::fprintf(stderr, "store_bench: %s\n", why.c_str());
    return 2;
  }
  store::MysqlOptions opts;
  if (const char* pw = std::getenv("DB_PASSWORD")) opts.password = pw;
  auto store = store::open_store(*url, store::OpenMode::READ_WRITE, opts);

  // 14 metrics per instance, like an RDS instance of the catalog.
  const Day day = *Day::parse("2026-11-20");
  std::vector<DailyMetric> batch(rows);
  for (size_t i = 0; i < rows; ++i) {
    DailyMetric& m = batch[i];
    m.date = day;
    m.service = ServiceType::RDS;
    m.instance_id = "rds-bench-" + std::to_string(i / 14);
    m.metric = "metric_" + std::to_string(i % 14);
    m.unit = "percent";
    m.avg = 40 + static_cast<double>(i % 97) / 7;
    m.min = m.avg - 5;
    m.max = m.avg + 9;
    m.p95 = m.avg + 6;
    m.sample_count = m.expected_samples = 288;
    m.source = "bench";
  }
  auto timed = [&](const char* what, auto&& fn) {
    auto t0 = std::chrono::steady_clock::now();
    fn();
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("  %-34s %8zu rows %7.2f s %10.0f rows/s\n", what, rows, s,
                static_cast<double>(rows) / s);
  };
  std::printf("%s\n", store->describe().c_str());
  timed("insert (one transaction)", [&] {
    store->begin();
    store->upsert_daily_metrics(batch);
    store->commit();
  });
  for (auto& m : batch) m.avg += 1;
  timed("re-run: upsert over existing rows", [&] {
    store->begin();
    store->upsert_daily_metrics(batch);
    store->commit();
  });
  timed("read back (streamed)", [&] {
    size_t n = 0;
    store->visit_daily_metrics(day, day, {},
                               [&](const DailyMetric& m) { n += m.source == "bench"; });
    if (n != rows) {
      std::fprintf(stderr, "store_bench: read %zu rows back, wrote %zu\n", n, rows);
      std::exit(1);
    }
  });
  return 0;
}
