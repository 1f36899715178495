// The scoring of a day as a pure function: what steps 9-13 store is what score_day computes
// from the same history, with no database.
#include "scoring/scoring.h"

#include <gtest/gtest.h>

#include "pipeline/pipeline_fixture.h"
#include "test_util.h"

namespace im::scoring {
namespace {

using pipeline::test_fixture::kDay;

TEST(EffectiveMetric, CatalogNarrowsRulesUnlessTheMetricSetsItsOwn) {
  const MetricDef* storage = find_metric(ServiceType::RDS, "free_storage_pct");
  const MetricDef* cpu = find_metric(ServiceType::RDS, "cpu_utilization");
  Settings s;
  EXPECT_EQ(effective_metric(s, *storage).rules.params.we_rules_enabled, (std::vector<int>{1, 2}));
  EXPECT_EQ(effective_metric(s, *cpu).rules.params.we_rules_enabled,
            (std::vector<int>{1, 2, 3, 4, 5}));
  s.spc.we_rules_enabled = {1, 4};
  EXPECT_EQ(effective_metric(s, *storage).rules.params.we_rules_enabled, (std::vector<int>{1}));
  Settings::MetricOverride o;
  o.params = s.spc;
  o.params.sigma_warning = 2.5;  // an override of something else keeps the narrowing
  s.metric_overrides["free_storage_pct"] = o;
  EXPECT_EQ(effective_metric(s, *storage).rules.params.we_rules_enabled, (std::vector<int>{1}));
  EXPECT_EQ(effective_metric(s, *storage).rules.params.sigma_warning, 2.5);
  s.metric_overrides["free_storage_pct"].params.we_rules_enabled = {1, 2, 3};
  s.metric_overrides["free_storage_pct"].we_rules_set = true;
  EXPECT_EQ(effective_metric(s, *storage).rules.params.we_rules_enabled,
            (std::vector<int>{1, 2, 3}));
}

TEST(ScoreDay, EqualsWhatThePipelineStoresFromTheSameHistory) {
  test::TempDir dir;
  Settings s;
  s.simulate.redis_instances = 12;
  s.simulate.rds_instances = 8;
  auto store = store::open_store(pipeline::test_fixture::sqlite_url(dir.file("s.db")));
  auto p = pipeline::test_fixture::assemble(
      s, *store, pipeline::test_fixture::test_clock(pipeline::test_fixture::fixed_now));
  pipeline::RunOptions o;
  for (int i = 24; i >= 0; --i) o.days.push_back(kDay - i);
  ASSERT_FALSE(p.run(o).failed());

  // The day's input, read back from the store as a caller without the pipeline would have it.
  DayInput in;
  in.day = kDay;
  in.today = store->load_daily_metrics(kDay, kDay, {});
  in.daily_history = store->load_daily_metrics(kDay - 40, kDay - 1, {});
  for (auto& r : store->load_anomaly_scores(kDay - 40, kDay - 1))
    if (r.score_status == ScoreStatus::SCORED) in.scored_history.push_back(std::move(r));
  for (const auto& row : store->load_inventory())
    if (row.status == InstanceStatus::ACTIVE && row.first_seen <= kDay && row.last_seen >= kDay)
      in.health.active.push_back({row.instance.service, row.instance.id});
  for (const auto& h : store->load_health_scores(kDay - 7, kDay - 1)) {
    if (h.health_score) in.health.previous[h.key()].push_back(*h.health_score);
    if (h.date == kDay - 1) in.health.yesterday[h.key()] = h.grade;
  }
  const DayScores got = score_day(s, std::move(in));

  auto stored = store->load_anomaly_scores(kDay, kDay);
  ASSERT_EQ(got.scores.size(), stored.size());
  std::map<SeriesKey, const AnomalyScoreRow*> by_key;
  for (const auto& r : stored) by_key[r.key()] = &r;
  size_t scored = 0;
  for (const auto& r : got.scores) {
    const AnomalyScoreRow& want = *by_key.at(r.key());
    SCOPED_TRACE(r.instance_id + " " + r.metric);
    EXPECT_EQ(r.score_status, want.score_status);
    EXPECT_DOUBLE_EQ(r.value, want.value);
    EXPECT_EQ(r.z, want.z);
    EXPECT_EQ(r.severity, want.severity);
    EXPECT_EQ(r.we_rules, want.we_rules);
    EXPECT_EQ(r.anomaly_score, want.anomaly_score);
    scored += r.score_status == ScoreStatus::SCORED;
  }
  EXPECT_GT(scored, 100u);

  auto health = store->load_health_scores(kDay, kDay);
  ASSERT_EQ(got.health.size(), health.size());
  std::map<InstanceKey, const HealthRow*> health_by;
  for (const auto& h : health) health_by[h.key()] = &h;
  for (const auto& h : got.health) {
    EXPECT_EQ(h.health_score, health_by.at(h.key())->health_score) << h.instance_id;
    EXPECT_EQ(h.grade, health_by.at(h.key())->grade) << h.instance_id;
    EXPECT_EQ(h.trend, health_by.at(h.key())->trend) << h.instance_id;
  }

  auto alerts = store->load_alerts(kDay);
  ASSERT_EQ(got.alerts.size(), alerts.size());
  ASSERT_GT(alerts.size(), 0u);
  std::map<AlertKey, const Alert*> alert_by;
  for (const auto& a : alerts) alert_by[a.key()] = &a;
  for (const auto& a : got.alerts) {
    ASSERT_TRUE(alert_by.count(a.key())) << a.message;
    EXPECT_EQ(a.severity, alert_by.at(a.key())->severity);
    EXPECT_EQ(a.message, alert_by.at(a.key())->message);
  }
}

}  // namespace
}  // namespace im::scoring
