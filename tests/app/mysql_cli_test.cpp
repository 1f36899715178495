// The program end to end on MariaDB: the demo writes the same rows as on SQLite, two runs
// at once, a wrong password, and the operator commands.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <thread>

#include "app/app.h"
#include "app/run_cli.h"
#include "app/store_digest.h"
#include "app/subprocess.h"
#include "mysql_test_util.h"
#include "store/mysql/connection.h"
#include "store/store.h"
#include "test_util.h"

namespace im::app {
namespace {

using test::digest;

using test::run_cli;
using Clock = std::chrono::steady_clock;

const Day kDay = *Day::parse("2026-11-20");

std::string config_path() {
  return (test::data_dir().parent_path().parent_path() / "config" / "pipeline_config.yaml")
      .string();
}

// Sets DB_PASSWORD for in-process runs, restores it afterwards.
struct PasswordEnv {
  explicit PasswordEnv(const std::string& pw) { setenv("DB_PASSWORD", pw.c_str(), 1); }
  ~PasswordEnv() { unsetenv("DB_PASSWORD"); }
};

TEST(MysqlCli, DemoOnMariaDbWritesExactlyTheRowsOfSqlite) {
  test::TempDir dir;
  test::ScratchDatabase db;
  PasswordEnv pw(test::mariadb().password);
  const std::string sqlite_url = "sqlite://" + dir.file("demo.db");
  for (const std::string& url : {sqlite_url, db.url_text()})
    ASSERT_EQ(
        run_cli({"--config", config_path(), "--storage-url", url, "demo", "--date", kDay.str()}),
        kExitOk)
        << url;
  std::string why;
  auto lite = store::open_store(*parse_storage_url(sqlite_url, why));
  auto maria = db.open();
  auto a = digest(*lite, kDay - 30, kDay), b = digest(*maria, kDay - 30, kDay);
  EXPECT_EQ(a.size(), 6u);
  for (const auto& [table, v] : a) {
    EXPECT_EQ(v.first, b[table].first) << table << ": row counts differ";
    EXPECT_EQ(v.second, b[table].second) << table << ": contents differ";
  }
  EXPECT_GT(a["infra_metric_daily"].first, 30u * 1400);
}

TEST(MysqlCli, TwoRunsAtOnceOneRunsTheOtherExitsThree) {
  test::TempDir dir;
  test::ScratchDatabase db;
  const std::map<std::string, std::string> env = {{"DB_PASSWORD", test::mariadb().password},
                                                  {"IM_STORAGE_URL", db.url_text()}};
  ASSERT_EQ(test::Child({"init-db"}, env, dir.file("init.log")).wait(), kExitOk);
  test::Child first({"run", "--start-date", (kDay - 19).str(), "--end-date", kDay.str()}, env,
                    dir.file("first.log"));
  // Wait until the first run holds the server-side lock.
  const std::string held =
      "SELECT COALESCE(IS_USED_LOCK('infra_monitor:run:" + db.url().database + "'), 0)";
  auto deadline = Clock::now() + std::chrono::seconds(30);
  while (db.count(held) == 0 && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_NE(db.count(held), 0) << test::read_file(dir.file("first.log"));
  EXPECT_EQ(test::Child({"run", "--target-date", kDay.str()}, env, dir.file("second.log")).wait(),
            kExitLocked);
  const std::string second = test::read_file(dir.file("second.log"));
  EXPECT_NE(second.find("another run holds the lock"), std::string::npos) << second;
  EXPECT_NE(second.find("pid"), std::string::npos) << second;  // names the holder
  EXPECT_EQ(first.wait(), kExitOk) << test::read_file(dir.file("first.log"));
  EXPECT_EQ(db.count("SELECT COUNT(DISTINCT run_id) FROM infra_monitoring_pipeline_log"), 20);
}

// The fault matrix on MariaDB (issue #13): a backfill killed (SIGKILL) or stopped (SIGTERM)
// part-way, then run again, leaves every data table exactly as an uninterrupted backfill does,
// and each day's latest run complete. (A connection killed inside a step: mysql_pipeline_test.)
TEST(MysqlCli, AnInterruptedBackfillRunAgainEqualsAnUninterruptedOne) {
  test::TempDir dir;
  const std::vector<std::string> backfill = {"run", "--start-date", (kDay - 24).str(), "--end-date",
                                             kDay.str()};
  auto env_of = [](const test::ScratchDatabase& db) {
    return std::map<std::string, std::string>{{"DB_PASSWORD", test::mariadb().password},
                                              {"IM_STORAGE_URL", db.url_text()},
                                              {"IM_SIMULATE_REDIS_INSTANCES", "10"},
                                              {"IM_SIMULATE_RDS_INSTANCES", "5"}};
  };
  test::ScratchDatabase reference;
  ASSERT_EQ(test::Child(backfill, env_of(reference), dir.file("ref.log")).wait(), kExitOk)
      << test::read_file(dir.file("ref.log"));
  auto expected = digest(*reference.open(), kDay - 24, kDay);
  for (int sig : {SIGKILL, SIGTERM}) {
    test::ScratchDatabase db;
    const std::string log = dir.file("run-" + std::to_string(sig) + ".log");
    {
      test::Child first(backfill, env_of(db), log);
      // Mid-backfill: once 10 of its 25 days are logged (the 11th is then under way).
      auto days_logged = [&]() -> int64_t {
        try {
          return db.count("SELECT COUNT(DISTINCT target_date) FROM infra_monitoring_pipeline_log");
        } catch (const std::exception&) {
          return 0;  // not migrated yet
        }
      };
      auto deadline = Clock::now() + std::chrono::seconds(60);
      while (days_logged() < 10 && Clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      first.signal(sig);
      const int rc = first.wait();
      if (rc == kExitOk) {  // it ended before the signal: nothing to check
        ADD_FAILURE() << "the backfill ended before signal " << sig << "; lengthen it";
        continue;
      }
      EXPECT_EQ(rc, 128 + sig) << test::read_file(log);
    }
    ASSERT_EQ(test::Child(backfill, env_of(db), log).wait(), kExitOk) << test::read_file(log);
    auto got = digest(*db.open(), kDay - 24, kDay);
    for (const auto& [table, v] : expected) {
      if (table == "infra_monitoring_pipeline_log") continue;  // row counts of retirements differ
      EXPECT_EQ(v, got[table]) << table << " after signal " << sig;
    }
    // Each day's latest run (its newest row) completed its 14 steps without a failure.
    EXPECT_EQ(db.count("SELECT COUNT(*) FROM infra_monitoring_pipeline_log l JOIN (SELECT "
                       "target_date, MAX(id) AS last FROM infra_monitoring_pipeline_log GROUP BY "
                       "target_date) x ON x.target_date = l.target_date JOIN "
                       "infra_monitoring_pipeline_log r ON r.id = x.last AND r.run_id = l.run_id "
                       "WHERE l.status <> 'FAILED'"),
              25 * 14);
  }
}

// Issue #13, item 11, on MariaDB: two processes starting at once on an empty database never
// fail (one migrates and runs, the other waits for the migration lock or exits 3).
TEST(MysqlCli, TwoProcessesStartingOnAnEmptyDatabaseNeverFail) {
  test::TempDir dir;
  for (int pair = 0; pair < 4; ++pair) {
    test::ScratchDatabase db;
    const std::map<std::string, std::string> env = {{"DB_PASSWORD", test::mariadb().password},
                                                    {"IM_STORAGE_URL", db.url_text()}};
    const std::vector<std::string> args = {"run", "--target-date", kDay.str(), "--steps", "1"};
    test::Child a(args, env, dir.file("a.log")), b(args, env, dir.file("b.log"));
    const int ra = a.wait(), rb = b.wait();
    EXPECT_TRUE(ra == kExitOk || ra == kExitLocked) << ra << test::read_file(dir.file("a.log"));
    EXPECT_TRUE(rb == kExitOk || rb == kExitLocked) << rb << test::read_file(dir.file("b.log"));
    EXPECT_TRUE(ra == kExitOk || rb == kExitOk);
    auto store = db.open();
    EXPECT_EQ(store->schema_version(), store->latest_schema_version());
  }
}

TEST(MysqlCli, WrongPasswordExitsOneQuicklyWithoutShowingIt) {
  test::TempDir dir;
  test::ScratchDatabase db;
  const std::string secret = "Wr0ng-pw-for-the-test";
  auto t0 = Clock::now();
  int rc =
      test::Child({"run", "--target-date", kDay.str()},
                  {{"DB_PASSWORD", secret}, {"IM_STORAGE_URL", db.url_text()}}, dir.file("out.log"))
          .wait();
  auto took = Clock::now() - t0;
  const std::string out = test::read_file(dir.file("out.log"));
  EXPECT_EQ(rc, kExitFailed) << out;
  EXPECT_LT(took, std::chrono::seconds(5));
  EXPECT_NE(out.find("Access denied"), std::string::npos) << out;
  EXPECT_EQ(out.find(secret), std::string::npos) << out;
}

TEST(MysqlCli, OperatorCommandsWorkOnMariaDb) {
  test::ScratchDatabase db;
  PasswordEnv pw(test::mariadb().password);
  const std::string url = db.url_text();
  const Day yesterday = Day::from_unix_seconds(std::time(nullptr)) - 1;
  ASSERT_EQ(run_cli({"--config", config_path(), "--storage-url", url, "demo", "--days", "20"}),
            kExitOk);
  EXPECT_EQ(run_cli({"--storage-url", url, "status"}), kExitOk);
  EXPECT_EQ(run_cli({"--storage-url", url, "status", "--format", "json"}), kExitOk);

  const std::string open_sql =
      "SELECT COUNT(*) FROM infra_anomaly_alerts WHERE acknowledged = 0 AND alert_date = '" +
      yesterday.str() + "'";
  const int64_t open_before = db.count(open_sql);
  ASSERT_GT(open_before, 0);
  const std::string instance = db.admin().scalar(
      "SELECT instance_id FROM infra_anomaly_alerts WHERE acknowledged = 0 ORDER BY id LIMIT 1");
  EXPECT_EQ(run_cli({"--storage-url", url, "ack", "--instance", instance, "--by", "ops-jane",
                     "--note", "known"}),
            kExitOk);
  EXPECT_EQ(db.count("SELECT COUNT(*) FROM infra_anomaly_alerts WHERE instance_id = '" + instance +
                     "' AND acknowledged = 0"),
            0);
  EXPECT_EQ(db.count("SELECT COUNT(*) FROM v_active_anomaly_alerts WHERE instance_id = '" +
                     instance + "'"),
            0);
  EXPECT_EQ(run_cli({"--storage-url", url, "ack", "--severity", "INFO", "--older-than", "1d",
                     "--by", "ops-jane"}),
            kExitOk);
  EXPECT_EQ(db.count("SELECT COUNT(*) FROM infra_anomaly_alerts WHERE severity = 'INFO' AND "
                     "acknowledged = 0 AND alert_date < '" +
                     (yesterday).str() + "'"),
            0);

  EXPECT_EQ(run_cli({"--storage-url", url, "cleanup", "--keep-days", "1"}), kExitOk);
  EXPECT_EQ(run_cli({"--storage-url", url, "archive", "--before", (yesterday - 70).str()}),
            kExitOk);
  EXPECT_EQ(run_cli({"--storage-url", url, "partitions"}), kExitFailed);  // not partitioned yet
  EXPECT_EQ(run_cli({"--storage-url", url, "partitions", "--create"}), kExitOk);
  EXPECT_GT(db.count("SELECT COUNT(*) FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = "
                     "DATABASE() AND TABLE_NAME = 'infra_metric_daily' AND PARTITION_NAME IS NOT "
                     "NULL"),
            2);
  // The pipeline runs on the partitioned tables as before.
  EXPECT_EQ(run_cli({"--storage-url", url, "run", "--target-date", yesterday.str()}), kExitOk);
}

}  // namespace
}  // namespace im::app
