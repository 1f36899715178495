// The store contract, run unchanged against both backends: SQLite (a file in a temporary
// folder) and MariaDB (a scratch database on the server the test harness started).
#include <gtest/gtest.h>

#include <map>

#include "core/text_safety.h"
#include "mysql_test_util.h"
#include "store/store.h"
#include "store/store_rows.h"
#include "test_util.h"

namespace im::store {
namespace {

using namespace test_rows;

class StoreSuite : public testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "mariadb") mysql_ = std::make_unique<test::ScratchDatabase>();
    store = reopen();
  }
  std::unique_ptr<Store> reopen(OpenMode mode = OpenMode::READ_WRITE) {
    if (mysql_) return mysql_->open(mode);
    std::string why;
    return open_store(*parse_storage_url("sqlite://" + dir_.file("im.db"), why), mode);
  }

  test::TempDir dir_;
  std::unique_ptr<test::ScratchDatabase> mysql_;
  std::unique_ptr<Store> store;
};

INSTANTIATE_TEST_SUITE_P(Backends, StoreSuite, testing::Values("sqlite", "mariadb"),
                         [](const auto& info) { return info.param; });

TEST_P(StoreSuite, MigratesToTheLatestVersionOnce) {
  EXPECT_EQ(store->schema_version(), store->latest_schema_version());
  EXPECT_GE(store->latest_schema_version(), 2);
  EXPECT_EQ(store->migrate(), 0);
  EXPECT_EQ(reopen()->schema_version(), store->latest_schema_version());
}

TEST_P(StoreSuite, DailyMetricUpsertsAreIdempotent) {
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

TEST_P(StoreSuite, LoadFiltersByDateRangeAndService) {
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

TEST_P(StoreSuite, RollbackLeavesNothingOfTheStep) {
  store->begin();
  store->upsert_daily_metrics(
      std::vector<DailyMetric>{metric("redis-cart-01", "memory_usage_pct", 60)});
  store->rollback();
  EXPECT_EQ(store->day_counts(kDay)["infra_metric_daily"], 0);
}

TEST_P(StoreSuite, ReRunningADayKeepsAlertAcknowledgements) {
  store->begin();
  store->upsert_alerts(std::vector<Alert>{alert("WARNING", 2.4)});
  store->commit();
  auto first = store->load_alerts(kDay);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(store->acknowledge_alerts(AckFilter{.id = first[0].id}, "ops-john", "known batch job"),
            1u);

  store->begin();
  store->upsert_alerts(std::vector<Alert>{alert("CRITICAL", 3.6)});
  store->commit();
  auto after = store->load_alerts(kDay);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].id, first[0].id);
  EXPECT_EQ(after[0].severity, Severity::CRITICAL);
  EXPECT_DOUBLE_EQ(*after[0].z, 3.6);
  EXPECT_TRUE(after[0].acknowledged);
  EXPECT_EQ(after[0].acknowledged_by, "ops-john");
  EXPECT_EQ(after[0].notes, "known batch job");
  EXPECT_FALSE(after[0].acknowledged_at.empty());
}

TEST_P(StoreSuite, ActiveAlertsViewListsUnacknowledgedMostSevereFirst) {
  auto warn = alert("WARNING", 2.2);
  auto crit = alert("CRITICAL", 4.0);
  crit.metric = "cpu_user_pct";
  store->begin();
  store->upsert_alerts(std::vector<Alert>{warn, crit});
  store->commit();
  auto rows = store->load_alerts(kDay);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].severity, Severity::CRITICAL);
}

TEST_P(StoreSuite, InventoryTracksFirstLastSeenAndDecommissions) {
  const ServiceType redis[] = {ServiceType::REDIS};
  std::vector<Instance> day1{instance("a"), instance("b")}, day2{instance("a")};
  store->begin();
  store->upsert_inventory(day1, kDay);
  store->upsert_inventory(std::vector<Instance>{instance("manual-1", "manual")}, kDay - 5);
  store->commit();
  store->begin();
  store->upsert_inventory(day2, kDay + 1);
  EXPECT_EQ(store->mark_decommissioned(redis, "simulate", kDay + 1, 0), 1u);
  store->commit();

  // Re-running the older day revives nothing and retires nothing.
  store->begin();
  store->upsert_inventory(day1, kDay);
  EXPECT_EQ(store->mark_decommissioned(redis, "simulate", kDay, 0), 0u);
  store->commit();

  std::map<std::string, InventoryRow> by_id;
  for (auto& r : store->load_inventory()) by_id[r.instance.id] = r;
  EXPECT_EQ(by_id["a"].status, InstanceStatus::ACTIVE);
  EXPECT_EQ(by_id["a"].first_seen, kDay);
  EXPECT_EQ(by_id["a"].last_seen, kDay + 1);
  EXPECT_EQ(by_id["b"].status, InstanceStatus::DECOMMISSIONED);
  EXPECT_EQ(by_id["b"].last_seen, kDay);
  EXPECT_EQ(by_id["manual-1"].status, InstanceStatus::ACTIVE);  // operators' rows are kept
  EXPECT_EQ(by_id["a"].instance.tags["role"], "cart");
}

TEST_P(StoreSuite, DecommissioningWaitsForTheGracePeriod) {
  const ServiceType redis[] = {ServiceType::REDIS};
  store->begin();
  store->upsert_inventory(
      std::vector<Instance>{instance("a", "prometheus"), instance("b", "prometheus")}, kDay);
  store->upsert_inventory(std::vector<Instance>{instance("a", "prometheus")}, kDay + 7);
  EXPECT_EQ(store->mark_decommissioned(redis, "prometheus", kDay + 7, 7), 0u);  // 7 days unseen
  store->upsert_inventory(std::vector<Instance>{instance("a", "prometheus")}, kDay + 8);
  EXPECT_EQ(store->mark_decommissioned(redis, "prometheus", kDay + 8, 7), 1u);  // 8 days
  store->commit();
  for (const auto& r : store->load_inventory())
    EXPECT_EQ(r.status,
              r.instance.id == "b" ? InstanceStatus::DECOMMISSIONED : InstanceStatus::ACTIVE)
        << r.instance.id;
}

TEST_P(StoreSuite, StepLogRoundTrips) {
  StepLogRow r{"run-1", kDay, 3,      "Redis Metric Collection", StepStatus::FAILED,
               0,       0.25, "boom", "2026-11-21 06:00:01"};
  store->begin();
  store->append_step_log(r);
  store->commit();
  auto rows = store->load_step_log("run-1");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].error_message, "boom");
  EXPECT_EQ(store->latest_run_id(kDay), "run-1");
}

// Issue #13, item 4: one limit for both stores. The source boundary refuses ids over 255
// characters; every id within it is kept whole by both (MariaDB counts characters, not bytes).
TEST_P(StoreSuite, AnIdentifierOf255CharactersIsStoredWhole) {
  std::string id;
  for (int i = 0; i < 255; ++i) id += "\xc3\xa9";  // 255 characters, 510 bytes
  ASSERT_EQ(identifier_problem(id), "");
  Instance i = instance(id, "prometheus");
  store->begin();
  store->upsert_inventory(std::vector<Instance>{i}, kDay);
  store->upsert_daily_metrics(std::vector<DailyMetric>{metric(id, "ops_per_sec", 1.0)});
  store->commit();
  auto inv = store->load_inventory();
  ASSERT_EQ(inv.size(), 1u);
  EXPECT_EQ(inv[0].instance.id, id);
  auto rows = store->load_daily_metrics(kDay, kDay, {});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].instance_id, id);
}

TEST_P(StoreSuite, RunLockIsExclusiveAndNamesItsHolder) {
  auto lock = store->acquire_run_lock("pid 1 on host-a");
  auto other = reopen();
  try {
    other->acquire_run_lock("pid 2 on host-b");
    FAIL() << "second lock acquired";
  } catch (const LockBusyError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("pid 1 on host-a since "), std::string::npos) << msg;
    // Issue #13, item 12: the holder message said "since ... since ...".
    EXPECT_EQ(msg.find("since"), msg.rfind("since")) << msg;
  }
  EXPECT_NE(other->run_lock_holder().find("pid 1 on host-a since "), std::string::npos);
  lock.reset();
  EXPECT_EQ(other->run_lock_holder(), "");
  EXPECT_NO_THROW(other->acquire_run_lock("pid 2 on host-b"));
}

TEST_P(StoreSuite, AcknowledgeFiltersCombine) {
  auto info_old = alert("INFO", 1.0), info_new = alert("INFO", 1.1), warn = alert("WARNING", 2.5);
  info_old.date = kDay - 10;
  info_new.metric = "cpu_user_pct";
  warn.metric = "connected_clients";
  warn.instance_id = "redis-cart-02";
  store->begin();
  store->upsert_alerts(std::vector<Alert>{info_old, info_new, warn});
  store->commit();
  EXPECT_EQ(store->acknowledge_alerts(AckFilter{.severity = Severity::INFO, .before = kDay - 7},
                                      "bot", ""),
            1u);
  EXPECT_EQ(store->acknowledge_alerts(AckFilter{.instance_id = "redis-cart-02"}, "ops", "noted"),
            1u);
  EXPECT_EQ(store->acknowledge_alerts(AckFilter{.instance_id = "redis-cart-02"}, "ops", ""), 0u);
  auto rows = store->load_alerts(kDay);
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& r : rows) EXPECT_EQ(r.acknowledged, r.instance_id == "redis-cart-02");
}

TEST_P(StoreSuite, StaleAlertsAreRemovedUnlessAnOperatorTouchedThem) {
  auto a = alert("WARNING", 2.5), b = alert("WARNING", 2.6), c = alert("INFO", 1.2);
  b.metric = "cpu_user_pct";
  c.metric = "connected_clients";
  store->begin();
  store->upsert_alerts(std::vector<Alert>{a, b, c});
  store->commit();
  auto rows = store->load_alerts(kDay);
  int64_t id_c = 0;
  for (const auto& r : rows)
    if (r.metric == "connected_clients") id_c = r.id;
  store->acknowledge_alerts(AckFilter{.id = id_c}, "ops", "");
  store->begin();
  const ServiceType redis[] = {ServiceType::REDIS};
  EXPECT_EQ(store->delete_stale_alerts(
                kDay, redis,
                std::vector<AlertKey>{{{ServiceType::REDIS, "redis-cart-01", "memory_usage_pct"},
                                       AlertType::ZSCORE}}),
            1u);
  store->commit();
  EXPECT_EQ(store->load_alerts(kDay).size(), 2u);
}

TEST_P(StoreSuite, StatusQueriesSeeRunsFailuresAndFreshness) {
  store->begin();
  store->append_step_log({"run-a", kDay, 1, "Inventory Refresh", StepStatus::SUCCESS, 138, 0.1, "",
                          "2026-11-21 06:00:00"});
  store->append_step_log({"run-a", kDay, 3, "Redis Metric Collection", StepStatus::FAILED, 0, 0.2,
                          "boom", "2026-11-21 06:00:05"});
  store->append_step_log({"run-b", kDay + 1, 1, "Inventory Refresh", StepStatus::SUCCESS, 140, 0.1,
                          "", "2026-11-22 06:00:00"});
  store->upsert_daily_metrics(std::vector<DailyMetric>{metric("a", "m", 1, kDay + 1)});
  store->commit();
  auto runs = store->recent_runs(5);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].run_id, "run-b");
  EXPECT_EQ(runs[1].started_at, "2026-11-21 06:00:00");
  EXPECT_EQ(runs[1].finished_at, "2026-11-21 06:00:05");
  EXPECT_EQ(runs[1].succeeded, 1);
  EXPECT_EQ(runs[1].failed, 1);
  EXPECT_EQ(runs[1].rows, 138);
  EXPECT_EQ(store->last_success_at(), "2026-11-22 06:00:00");
  auto failed = store->failed_steps_since("2026-11-21 00:00:00");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].error_message, "boom");
  EXPECT_TRUE(store->failed_steps_since("2026-11-22 00:00:00").empty());
  auto latest = store->latest_dates();
  EXPECT_EQ(latest["infra_metric_daily"], kDay + 1);
  EXPECT_FALSE(latest["infra_health_scores"].has_value());
  store->begin();
  EXPECT_EQ(store->delete_step_log_before("2026-11-22 00:00:00"), 2u);
  store->commit();
  EXPECT_EQ(store->recent_runs(5).size(), 1u);
}

TEST_P(StoreSuite, ArchiveMovesOldRowsAndVerifiesCounts) {
  store->begin();
  store->upsert_daily_metrics(std::vector<DailyMetric>{
      metric("a", "m", 1, kDay - 2), metric("a", "m", 2, kDay - 1), metric("a", "m", 3, kDay)});
  store->commit();
  store->begin();
  EXPECT_EQ(store->archive_rows("infra_metric_daily", kDay - 1), 1);
  store->commit();
  EXPECT_EQ(store->day_counts(kDay - 2)["infra_metric_daily"], 0);
  // History reads see the archive (a recompute of a kept day reads back past the cut).
  auto values = [&] {
    std::vector<std::pair<Day, double>> out;
    for (const auto& m : store->load_daily_metrics(kDay - 5, kDay, {}))
      out.push_back({m.date, m.avg});
    return out;
  };
  using V = std::vector<std::pair<Day, double>>;
  EXPECT_EQ(values(), (V{{kDay - 2, 1}, {kDay - 1, 2}, {kDay, 3}}));
  // The same day again: the live row wins over the archived one, and once archived again it
  // replaces it (one archived row per key).
  store->begin();
  store->upsert_daily_metrics(std::vector<DailyMetric>{metric("a", "m", 7, kDay - 2)});
  store->commit();
  EXPECT_EQ(values(), (V{{kDay - 2, 7}, {kDay - 1, 2}, {kDay, 3}}));
  store->begin();
  EXPECT_EQ(store->archive_rows("infra_metric_daily", kDay - 1), 1);
  store->commit();
  EXPECT_EQ(values(), (V{{kDay - 2, 7}, {kDay - 1, 2}, {kDay, 3}}));
  EXPECT_THROW(store->archive_rows("infra_fleet_inventory", kDay), StoreError);
}

TEST_P(StoreSuite, DryRunStoreKeepsNothing) {
  auto dry = reopen(OpenMode::DRY_RUN);
  dry->begin();
  dry->upsert_daily_metrics(std::vector<DailyMetric>{metric("a", "m", 1)});
  dry->commit();  // a dry-run store rolls back
  EXPECT_EQ(store->day_counts(kDay)["infra_metric_daily"], 0);
}

TEST_P(StoreSuite, ValuesRoundTripExactlyIncludingNulls) {
  AnomalyScoreRow r;
  r.date = kDay;
  r.instance_id = "redis-cart-01";
  r.metric = "memory_usage_pct";
  r.value = 0.1 + 0.2;  // not representable in decimal: must come back bit for bit
  r.mean = 1.0 / 3.0;
  r.std = std::nullopt;
  r.z = -2.5e-310;  // subnormal
  r.we_rules = "1,2";
  r.severity = std::nullopt;
  r.score_status = ScoreStatus::BASELINE;
  std::string long_message(5000, 'x');  // longer than the first read buffer
  auto a = alert("WARNING", 2.0);
  a.message = long_message;
  store->begin();
  store->upsert_anomaly_scores(std::vector<AnomalyScoreRow>{r});
  store->upsert_alerts(std::vector<Alert>{a});
  store->commit();
  auto back = store->load_anomaly_scores(kDay, kDay);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].value, r.value);
  EXPECT_EQ(back[0].mean, r.mean);
  EXPECT_FALSE(back[0].std.has_value());
  EXPECT_EQ(back[0].z, r.z);
  EXPECT_EQ(back[0].we_rules, "1,2");
  EXPECT_FALSE(back[0].severity);
  EXPECT_EQ(store->load_alerts(kDay).at(0).message.size(), long_message.size());
}

TEST_P(StoreSuite, ManyRowsSpanSeveralBatches) {
  std::vector<DailyMetric> rows;
  for (int i = 0; i < 1234; ++i) rows.push_back(metric("i-" + std::to_string(i), "m", i));
  store->begin();
  store->upsert_daily_metrics(rows);
  store->commit();
  auto back = store->load_daily_metrics(kDay, kDay, {});
  ASSERT_EQ(back.size(), rows.size());
  double sum = 0;
  for (const auto& m : back) sum += m.avg;
  EXPECT_EQ(sum, 1233.0 * 1234 / 2);
}

}  // namespace
}  // namespace im::store
