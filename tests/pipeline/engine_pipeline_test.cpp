// Steps 9-13 through the pipeline: recompute, parameter changes, acknowledgements, flags.
#include <gtest/gtest.h>

#include <cmath>

#include "pipeline/pipeline.h"
#include "pipeline/pipeline_fixture.h"
#include "pipeline/steps.h"
#include "test_util.h"

namespace im::pipeline {
namespace {

const Day kDay = *Day::parse("2026-11-20");
int64_t fixed_now() {
  return (kDay + 1).start_unix() + 6 * 3600;
}

class EnginePipelineTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    // One 20-day history for the whole suite: a small fleet, copied per test.
    dir_ = new test::TempDir;
    Settings s = fleet();
    auto store = store::open_store(url(dir_->file("seed.db")));
    auto p =
        pipeline::test_fixture::assemble(s, *store, pipeline::test_fixture::test_clock(fixed_now));
    RunOptions o;
    for (int i = 19; i >= 0; --i) o.days.push_back(kDay - i);
    p.run(o);
  }
  static void TearDownTestSuite() { delete dir_; }

  static Settings fleet() {
    Settings s;
    s.simulate.redis_instances = 30;
    s.simulate.rds_instances = 20;
    return s;
  }
  static StorageUrl url(const std::string& path) {
    std::string why;
    return *parse_storage_url("sqlite://" + path, why);
  }

  void SetUp() override {
    std::filesystem::copy_file(dir_->file("seed.db"), mine.file("t.db"));
    store = store::open_store(url(mine.file("t.db")));
  }

  DayResult run(const Settings& s, std::set<int> steps = {}) {
    auto p =
        pipeline::test_fixture::assemble(s, *store, pipeline::test_fixture::test_clock(fixed_now));
    RunOptions o;
    o.days = {kDay};
    o.steps = std::move(steps);
    return p.run(o).days.at(0);
  }

  static test::TempDir* dir_;
  test::TempDir mine;
  std::unique_ptr<store::Store> store;
};
test::TempDir* EnginePipelineTest::dir_ = nullptr;

TEST_F(EnginePipelineTest, TheDayHasScoresHealthAndAlerts) {
  auto counts = store->day_counts(kDay);
  EXPECT_EQ(counts["infra_health_scores"], 50);
  EXPECT_GT(counts["infra_anomaly_alerts"], 0);
  int scored = 0, with_severity = 0;
  for (const auto& r : store->load_anomaly_scores(kDay, kDay)) {
    scored += r.score_status == ScoreStatus::SCORED;
    with_severity += r.severity.has_value();
    if (r.score_status == ScoreStatus::SCORED) {
      EXPECT_TRUE(r.z && r.anomaly_score && r.sigma) << r.instance_id << " " << r.metric;
      EXPECT_FALSE(r.is_baseline_period);
    }
  }
  EXPECT_GT(scored, 0);
  EXPECT_EQ(scored, with_severity);
  for (const auto& a : store->load_alerts(kDay)) {
    EXPECT_NE(a.message.find(a.instance_id), std::string::npos);
    EXPECT_FALSE(a.recommended_action.empty()) << a.message;
  }
}

TEST_F(EnginePipelineTest, RecomputeGivesByteIdenticalScores) {
  auto before = store->load_anomaly_scores(kDay, kDay);
  auto alerts_before = store->load_alerts(kDay);
  auto d = run(fleet(), {9, 10, 11, 12, 13});
  EXPECT_FALSE(d.failed());
  auto after = store->load_anomaly_scores(kDay, kDay);
  ASSERT_EQ(before.size(), after.size());
  for (size_t i = 0; i < before.size(); ++i) {
    const auto &a = before[i], &b = after[i];
    EXPECT_EQ(a.value, b.value);
    EXPECT_EQ(a.mean, b.mean);
    EXPECT_EQ(a.std, b.std);
    EXPECT_EQ(a.sigma, b.sigma);
    EXPECT_EQ(a.z, b.z);
    EXPECT_EQ(a.we_rules, b.we_rules);
    EXPECT_EQ(a.roc_pct, b.roc_pct);
    EXPECT_EQ(a.anomaly_score, b.anomaly_score);
    EXPECT_EQ(a.severity, b.severity);
  }
  auto alerts_after = store->load_alerts(kDay);
  ASSERT_EQ(alerts_before.size(), alerts_after.size());
  for (size_t i = 0; i < alerts_before.size(); ++i)
    EXPECT_EQ(alerts_before[i].message, alerts_after[i].message);
}

TEST_F(EnginePipelineTest, ChangedParametersRewriteTheDayKeepingAcknowledgements) {
  auto alerts = store->load_alerts(kDay);
  ASSERT_GE(alerts.size(), 2u);
  // Acknowledge the most severe alert; annotate nothing else.
  store->acknowledge_alerts(store::AckFilter{.id = alerts[0].id}, "ops-john", "looked at it");
  Settings strict = fleet();
  strict.spc.sigma_warning = 3.9;
  strict.spc.sigma_critical = 4.0;
  strict.spc.roc_warning_pct = 400;
  strict.spc.roc_critical_pct = 500;
  strict.spc.we_rules_enabled = {1};
  run(strict, {9, 10, 11, 12, 13});
  auto after = store->load_alerts(kDay);
  bool kept = false;
  for (const auto& a : after)
    if (a.id == alerts[0].id) {
      kept = true;
      EXPECT_TRUE(a.acknowledged);
      EXPECT_EQ(a.acknowledged_by, "ops-john");
      EXPECT_EQ(a.notes, "looked at it");
    }
  EXPECT_TRUE(kept);
  EXPECT_LT(after.size(), alerts.size());  // alerts the stricter settings no longer raise are gone
  for (const auto& r : store->load_anomaly_scores(kDay, kDay))
    if (r.z && std::fabs(*r.z) < 3.9 && r.we_rules.empty()) {
      EXPECT_NE(r.severity, Severity::WARNING);
    }
}

TEST_F(EnginePipelineTest, AlertsWithoutStep12UseTheStoredGrades) {
  auto before = store->load_alerts(kDay);
  bool graded = std::any_of(before.begin(), before.end(), [](const auto& a) {
    return a.alert_type == AlertType::HEALTH || a.severity == Severity::EMERGENCY;
  });
  ASSERT_TRUE(graded) << "the seed day should have alerts that depend on grades";
  auto d = run(fleet(), {9, 10, 13});
  EXPECT_EQ(d.steps[11].message, "not selected (--steps)");
  auto after = store->load_alerts(kDay);
  ASSERT_EQ(before.size(), after.size());
  for (size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(before[i].message, after[i].message);
    EXPECT_EQ(before[i].severity, after[i].severity);
  }
}

TEST_F(EnginePipelineTest, ReRunningTheDayKeepsAcknowledgements) {
  auto alerts = store->load_alerts(kDay);
  ASSERT_FALSE(alerts.empty());
  store->acknowledge_alerts(store::AckFilter{.id = alerts.back().id}, "ops-jane", "");
  run(fleet());
  for (const auto& a : store->load_alerts(kDay))
    if (a.id == alerts.back().id) {
      EXPECT_EQ(a.acknowledged_by, "ops-jane");
    }
  EXPECT_EQ(store->load_alerts(kDay).size(), alerts.size());
}

TEST_F(EnginePipelineTest, InfoAlertsOlderThanSevenDaysAreAutoAcknowledged) {
  auto info = [](Day d, const char* severity) {
    Alert a;
    a.date = d;
    a.instance_id = "redis-cart-01";
    a.metric = "ops_per_sec";
    a.alert_type = AlertType::BASELINE_SHIFT;
    a.severity = *parse_severity(severity);
    a.message = "test";
    return a;
  };
  store->begin();
  store->upsert_alerts(std::vector<Alert>{info(kDay - 8, "INFO"), info(kDay - 7, "INFO"),
                                          info(kDay - 9, "WARNING")});
  store->commit();
  run(fleet(), {9, 10, 11, 12, 13});
  auto injected = [&](Day d) {
    for (const auto& a : store->load_alerts(d))
      if (a.message == "test") return a;
    throw std::runtime_error("injected alert missing");
  };
  EXPECT_TRUE(injected(kDay - 8).acknowledged);
  EXPECT_EQ(injected(kDay - 8).acknowledged_by, "auto-cleanup");
  EXPECT_FALSE(injected(kDay - 7).acknowledged);  // not older than 7 days
  EXPECT_FALSE(injected(kDay - 9).acknowledged);  // not INFO
}

TEST_F(EnginePipelineTest, FeatureFlagsSkipHealthAndAlerts) {
  Settings s = fleet();
  s.features.enable_health = false;
  s.features.enable_alerts = false;
  auto d = run(s);
  EXPECT_FALSE(d.failed());
  EXPECT_EQ(d.steps[11].status, StepStatus::SKIPPED);
  EXPECT_EQ(d.steps[11].message, "ENABLE_HEALTH is false");
  EXPECT_EQ(d.steps[12].status, StepStatus::SKIPPED);
  EXPECT_EQ(d.steps[12].message, "ENABLE_ALERTS is false");
}

TEST_F(EnginePipelineTest, PerMetricOverridesApply) {
  Settings s = fleet();
  Settings::MetricOverride o;
  o.params = s.spc;
  o.params.we_rules_enabled = {};
  o.params.sigma_warning = 50;
  o.params.sigma_critical = 60;
  o.params.roc_warning_pct = 1e6;
  o.params.roc_critical_pct = 2e6;
  o.spc_stat = Stat::MAX;
  s.metric_overrides["ops_per_sec"] = o;
  run(s, {9, 10, 11, 12, 13});
  for (const auto& r : store->load_anomaly_scores(kDay, kDay)) {
    if (r.metric != "ops_per_sec" || r.score_status != ScoreStatus::SCORED) continue;
    EXPECT_EQ(r.spc_stat, Stat::MAX);
    EXPECT_TRUE(r.severity == Severity::NORMAL)
        << r.instance_id << " " << (r.severity ? to_string(*r.severity) : "NULL");
  }
}

}  // namespace
}  // namespace im::pipeline
