#include <gtest/gtest.h>

#include <sqlite3.h>

#include <filesystem>

#include "store/store.h"
#include "store/store_rows.h"
#include "test_util.h"

namespace im::store {
namespace {

using namespace test_rows;
using test::TempDir;

StorageUrl url_of(const std::string& path) {
  std::string why;
  return *parse_storage_url("sqlite://" + path, why);
}

class SqliteStoreTest : public testing::Test {
 protected:
  TempDir dir;
  std::string path = dir.file("sub/dir/im.db");
  std::unique_ptr<Store> store = open_store(url_of(path));
};

TEST_F(SqliteStoreTest, CreatesFoldersAndMigratesToTheLatestVersionOnce) {
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_EQ(store->schema_version(), store->latest_schema_version());
  EXPECT_GE(store->latest_schema_version(), 1);
  EXPECT_EQ(store->migrate(), 0);
  auto again = open_store(url_of(path));
  EXPECT_EQ(again->schema_version(), store->latest_schema_version());
}

TEST_F(SqliteStoreTest, HasNoPartitionsToMaintain) {
  EXPECT_EQ(store->partitions(), nullptr);  // a capability SQLite does not offer
}

TEST(SqliteStoreDryRun, CreatesNothingOnDiskAndKeepsNothing) {
  TempDir dir;
  std::string path = dir.file("none.db");
  auto store = open_store(url_of(path), OpenMode::DRY_RUN);
  store->begin();
  store->upsert_daily_metrics(std::vector<DailyMetric>{metric("a", "m", 1)});
  store->commit();  // a dry-run store rolls back
  EXPECT_EQ(store->day_counts(kDay)["infra_metric_daily"], 0);
  EXPECT_FALSE(std::filesystem::exists(path));
}

// Issue #14: a database written by the release before the alert key held service_type
// (tests/data/store/README.md says how it was made) is migrated in place: every row and id is
// kept, operators' acknowledgements too, and alerts of two services with the same instance id
// no longer overwrite each other.
TEST(SqliteUpgrade, AReleaseDatabaseKeepsEveryAlertAndGetsTheServiceInTheAlertKey) {
  TempDir dir;
  const std::string path = dir.file("release.db");
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    const std::string dump =
        test::read_gzip(std::string(IM_TEST_DATA_DIR) + "/store/release-f3b5262.sqlite.sql.gz");
    char* err = nullptr;
    ASSERT_EQ(sqlite3_exec(db, dump.c_str(), nullptr, nullptr, &err), SQLITE_OK) << err;
    // An operator acknowledged one alert before the upgrade.
    ASSERT_EQ(sqlite3_exec(db,
                           "UPDATE infra_anomaly_alerts SET acknowledged = 1, acknowledged_by = "
                           "'ops-jane', notes = 'known' WHERE id = (SELECT MIN(id) FROM "
                           "infra_anomaly_alerts)",
                           nullptr, nullptr, &err),
              SQLITE_OK)
        << err;
    sqlite3_close(db);
  }
  const Day first = *Day::parse("2026-11-10"), last = *Day::parse("2026-11-20");
  auto store = open_store(url_of(path));
  EXPECT_EQ(store->schema_version(), store->latest_schema_version());
  std::vector<Alert> alerts;
  for (Day d = first; d <= last; ++d)
    for (auto& a : store->load_alerts(d)) alerts.push_back(std::move(a));
  ASSERT_EQ(alerts.size(), 15u);  // what the release wrote
  const Alert* acked = nullptr;
  for (const auto& a : alerts)
    if (!acked || a.id < acked->id) acked = &a;
  EXPECT_TRUE(acked->acknowledged);
  EXPECT_EQ(acked->acknowledged_by, "ops-jane");
  EXPECT_EQ(acked->notes, "known");
  EXPECT_EQ(store->day_counts(last)["infra_metric_daily"], 25);

  // The same instance id, metric, type and day under another service is another alert.
  Alert twin = *acked;
  twin.service = twin.service == ServiceType::REDIS ? ServiceType::RDS : ServiceType::REDIS;
  twin.message = "twin";
  {
    Transaction tx(*store);
    store->upsert_alerts(std::vector<Alert>{twin});
    store->upsert_alerts(std::vector<Alert>{twin});  // still one row per key
    tx.commit();
  }
  auto day = store->load_alerts(acked->date);
  size_t same_id = 0;
  for (const auto& a : day)
    if (a.instance_id == acked->instance_id && a.metric == acked->metric &&
        a.alert_type == acked->alert_type)
      ++same_id;
  EXPECT_EQ(same_id, 2u);
  for (const auto& a : day)
    if (a.id == acked->id) {
      EXPECT_EQ(a.message, acked->message);  // untouched by its twin
      EXPECT_TRUE(a.acknowledged);
    }
}

}  // namespace
}  // namespace im::store
