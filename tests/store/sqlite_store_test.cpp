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
  auto store = open_store(url_of(path));
  EXPECT_EQ(store->schema_version(), store->latest_schema_version());
  EXPECT_EQ(store->day_counts(*Day::parse("2026-11-20"))["infra_metric_daily"], 25);
  expect_release_alerts_upgraded(*store);
}

}  // namespace
}  // namespace im::store
