#include <gtest/gtest.h>

#include <vector>

#include "app/app.h"
#include "app/run_cli.h"
#include "store/store.h"
#include "test_util.h"

namespace im::app {
namespace {

using test::run_cli;

using test::TempDir;

std::string yesterday() {
  return (Day::from_unix_seconds(std::time(nullptr)) - 1).str();
}

TEST(Cli, HelpAndVersionExitZero) {
  EXPECT_EQ(run_cli({"--help"}), kExitOk);
  EXPECT_EQ(run_cli({"run", "--help"}), kExitOk);
  EXPECT_EQ(run_cli({"demo", "--help"}), kExitOk);
  EXPECT_EQ(run_cli({"init-db", "--help"}), kExitOk);
}

TEST(Cli, UsageErrorsExitTwo) {
  EXPECT_EQ(run_cli({}), kExitUsage);
  EXPECT_EQ(run_cli({"frobnicate"}), kExitUsage);
  EXPECT_EQ(run_cli({"run", "--no-such-flag"}), kExitUsage);
  EXPECT_EQ(run_cli({"run", "--target-date", "2026-02-30"}), kExitUsage);
  EXPECT_EQ(run_cli({"run", "--backfill", "3", "--target-date", "2026-01-01"}), kExitUsage);
  EXPECT_EQ(run_cli({"run", "--steps", "10,11"}), kExitUsage);
  EXPECT_EQ(run_cli({"run", "--service-type", "ORACLE"}), kExitUsage);
  EXPECT_EQ(run_cli({"demo", "--date", "2999-01-01"}), kExitUsage);
  EXPECT_EQ(run_cli({"demo", "--days", "0"}), kExitUsage);
}

TEST(Cli, ConfigurationErrorsExitTwo) {
  TempDir dir;
  auto bad =
      (test::data_dir() / "config" / "bad" / "sigma_warning_not_below_critical.yaml").string();
  EXPECT_EQ(run_cli({"--config", bad, "--storage-url", "sqlite://" + dir.file("x.db"), "init-db"}),
            kExitUsage);
  EXPECT_EQ(run_cli({"--config", dir.file("missing.yaml"), "init-db"}), kExitUsage);
  EXPECT_EQ(run_cli({"--storage-url", "mysql://u@h:33o6/d", "init-db"}), kExitUsage);
  EXPECT_EQ(
      run_cli({"--log-format", "xml", "--storage-url", "sqlite://" + dir.file("x.db"), "init-db"}),
      kExitUsage);
}

TEST(Cli, InitDbCreatesTheSchema) {
  TempDir dir;
  EXPECT_EQ(run_cli({"--storage-url", "sqlite://" + dir.file("db/im.db"), "init-db"}), kExitOk);
  std::string why;
  auto store = store::open_store(*parse_storage_url("sqlite://" + dir.file("db/im.db"), why));
  EXPECT_EQ(store->schema_version(), store->latest_schema_version());
}

TEST(Cli, ASecondRunExitsThreeWhileTheLockIsHeld) {
  TempDir dir;
  std::string why;
  auto url = *parse_storage_url("sqlite://" + dir.file("im.db"), why);
  auto store = store::open_store(url);
  auto lock = store->acquire_run_lock("pid 1 on another-host");
  EXPECT_EQ(run_cli({"--storage-url", url.str(), "run", "--steps", "9-13"}), kExitLocked);
}

TEST(Cli, DryRunWritesNothing) {
  TempDir dir;
  std::string db = dir.file("dry.db");
  EXPECT_EQ(run_cli({"--storage-url", "sqlite://" + db, "run", "--dry-run", "--target-date",
                     yesterday()}),
            kExitOk);
  EXPECT_FALSE(std::filesystem::exists(db));
}

TEST(Cli, RunOnTheSimulatedFleetSucceeds) {
  TempDir dir;
  std::string db = dir.file("run.db");
  EXPECT_EQ(run_cli({"--storage-url", "sqlite://" + db, "run", "--service-type", "REDIS"}),
            kExitOk);
  std::string why;
  auto store = store::open_store(*parse_storage_url("sqlite://" + db, why));
  auto counts = store->day_counts(*Day::parse(yesterday()));
  EXPECT_GT(counts["infra_metric_daily"], 700);
  EXPECT_LT(counts["infra_metric_daily"], 800);
  EXPECT_EQ(counts["infra_monitoring_pipeline_log"], 14);
}

TEST(Cli, SecretsNeverReachTheLog) {
  TempDir dir;
  // A password that happens to equal text the log prints: every occurrence must be masked.
  setenv("DB_PASSWORD", "Redis Metric Collection", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "source is simulate", 1);
  testing::internal::CaptureStderr();
  int rc = run_cli({"--storage-url", "sqlite://" + dir.file("s.db"), "--log-format", "json", "run",
                    "--service-type", "REDIS"});
  std::string err = testing::internal::GetCapturedStderr();
  unsetenv("DB_PASSWORD");
  unsetenv("AWS_SECRET_ACCESS_KEY");
  EXPECT_EQ(rc, kExitOk);
  EXPECT_EQ(err.find("Redis Metric Collection"), std::string::npos);
  EXPECT_EQ(err.find("source is simulate"), std::string::npos);
  EXPECT_NE(err.find("step  3 ***"), std::string::npos) << err.substr(0, 2000);
  EXPECT_NE(err.find("{\"ts\":"), std::string::npos);  // JSON lines
}

TEST(Cli, StatusIsStaleBeforeAnyRunAndOkAfterTheDailyRun) {
  TempDir dir;
  const std::string url = "sqlite://" + dir.file("st.db");
  testing::internal::CaptureStdout();
  EXPECT_EQ(run_cli({"--storage-url", url, "status"}), kExitFailed);
  std::string before = testing::internal::GetCapturedStdout();
  EXPECT_NE(before.find("STALE   pipeline_freshness"), std::string::npos) << before;
  ASSERT_EQ(run_cli({"--storage-url", url, "run", "--service-type", "REDIS"}), kExitOk);
  testing::internal::CaptureStdout();
  EXPECT_EQ(run_cli({"--storage-url", url, "status", "--format", "json"}), kExitOk);
  std::string after = testing::internal::GetCapturedStdout();
  EXPECT_NE(after.find("\"status\": \"OK\""), std::string::npos) << after;
  EXPECT_NE(after.find("\"recent_runs\""), std::string::npos) << after;
}

TEST(Cli, AckSelectsAlertsAndNeedsAFilterAndAName) {
  TempDir dir;
  std::string why;
  const std::string url = "sqlite://" + dir.file("ack.db");
  auto store = store::open_store(*parse_storage_url(url, why));
  const Day today = Day::from_unix_seconds(std::time(nullptr));
  auto alert = [&](Day d, const char* instance, const char* severity) {
    Alert a;
    a.date = d;
    a.instance_id = instance;
    a.metric = "cpu_user_pct";
    a.alert_type = AlertType::ZSCORE;
    a.severity = *parse_severity(severity);
    a.message = std::string(severity) + " " + instance;
    return a;
  };
  store->begin();
  store->upsert_alerts(std::vector<Alert>{
      alert(today - 10, "redis-a", "INFO"), alert(today - 2, "redis-a", "INFO"),
      alert(today - 10, "redis-b", "WARNING"), alert(today - 1, "redis-c", "CRITICAL")});
  store->commit();
  testing::internal::CaptureStdout();
  EXPECT_EQ(run_cli({"--storage-url", url, "ack", "--severity", "info", "--older-than", "7d",
                     "--by", "auto-cleanup"}),
            kExitOk);
  EXPECT_EQ(run_cli({"--storage-url", url, "ack", "--instance", "redis-c", "--by", "ops-john",
                     "--note", "deploy"}),
            kExitOk);
  EXPECT_EQ(run_cli({"--storage-url", url, "ack", "--id", "424242", "--by", "ops"}), kExitFailed);
  testing::internal::GetCapturedStdout();
  EXPECT_EQ(run_cli({"--storage-url", url, "ack", "--by", "ops"}), kExitUsage);  // no filter
  EXPECT_EQ(run_cli({"--storage-url", url, "ack", "--id", "1"}), kExitUsage);    // no --by
  EXPECT_EQ(run_cli({"--storage-url", url, "ack", "--older-than", "week", "--by", "x"}),
            kExitUsage);
  std::map<std::string, Alert> by;
  for (int back = 1; back <= 10; ++back)
    for (const auto& a : store->load_alerts(today - back))
      by[a.instance_id + "@" + a.date.str()] = a;
  EXPECT_TRUE(by["redis-a@" + (today - 10).str()].acknowledged);
  EXPECT_FALSE(by["redis-a@" + (today - 2).str()].acknowledged);   // not older than 7 days
  EXPECT_FALSE(by["redis-b@" + (today - 10).str()].acknowledged);  // not INFO
  EXPECT_EQ(by["redis-c@" + (today - 1).str()].acknowledged_by, "ops-john");
  EXPECT_EQ(by["redis-c@" + (today - 1).str()].notes, "deploy");
}

TEST(Cli, CleanupDeletesOnlyOldPipelineLogRows) {
  TempDir dir;
  std::string why;
  const std::string url = "sqlite://" + dir.file("c.db");
  auto store = store::open_store(*parse_storage_url(url, why));
  const int64_t now = std::time(nullptr);
  store->begin();
  store->append_step_log({"old", Day(1), 1, "Inventory Refresh", StepStatus::SUCCESS, 1, 0.1, "",
                          format_utc_timestamp(now - 91 * 86400)});
  store->append_step_log({"new", Day(1), 1, "Inventory Refresh", StepStatus::SUCCESS, 1, 0.1, "",
                          format_utc_timestamp(now - 89 * 86400)});
  store->commit();
  testing::internal::CaptureStdout();
  EXPECT_EQ(run_cli({"--storage-url", url, "cleanup"}), kExitOk);
  EXPECT_NE(testing::internal::GetCapturedStdout().find("deleted 1 pipeline log row"),
            std::string::npos);
  EXPECT_TRUE(store->load_step_log("old").empty());
  EXPECT_EQ(store->load_step_log("new").size(), 1u);
}

TEST(Cli, ArchiveMovesOnlyOldRowsAndKeepsBaselineHistory) {
  TempDir dir;
  std::string why;
  const std::string url = "sqlite://" + dir.file("a.db");
  auto store = store::open_store(*parse_storage_url(url, why));
  const Day today = Day::from_unix_seconds(std::time(nullptr));
  auto row = [](Day d, const char* instance) {
    DailyMetric m;
    m.date = d;
    m.instance_id = instance;
    m.metric = "ops_per_sec";
    m.sample_count = m.expected_samples = 288;
    m.source = "simulate";
    return m;
  };
  store->begin();
  store->upsert_daily_metrics(
      std::vector<DailyMetric>{row(today - 100, "a"), row(today - 100, "b"), row(today - 10, "a")});
  store->commit();
  EXPECT_EQ(run_cli({"--storage-url", url, "archive", "--before", (today - 30).str()}), kExitUsage);
  testing::internal::CaptureStdout();
  EXPECT_EQ(run_cli({"--storage-url", url, "archive", "--before", (today - 61).str()}), kExitOk);
  std::string out = testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("infra_metric_daily: moved 2 row(s)"), std::string::npos) << out;
  EXPECT_NE(out.find("archived 2 row(s)"), std::string::npos) << out;
  EXPECT_EQ(store->day_counts(today - 100)["infra_metric_daily"], 0);
  EXPECT_EQ(store->day_counts(today - 10)["infra_metric_daily"], 1);
}

}  // namespace
}  // namespace im::app
