// End to end: the demo on a temporary database, as `make run` does it, twice.
#include <gtest/gtest.h>

#include "app/app.h"
#include "store/store.h"
#include "test_util.h"

namespace im::app {
namespace {

int run_cli(std::vector<std::string> args) {
  args.insert(args.begin(), "infra-monitor");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return main_entry(static_cast<int>(args.size()), argv.data());
}

TEST(Demo, WritesTheGuidesDailyRowCountsAndIsIdempotent) {
  test::TempDir dir;
  const std::string url = "sqlite://" + dir.file("demo.db");
  const std::string config = (test::data_dir().parent_path().parent_path() / "config" / "pipeline_config.yaml").string();
  ASSERT_EQ(run_cli({"--config", config, "--storage-url", url, "demo"}), kExitOk);

  std::string why;
  auto store = store::open_store(*parse_storage_url(url, why));
  const Day yesterday = Day::from_unix_seconds(std::time(nullptr)) - 1;
  auto first = store->day_counts(yesterday);
  // Guide section 3: 1,400-1,900 metric rows and anomaly score rows a day, 14 log rows a run.
  EXPECT_GE(first["infra_metric_daily"], 1400);
  EXPECT_LE(first["infra_metric_daily"], 1900);
  EXPECT_EQ(first["infra_anomaly_scores"], first["infra_metric_daily"]);
  EXPECT_EQ(first["infra_monitoring_pipeline_log"], 14);
  for (int back = 1; back <= 30; ++back) {
    auto c = store->day_counts(yesterday - back);
    EXPECT_GE(c["infra_metric_daily"], 1400) << (yesterday - back).str();
    EXPECT_EQ(c["infra_monitoring_pipeline_log"], 14) << (yesterday - back).str();
  }
  // After 30 days of history most series are scored, not in baseline.
  int scored = 0;
  for (const auto& s : store->load_anomaly_scores(yesterday, yesterday)) scored += s.z.has_value();
  EXPECT_GT(scored, first["infra_anomaly_scores"] * 9 / 10);

  ASSERT_EQ(run_cli({"--config", config, "--storage-url", url, "demo"}), kExitOk);
  auto second = store->day_counts(yesterday);
  EXPECT_EQ(first, second);
}

}  // namespace
}  // namespace im::app
