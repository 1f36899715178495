#include <gtest/gtest.h>

#include <vector>

#include "app/app.h"
#include "store/store.h"
#include "test_util.h"
#include "app/run_cli.h"

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
  auto bad = (test::data_dir() / "config" / "bad" / "sigma_warning_not_below_critical.yaml").string();
  EXPECT_EQ(run_cli({"--config", bad, "--storage-url", "sqlite://" + dir.file("x.db"), "init-db"}), kExitUsage);
  EXPECT_EQ(run_cli({"--config", dir.file("missing.yaml"), "init-db"}), kExitUsage);
  EXPECT_EQ(run_cli({"--storage-url", "mysql://u@h:3306/d", "init-db"}), kExitUsage);
  EXPECT_EQ(run_cli({"--log-format", "xml", "--storage-url", "sqlite://" + dir.file("x.db"), "init-db"}), kExitUsage);
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
  EXPECT_EQ(run_cli({"--storage-url", "sqlite://" + db, "run", "--dry-run", "--target-date", yesterday()}), kExitOk);
  EXPECT_FALSE(std::filesystem::exists(db));
}

TEST(Cli, RunOnTheSimulatedFleetSucceeds) {
  TempDir dir;
  std::string db = dir.file("run.db");
  EXPECT_EQ(run_cli({"--storage-url", "sqlite://" + db, "run", "--service-type", "REDIS"}), kExitOk);
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

TEST(Redact, ReplacesEverySecretOccurrence) {
  EXPECT_EQ(redact("user=a password=s3cret again s3cret", {"s3cret"}), "user=a password=*** again ***");
  EXPECT_EQ(redact("nothing here", {"", "x1y2"}), "nothing here");
}

}  // namespace
}  // namespace im::app
