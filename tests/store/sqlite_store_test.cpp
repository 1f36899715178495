#include <gtest/gtest.h>

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
  EXPECT_THROW(store->maintain_partitions(kDay, 2, true), UsageError);
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

}  // namespace
}  // namespace im::store
