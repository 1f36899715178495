// Hand-computed cases for methodology.md sections 10 (health) and 11 (alerts).
#include <gtest/gtest.h>

#include "spc/spc.h"

namespace im::spc {
namespace {

Finding scored(Severity sev, double score, bool harmful = true, int consecutive = 0) {
  Finding f;
  f.scored = true;
  f.is_day_value = true;
  f.in_baseline = false;
  f.x = 50;
  f.z = sev >= Severity::CRITICAL ? 4.0 : sev == Severity::WARNING ? 2.5 : 0.5;
  f.baseline.mean = 40;
  f.baseline.sigma = 2.5;
  f.baseline.n = 14;
  f.severity = sev;
  f.harmful = harmful;
  f.anomaly_score = score;
  f.consecutive_days = consecutive;
  return f;
}

TEST(MetricHealth, NoiseCostsNothingAnomaliesCostTheirScore) {
  EXPECT_EQ(metric_health(scored(Severity::NORMAL, 40)), 100);
  EXPECT_EQ(metric_health(scored(Severity::INFO, 90, false)), 100);
  EXPECT_EQ(metric_health(scored(Severity::WARNING, 62.5)), 37.5);
  EXPECT_EQ(metric_health(scored(Severity::CRITICAL, 80)), 20);
}

TEST(MetricHealth, LimitsCapAndBaselineHasNone) {
  Finding in_baseline;
  EXPECT_FALSE(metric_health(in_baseline));
  in_baseline.limit = Severity::WARNING;
  EXPECT_EQ(metric_health(in_baseline), 69);
  Finding f = scored(Severity::NORMAL, 10);
  f.limit = Severity::CRITICAL;
  EXPECT_EQ(metric_health(f), 49);
  f.limit = Severity::EMERGENCY;
  EXPECT_EQ(metric_health(f), 29);
  Finding both = scored(Severity::CRITICAL, 90);
  both.limit = Severity::WARNING;
  EXPECT_EQ(metric_health(both), 10);  // the lower of the two
}

TEST(Grade, Edges) {
  EXPECT_EQ(grade_of(100), Grade::A);
  EXPECT_EQ(grade_of(90), Grade::A);
  EXPECT_EQ(grade_of(89.9), Grade::B);
  EXPECT_EQ(grade_of(80), Grade::B);
  EXPECT_EQ(grade_of(79.9), Grade::C);
  EXPECT_EQ(grade_of(70), Grade::C);
  EXPECT_EQ(grade_of(69.9), Grade::D);
  EXPECT_EQ(grade_of(60), Grade::D);
  EXPECT_EQ(grade_of(59.9), Grade::F);
}

TEST(InstanceHealth, DimensionMinimumThenMeanOfNonNullDimensions) {
  Finding ok = scored(Severity::NORMAL, 10), warn = scored(Severity::WARNING, 60),
          crit = scored(Severity::CRITICAL, 90);
  Finding baseline;  // no metric health: its dimension stays NULL
  std::vector<MetricHealthInput> m{{Dimension::CPU, &ok},
                                   {Dimension::MEMORY, &ok},
                                   {Dimension::MEMORY, &warn},
                                   {Dimension::LATENCY, &crit},
                                   {Dimension::STORAGE, &baseline}};
  HealthRow h = instance_health(m, {});
  EXPECT_EQ(h.dimension[static_cast<int>(Dimension::CPU)], 100);
  EXPECT_EQ(h.dimension[static_cast<int>(Dimension::MEMORY)], 40);
  EXPECT_EQ(h.dimension[static_cast<int>(Dimension::LATENCY)], 10);
  EXPECT_FALSE(h.dimension[static_cast<int>(Dimension::STORAGE)]);
  EXPECT_FALSE(h.dimension[static_cast<int>(Dimension::ERRORS)]);
  EXPECT_EQ(h.health_score, 50);  // (100 + 40 + 10) / 3
  EXPECT_EQ(h.grade, Grade::F);
  EXPECT_FALSE(h.trend);  // no history
}

TEST(InstanceHealth, AllNullGivesNoScoreNoGrade) {
  Finding baseline;
  std::vector<MetricHealthInput> m{{Dimension::CPU, &baseline}};
  HealthRow h = instance_health(m, std::vector<double>{90, 90, 90});
  EXPECT_FALSE(h.health_score);
  EXPECT_FALSE(h.grade);
  EXPECT_FALSE(h.trend);
}

TEST(InstanceHealth, TrendAgainstThePrevious7DaysNeedsThreeOfThem) {
  Finding warn = scored(Severity::WARNING, 70);  // metric health 30
  Finding ok = scored(Severity::NORMAL, 0);
  std::vector<MetricHealthInput> m{{Dimension::CPU, &warn}, {Dimension::MEMORY, &ok}};  // score 65
  EXPECT_FALSE(instance_health(m, std::vector<double>{70, 70}).trend);
  EXPECT_EQ(instance_health(m, std::vector<double>{70, 70, 70}).trend, Trend::DEGRADING);   // -5
  EXPECT_EQ(instance_health(m, std::vector<double>{69, 69, 69}).trend, Trend::STABLE);      // -4
  EXPECT_EQ(instance_health(m, std::vector<double>{60, 60, 60}).trend, Trend::IMPROVING);   // +5
  EXPECT_EQ(instance_health(m, std::vector<double>{61, 60, 60, 62}).trend, Trend::STABLE);  // +4.25
}

// ---- alerts ------------------------------------------------------------------------------

const MetricDef* def(const char* name, ServiceType s = ServiceType::REDIS) {
  return find_metric(s, name);
}

SeriesFinding series(const char* metric, Finding f, const char* instance = "redis-cart-07",
                     ServiceType s = ServiceType::REDIS) {
  MetricRules r;
  r.direction = def(metric, s)->direction;
  r.limits = def(metric, s)->limits;
  return {{s, instance}, def(metric, s), r, f};
}

const Day kDay = *Day::parse("2026-11-20");

std::vector<Alert> alerts_of(std::vector<SeriesFinding> s,
                             std::map<InstanceKey, InstanceGrades> g = {}) {
  return evaluate_alerts(kDay, s, g);
}

TEST(Alerts, CriticalInTheHarmfulDirection) {
  auto a = alerts_of({series("cpu_user_pct", scored(Severity::CRITICAL, 90))});
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].severity, Severity::CRITICAL);
  EXPECT_EQ(a[0].alert_type, AlertType::ZSCORE);
  EXPECT_EQ(a[0].recommended_action, def("cpu_user_pct")->action);
}

TEST(Alerts, SingleDayWarningRaisesNothingPersistentWarningDoes) {
  EXPECT_TRUE(alerts_of({series("cpu_user_pct", scored(Severity::WARNING, 60, true, 1))}).empty());
  auto second_day = alerts_of({series("cpu_user_pct", scored(Severity::WARNING, 60, true, 2))});
  ASSERT_EQ(second_day.size(), 1u);
  EXPECT_EQ(second_day[0].severity, Severity::WARNING);
  Finding rule = scored(Severity::WARNING, 50, true, 1);
  rule.z = 1.5;
  rule.rules = {3};
  rule.rules_345_effective = true;
  auto by_rule = alerts_of({series("cpu_user_pct", rule)});
  ASSERT_EQ(by_rule.size(), 1u);
  EXPECT_EQ(by_rule[0].alert_type, AlertType::WE_RULE);
}

TEST(Alerts, BenignDirectionOnlyWhenItWouldBeCriticalAsInfo) {
  Finding benign_warn = scored(Severity::INFO, 60, false);
  benign_warn.benign = Severity::WARNING;
  EXPECT_TRUE(alerts_of({series("cpu_user_pct", benign_warn)}).empty());
  Finding benign_crit = scored(Severity::INFO, 95, false);
  benign_crit.benign = Severity::CRITICAL;
  auto a = alerts_of({series("cpu_user_pct", benign_crit)});
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].severity, Severity::INFO);
}

TEST(Alerts, StaticLimitIsAThresholdAlertEvenInBaseline) {
  Finding f;
  f.x = 93.1;
  f.limit = Severity::CRITICAL;
  auto a = alerts_of({series("memory_usage_pct", f)});
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].alert_type, AlertType::THRESHOLD);
  EXPECT_EQ(a[0].severity, Severity::CRITICAL);
  EXPECT_EQ(a[0].message,
            "CRITICAL redis-cart-07 memory_usage_pct 93.1% (in baseline period; above critical "
            "limit 90.0%) -> "
            "Scale up instance class or review eviction policy");
  f.limit = Severity::EMERGENCY;
  EXPECT_EQ(alerts_of({series("memory_usage_pct", f)})[0].severity, Severity::EMERGENCY);
}

TEST(Alerts, EmergencyWhenTheInstanceGradesF) {
  std::map<InstanceKey, InstanceGrades> g{
      {{ServiceType::REDIS, "redis-cart-07"}, {Grade::F, Grade::F, 55}}};
  auto a = alerts_of({series("cpu_user_pct", scored(Severity::CRITICAL, 90))}, g);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].severity, Severity::EMERGENCY);
}

TEST(Alerts, EmergencyWithThreeCriticalFindingsOnOneInstance) {
  auto two = alerts_of({series("cpu_user_pct", scored(Severity::CRITICAL, 90)),
                        series("connected_clients", scored(Severity::CRITICAL, 90))});
  for (const auto& a : two) EXPECT_EQ(a.severity, Severity::CRITICAL);
  auto three = alerts_of({series("cpu_user_pct", scored(Severity::CRITICAL, 90)),
                          series("connected_clients", scored(Severity::CRITICAL, 90)),
                          series("hit_ratio_pct", scored(Severity::CRITICAL, 90))});
  ASSERT_EQ(three.size(), 3u);
  for (const auto& a : three) EXPECT_EQ(a.severity, Severity::EMERGENCY);
  // Three criticals spread over two instances stay CRITICAL.
  auto spread =
      alerts_of({series("cpu_user_pct", scored(Severity::CRITICAL, 90)),
                 series("connected_clients", scored(Severity::CRITICAL, 90)),
                 series("hit_ratio_pct", scored(Severity::CRITICAL, 90), "redis-cart-08")});
  for (const auto& a : spread) EXPECT_EQ(a.severity, Severity::CRITICAL);
}

TEST(Alerts, OneSignalOneAlert) {
  // memory_used_bytes defers to memory_usage_pct when the instance has it ...
  auto both = alerts_of({series("memory_used_bytes", scored(Severity::CRITICAL, 90)),
                         series("memory_usage_pct", scored(Severity::CRITICAL, 90))});
  ASSERT_EQ(both.size(), 1u);
  EXPECT_EQ(both[0].metric, "memory_usage_pct");
  // ... and speaks for itself without a memory limit.
  auto alone = alerts_of({series("memory_used_bytes", scored(Severity::CRITICAL, 90))});
  ASSERT_EQ(alone.size(), 1u);
  EXPECT_EQ(alone[0].metric, "memory_used_bytes");
}

TEST(Alerts, NewBaselineNoticeOnTheSixthConsecutiveDay) {
  auto day5 = alerts_of({series("ops_per_sec", scored(Severity::WARNING, 60, true, 5))});
  EXPECT_EQ(day5.size(), 1u);
  auto day6 = alerts_of({series("ops_per_sec", scored(Severity::WARNING, 60, true, 6))});
  ASSERT_EQ(day6.size(), 2u);
  EXPECT_EQ(day6[1].alert_type, AlertType::BASELINE_SHIFT);
  EXPECT_EQ(day6[1].severity, Severity::INFO);
  EXPECT_EQ(day6[1].recommended_action, "Likely a new baseline; review if intentional change");
  auto day7 = alerts_of({series("ops_per_sec", scored(Severity::WARNING, 60, true, 7))});
  EXPECT_EQ(day7.size(), 1u);  // once per run
}

TEST(Alerts, HealthAlertWhenTheGradeDropsToDOrF) {
  Finding normal = scored(Severity::NORMAL, 10);
  auto s = std::vector<SeriesFinding>{series("cpu_user_pct", normal)};
  auto drop_d =
      evaluate_alerts(kDay, s, {{{ServiceType::REDIS, "redis-cart-07"}, {Grade::D, Grade::B, 65}}});
  ASSERT_EQ(drop_d.size(), 1u);
  EXPECT_EQ(drop_d[0].alert_type, AlertType::HEALTH);
  EXPECT_EQ(drop_d[0].metric, "health_score");
  EXPECT_EQ(drop_d[0].severity, Severity::WARNING);
  EXPECT_EQ(evaluate_alerts(kDay, s,
                            {{{ServiceType::REDIS, "redis-cart-07"}, {Grade::F, Grade::D, 50}}})[0]
                .severity,
            Severity::CRITICAL);
  EXPECT_TRUE(
      evaluate_alerts(kDay, s, {{{ServiceType::REDIS, "redis-cart-07"}, {Grade::D, Grade::D, 65}}})
          .empty());
  EXPECT_TRUE(
      evaluate_alerts(kDay, s, {{{ServiceType::REDIS, "redis-cart-07"}, {Grade::C, Grade::A, 75}}})
          .empty());
  EXPECT_TRUE(evaluate_alerts(
                  kDay, s, {{{ServiceType::REDIS, "redis-cart-07"}, {Grade::F, std::nullopt, 50}}})
                  .empty());
}

TEST(Alerts, MessageExplainsItself) {
  Finding f = scored(Severity::CRITICAL, 100, true, 3);
  f.x = 93.1;
  f.z = 15.9;
  f.baseline.mean = 61.4;
  f.baseline.sigma = 2.0;
  f.rules = {1, 2};
  f.rules_12 = true;
  auto a = alerts_of({series("memory_usage_pct", f)});
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].message,
            "CRITICAL redis-cart-07 memory_usage_pct 93.1% (baseline 61.4% ± 2.0, z=+15.9, rules "
            "1,2; 3rd day) -> "
            "Scale up instance class or review eviction policy");
}

}  // namespace
}  // namespace im::spc
