#include <gtest/gtest.h>

#include <filesystem>

#include "store/store.h"
#include "test_util.h"

namespace im::store {
namespace {

using test::TempDir;

const Day kDay = *Day::parse("2026-11-20");

StorageUrl url_of(const std::string& path) {
  std::string why;
  return *parse_storage_url("sqlite://" + path, why);
}

DailyMetric metric(const std::string& instance, const std::string& name, double avg,
                   Day day = kDay) {
  DailyMetric m;
  m.date = day;
  m.service = ServiceType::REDIS;
  m.instance_id = instance;
  m.metric = name;
  m.unit = "percent";
  m.avg = avg;
  m.min = avg - 1;
  m.max = avg + 1;
  m.p95 = avg + 0.5;
  m.sample_count = 288;
  m.expected_samples = 288;
  m.source = "simulate";
  return m;
}

Instance instance(const std::string& id, const std::string& source = "simulate") {
  Instance i;
  i.service = ServiceType::REDIS;
  i.id = id;
  i.name = id;
  i.source = source;
  i.tags["role"] = "cart";
  return i;
}

AlertRow alert(const std::string& severity, double z) {
  AlertRow a;
  a.date = kDay;
  a.service = ServiceType::REDIS;
  a.instance_id = "redis-cart-01";
  a.metric = "memory_usage_pct";
  a.alert_type = "ZSCORE";
  a.severity = severity;
  a.z = z;
  a.message = severity + " redis-cart-01 memory_usage_pct";
  return a;
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

TEST_F(SqliteStoreTest, DailyMetricUpsertsAreIdempotent) {
  std::vector<DailyMetric> rows{metric("redis-cart-01", "memory_usage_pct", 60),
                                metric("redis-cart-02", "memory_usage_pct", 70)};
  store->begin();
  EXPECT_EQ(store->upsert_daily_metrics(rows), 2u);
  store->commit();
  rows[0].avg = 61;
  store->begin();
  store->upsert_daily_metrics(rows);
  store->commit();
  auto back = store->load_daily_metrics(kDay, kDay, {});
  ASSERT_EQ(back.size(), 2u);
  EXPECT_DOUBLE_EQ(back[0].avg, 61);
  EXPECT_EQ(back[0].sample_count, 288);
  EXPECT_EQ(store->day_counts(kDay)["infra_metric_daily"], 2);
}

TEST_F(SqliteStoreTest, LoadFiltersByDateRangeAndService) {
  store->begin();
  std::vector<DailyMetric> rows{metric("a", "m", 1, kDay - 1), metric("a", "m", 2, kDay),
                                metric("a", "m", 3, kDay + 1)};
  rows[1].service = ServiceType::RDS;
  store->upsert_daily_metrics(rows);
  store->commit();
  EXPECT_EQ(store->load_daily_metrics(kDay - 1, kDay, {}).size(), 2u);
  const ServiceType redis[] = {ServiceType::REDIS};
  EXPECT_EQ(store->load_daily_metrics(kDay - 1, kDay + 1, redis).size(), 2u);
}

TEST_F(SqliteStoreTest, RollbackLeavesNothingOfTheStep) {
  store->begin();
  store->upsert_daily_metrics(
      std::vector<DailyMetric>{metric("redis-cart-01", "memory_usage_pct", 60)});
  store->rollback();
  EXPECT_EQ(store->day_counts(kDay)["infra_metric_daily"], 0);
}

TEST_F(SqliteStoreTest, ReRunningADayKeepsAlertAcknowledgements) {
  store->begin();
  store->upsert_alerts(std::vector<AlertRow>{alert("WARNING", 2.4)});
  store->commit();
  auto first = store->load_alerts(kDay);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(store->acknowledge_alerts(AckFilter{.id = first[0].id}, "ops-john", "known batch job"),
            1u);

  store->begin();
  store->upsert_alerts(std::vector<AlertRow>{alert("CRITICAL", 3.6)});
  store->commit();
  auto after = store->load_alerts(kDay);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].id, first[0].id);
  EXPECT_EQ(after[0].severity, "CRITICAL");
  EXPECT_DOUBLE_EQ(*after[0].z, 3.6);
  EXPECT_TRUE(after[0].acknowledged);
  EXPECT_EQ(after[0].acknowledged_by, "ops-john");
  EXPECT_EQ(after[0].notes, "known batch job");
  EXPECT_FALSE(after[0].acknowledged_at.empty());
}

TEST_F(SqliteStoreTest, ActiveAlertsViewListsUnacknowledgedMostSevereFirst) {
  auto warn = alert("WARNING", 2.2);
  auto crit = alert("CRITICAL", 4.0);
  crit.metric = "cpu_user_pct";
  store->begin();
  store->upsert_alerts(std::vector<AlertRow>{warn, crit});
  store->commit();
  auto rows = store->load_alerts(kDay);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].severity, "CRITICAL");
}

TEST_F(SqliteStoreTest, InventoryTracksFirstLastSeenAndDecommissions) {
  const ServiceType redis[] = {ServiceType::REDIS};
  std::vector<Instance> day1{instance("a"), instance("b")}, day2{instance("a")};
  store->begin();
  store->upsert_inventory(day1, kDay);
  store->upsert_inventory(std::vector<Instance>{instance("manual-1", "manual")}, kDay - 5);
  store->commit();
  store->begin();
  store->upsert_inventory(day2, kDay + 1);
  EXPECT_EQ(store->mark_decommissioned(redis, "simulate", kDay + 1), 1u);
  store->commit();

  // Re-running the older day revives nothing and retires nothing.
  store->begin();
  store->upsert_inventory(day1, kDay);
  EXPECT_EQ(store->mark_decommissioned(redis, "simulate", kDay), 0u);
  store->commit();

  std::map<std::string, InventoryRow> by_id;
  for (auto& r : store->load_inventory()) by_id[r.instance.id] = r;
  EXPECT_EQ(by_id["a"].status, "ACTIVE");
  EXPECT_EQ(by_id["a"].first_seen, kDay);
  EXPECT_EQ(by_id["a"].last_seen, kDay + 1);
  EXPECT_EQ(by_id["b"].status, "DECOMMISSIONED");
  EXPECT_EQ(by_id["b"].last_seen, kDay);
  EXPECT_EQ(by_id["manual-1"].status, "ACTIVE");  // operators' rows are kept
  EXPECT_EQ(by_id["a"].instance.tags["role"], "cart");
}

TEST_F(SqliteStoreTest, StepLogRoundTrips) {
  StepLogRow r{"run-1", kDay, 3,      "Redis Metric Collection", "FAILED",
               0,       0.25, "boom", "2026-11-21 06:00:01"};
  store->begin();
  store->append_step_log(r);
  store->commit();
  auto rows = store->load_step_log("run-1");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].error_message, "boom");
  EXPECT_EQ(store->latest_run_id(kDay), "run-1");
}

TEST_F(SqliteStoreTest, RunLockIsExclusiveAndNamesItsHolder) {
  auto lock = store->acquire_run_lock("pid 1 on host-a");
  auto other = open_store(url_of(path));
  try {
    other->acquire_run_lock("pid 2 on host-b");
    FAIL() << "second lock acquired";
  } catch (const LockBusyError& e) {
    EXPECT_NE(std::string(e.what()).find("pid 1 on host-a"), std::string::npos) << e.what();
  }
  lock.reset();
  EXPECT_NO_THROW(other->acquire_run_lock("pid 2 on host-b"));
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
