// End to end: the demo on a temporary database, as `make run` does it, twice.
#include <gtest/gtest.h>

#include "app/app.h"
#include "app/run_cli.h"
#include "store/store.h"
#include "test_util.h"

namespace im::app {
namespace {

using test::run_cli;

TEST(Demo, WritesTheGuidesDailyRowCountsAndIsIdempotent) {
  test::TempDir dir;
  const std::string url = "sqlite://" + dir.file("demo.db");
  const std::string config =
      (test::data_dir().parent_path().parent_path() / "config" / "pipeline_config.yaml").string();
  // Pinned to a fixed day so the test does not depend on when it runs.
  const Day yesterday = *Day::parse("2026-11-20");
  ASSERT_EQ(run_cli({"--config", config, "--storage-url", url, "demo", "--date", yesterday.str()}),
            kExitOk);

  std::string why;
  auto store = store::open_store(*parse_storage_url(url, why));
  auto first = store->day_counts(yesterday);
  // Guide section 3: 1,400-1,900 metric rows and anomaly score rows a day, 14 log rows a run.
  EXPECT_GE(first["infra_metric_daily"], 1400);
  EXPECT_LE(first["infra_metric_daily"], 1900);
  EXPECT_EQ(first["infra_anomaly_scores"], first["infra_metric_daily"]);
  EXPECT_EQ(first["infra_monitoring_pipeline_log"], 14);
  // One health row per active instance (76 Redis + 62 RDS), and the guide's 10-50 alerts.
  EXPECT_EQ(first["infra_health_scores"], 138);
  EXPECT_GE(first["infra_anomaly_alerts"], 10);
  EXPECT_LE(first["infra_anomaly_alerts"], 50);
  for (int back = 1; back <= 30; ++back) {
    auto c = store->day_counts(yesterday - back);
    EXPECT_GE(c["infra_metric_daily"], 1400) << (yesterday - back).str();
    EXPECT_EQ(c["infra_monitoring_pipeline_log"], 14) << (yesterday - back).str();
  }
  // After 30 days of history most series are scored, not in baseline.
  int scored = 0;
  for (const auto& s : store->load_anomaly_scores(yesterday, yesterday)) scored += s.z.has_value();
  EXPECT_GT(scored, first["infra_anomaly_scores"] * 9 / 10);

  ASSERT_EQ(run_cli({"--config", config, "--storage-url", url, "demo", "--date", yesterday.str()}),
            kExitOk);
  auto second = store->day_counts(yesterday);
  EXPECT_EQ(first, second);
}

}  // namespace
}  // namespace im::app
