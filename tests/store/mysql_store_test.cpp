// What only the MySQL/MariaDB backend has: connection errors, TLS settings, re-runnable
// migrations, the cleanup EVENT and month partitions. Against the harness's MariaDB.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "mysql_test_util.h"
#include "store/migrations.h"
#include "store/store.h"
#include "store/store_rows.h"
#include "test_util.h"

namespace im::store {
namespace {

using namespace test_rows;
using Clock = std::chrono::steady_clock;

TEST(MysqlStore, WrongPasswordFailsAtOnceWithoutShowingIt) {
  test::ScratchDatabase db;
  MysqlOptions o = test::mariadb_options();
  o.password = "not-the-password-7f3a";
  o.connect_retries = 3;  // must not be used: a refused login is not worth retrying
  auto t0 = Clock::now();
  try {
    open_store(db.url(), OpenMode::READ_WRITE, o);
    FAIL() << "opened with a wrong password";
  } catch (const TransientError& e) {
    FAIL() << "a refused login was treated as transient: " << e.what();
  } catch (const StoreError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("Access denied"), std::string::npos) << msg;
    EXPECT_NE(msg.find("DB_PASSWORD"), std::string::npos) << msg;
    EXPECT_EQ(msg.find(o.password), std::string::npos) << msg;
  }
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(5));
}

// Issue #13, item 12: lock names were cut at 64 characters, so two databases sharing their
// first 46 characters shared a run lock.
TEST(MysqlStore, DatabasesSharingALongPrefixHaveRunLocksOfTheirOwn) {
  test::ScratchDatabase admin;
  const std::string prefix = "im_long_" + std::to_string(getpid()) + "_" + std::string(40, 'p');
  std::vector<std::unique_ptr<Store>> stores;
  for (const char* tail : {"_one", "_two"}) {
    StorageUrl url = admin.url();
    url.database = prefix.substr(0, 60) + tail;
    admin.admin().query("DROP DATABASE IF EXISTS " + url.database);
    admin.admin().query("CREATE DATABASE " + url.database);
    stores.push_back(open_store(url, OpenMode::READ_WRITE, test::mariadb_options()));
  }
  auto first = stores[0]->acquire_run_lock("pid 1 on a");
  EXPECT_NO_THROW(stores[1]->acquire_run_lock("pid 2 on b"));
  EXPECT_EQ(stores[1]->run_lock_holder(), "");
  EXPECT_NE(stores[0]->run_lock_holder(), "");
  first.reset();
  stores.clear();
  for (const char* tail : {"_one", "_two"})
    admin.admin().query("DROP DATABASE IF EXISTS " + prefix.substr(0, 60) + tail);
}

// Issue #13, item 20: a database holding foreign tables of the same names failed the first
// migration with a multi-line message and was left with tables half-created.
TEST(MysqlStore, ForeignTablesOfTheSameNamesAreRefusedAndNothingIsCreated) {
  test::ScratchDatabase db;
  db.admin().query("CREATE TABLE infra_metric_daily (id INT PRIMARY KEY, note TEXT)");
  try {
    db.open();
    FAIL() << "migrated around a foreign table";
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("has no infra-monitor schema but already holds infra_metric_daily"),
              std::string::npos)
        << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
  EXPECT_EQ(db.count("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                     "DATABASE() AND TABLE_NAME <> 'schema_version'"),
            1);
}

// Issue #13, item 7: a schema newer than the program's was used silently.
TEST(MysqlStore, ASchemaNewerThanTheProgramIsRefused) {
  test::ScratchDatabase db;
  db.open();
  db.admin().query("INSERT INTO schema_version VALUES (99, 'from the future', UTC_TIMESTAMP())");
  try {
    db.open();
    FAIL() << "opened a schema of version 99";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("has schema version 99, newer than this program's"),
              std::string::npos)
        << e.what();
  }
}

TEST(MysqlStore, UnreachableServerIsTransientAndNamed) {
  StorageUrl url = test::mariadb().url;
  url.port = 1;  // nothing listens there
  MysqlOptions o = test::mariadb_options();
  try {
    open_store(url, OpenMode::READ_WRITE, o);
    FAIL() << "connected to port 1";
  } catch (const TransientError& e) {
    EXPECT_NE(std::string(e.what()).find("127.0.0.1:1/"), std::string::npos) << e.what();
  }
}

TEST(MysqlStore, MissingDatabaseSaysToCreateIt) {
  StorageUrl url = test::mariadb().url;
  url.database = "im_no_such_database";
  try {
    open_store(url, OpenMode::READ_WRITE, test::mariadb_options());
    FAIL() << "opened a missing database";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("CREATE DATABASE"), std::string::npos) << e.what();
  }
}

TEST(MysqlStore, TlsRequiredAgainstAServerWithoutTlsIsRefused) {
  test::ScratchDatabase db;
  MysqlOptions o = test::mariadb_options();
  o.ssl_mode = TlsMode::REQUIRED;
  EXPECT_THROW(open_store(db.url(), OpenMode::READ_WRITE, o), StoreError);
  o.ssl_mode = TlsMode::DISABLED;
  EXPECT_NO_THROW(open_store(db.url(), OpenMode::READ_WRITE, o));
}

TEST(MysqlStore, MigrationsResumeAfterAnInterruptedOne) {
  test::ScratchDatabase db;
  auto store = db.open();
  const int latest = store->latest_schema_version();
  // As if the last migration had failed half-way: its tables exist, its version row not.
  db.admin().query("DELETE FROM schema_version WHERE version = " + std::to_string(latest));
  auto again = db.open();
  EXPECT_EQ(again->schema_version(), latest);
  EXPECT_EQ(db.count("SELECT COUNT(*) FROM schema_version"), latest);
}

// Issue #14: a database written by the release before the alert key held service_type
// (tests/data/store/README.md) is migrated in place: every row and id kept, acknowledgements
// too, and alerts of two services with the same instance id no longer overwrite each other.
TEST(MysqlStore, AReleaseDatabaseKeepsEveryAlertAndGetsTheServiceInTheAlertKey) {
  test::ScratchDatabase db;
  const auto& server = test::mariadb();
  // Loaded with the mariadb client, as an operator restores a dump.
  const std::string load = "gzip -dc '" + std::string(IM_TEST_DATA_DIR) +
                           "/store/release-f3b5262.mysql.sql.gz' | MYSQL_PWD='" + server.password +
                           "' mariadb --protocol=TCP -h " + server.url.host + " -P " +
                           std::to_string(server.url.port) + " -u " + server.url.user + " " +
                           db.url().database;
  ASSERT_EQ(std::system(load.c_str()), 0) << load;
  ASSERT_EQ(db.count("SELECT MAX(version) FROM schema_version"), 4);
  db.admin().query(
      "UPDATE infra_anomaly_alerts SET acknowledged = 1, acknowledged_by = 'ops-jane', notes = "
      "'known' ORDER BY id LIMIT 1");
  auto store = db.open();
  EXPECT_EQ(store->schema_version(), store->latest_schema_version());
  expect_release_alerts_upgraded(*store);
  EXPECT_EQ(db.count("SELECT COUNT(*) FROM infra_anomaly_alerts"), 16);
}

TEST(MysqlStore, DryRunRefusesAnOldSchemaAndCreatesNothing) {
  test::ScratchDatabase db;
  EXPECT_THROW(db.open(OpenMode::DRY_RUN), StoreError);
  EXPECT_EQ(db.count("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                     "DATABASE()"),
            0);
}

TEST(MysqlStore, CleanupEventRunsDailyAtFiveAndDeletesOldLogRows) {
  test::ScratchDatabase db;
  auto store = db.open();
  auto ev = db.admin().query(
      "SELECT INTERVAL_VALUE, INTERVAL_FIELD, TIME(STARTS), STATUS, TIME_ZONE FROM "
      "information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE() AND EVENT_NAME = "
      "'evt_cleanup_pipeline_log'");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(*ev[0][0], "1");
  EXPECT_EQ(*ev[0][1], "DAY");
  EXPECT_EQ(*ev[0][2], "05:00:00");
  EXPECT_EQ(*ev[0][3], "ENABLED");
  EXPECT_EQ(*ev[0][4], "+00:00");
  store->begin();
  store->append_step_log({"old", kDay, 1, "Inventory Refresh", StepStatus::SUCCESS, 1, 0, "",
                          format_utc_timestamp(std::time(nullptr) - 91 * 86400)});
  store->append_step_log({"new", kDay, 1, "Inventory Refresh", StepStatus::SUCCESS, 1, 0, "",
                          format_utc_timestamp(std::time(nullptr) - 89 * 86400)});
  store->commit();
  // Fire the event now instead of at 05:00 (same body, one-off schedule).
  db.admin().query(
      "ALTER EVENT evt_cleanup_pipeline_log ON SCHEDULE AT UTC_TIMESTAMP() + INTERVAL 1 SECOND "
      "ON COMPLETION PRESERVE");
  auto deadline = Clock::now() + std::chrono::seconds(20);
  while (db.count("SELECT COUNT(*) FROM infra_monitoring_pipeline_log WHERE run_id = 'old'") > 0 &&
         Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(db.count("SELECT COUNT(*) FROM infra_monitoring_pipeline_log WHERE run_id = 'old'"), 0)
      << "the event did not delete the 91-day-old row (is event_scheduler ON?)";
  EXPECT_EQ(db.count("SELECT COUNT(*) FROM infra_monitoring_pipeline_log WHERE run_id = 'new'"), 1);
}

std::vector<std::string> partitions_of(test::ScratchDatabase& db, const std::string& table) {
  std::vector<std::string> out;
  for (auto& row : db.admin().query(
           "SELECT PARTITION_NAME FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = "
           "DATABASE() AND TABLE_NAME = '" +
           table + "' ORDER BY PARTITION_ORDINAL_POSITION"))
    if (row[0]) out.push_back(*row[0]);
  return out;
}

TEST(MysqlStore, PartitionScriptThenMaintenanceAddsMonthsAhead) {
  test::ScratchDatabase db;
  auto store = db.open();
  store->begin();
  store->upsert_daily_metrics(std::vector<DailyMetric>{metric("a", "m", 1, kDay)});
  store->commit();
  // The script as a DBA would run it, statement by statement.
  for (const auto& stmt : split_sql_statements(
           test::read_file(std::string(IM_SOURCE_DIR) + "/sql/mysql/partition_by_month.sql")))
    db.admin().query(stmt);
  EXPECT_EQ(partitions_of(db, "infra_metric_daily"),
            (std::vector<std::string>{"p_history", "p202611", "p202612", "p_future"}));

  const Day today = *Day::parse("2026-12-15");
  auto rep = store->partitions()->maintain_partitions(today, 2, false);
  ASSERT_EQ(rep.size(), 2u);
  EXPECT_EQ(rep[0].added, (std::vector<std::string>{"p202701", "p202702"}));
  EXPECT_EQ(partitions_of(db, "infra_anomaly_scores"),
            (std::vector<std::string>{"p_history", "p202611", "p202612", "p202701", "p202702",
                                      "p_future"}));
  EXPECT_TRUE(
      store->partitions()->maintain_partitions(today, 2, false)[0].added.empty());  // idempotent

  // Rows land in their month, and the store reads across partitions as before.
  store->begin();
  store->upsert_daily_metrics(
      std::vector<DailyMetric>{metric("a", "m", 2, *Day::parse("2027-02-03"))});
  store->commit();
  EXPECT_EQ(db.count("SELECT COUNT(*) FROM infra_metric_daily PARTITION (p202702)"), 1);
  EXPECT_EQ(db.count("SELECT COUNT(*) FROM infra_metric_daily PARTITION (p202611)"), 1);
  EXPECT_EQ(store->load_daily_metrics(kDay, *Day::parse("2027-12-31"), {}).size(), 2u);
}

TEST(MysqlStore, PartitionCreateStartsAtTheOldestMonth) {
  test::ScratchDatabase db;
  auto store = db.open();
  auto untouched = store->partitions()->maintain_partitions(kDay, 1, false);
  EXPECT_FALSE(untouched[0].partitioned);
  store->begin();
  store->upsert_daily_metrics(
      std::vector<DailyMetric>{metric("a", "m", 1, *Day::parse("2026-09-30"))});
  store->commit();
  auto rep = store->partitions()->maintain_partitions(kDay, 1, true);
  EXPECT_TRUE(rep[0].partitioned);
  EXPECT_EQ(partitions_of(db, "infra_metric_daily"),
            (std::vector<std::string>{"p_history", "p202609", "p202610", "p202611", "p202612",
                                      "p_future"}));
  EXPECT_EQ(db.count("SELECT COUNT(*) FROM infra_metric_daily PARTITION (p202609)"), 1);
}

}  // namespace
}  // namespace im::store
