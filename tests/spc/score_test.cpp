// Hand-computed cases for methodology.md sections 5-9: rate of change, direction,
// severity, the anomaly score and static limits.
#include <gtest/gtest.h>

#include "spc/spc.h"

namespace im::spc {
namespace {

const Day kD = *Day::parse("2026-05-20");

// 14 day values before kD alternating 99/101: mean 100, sample std 1.0377 (sigma 1.0377).
std::vector<DayValue> flat_history(double lo = 99, double hi = 101) {
  std::vector<DayValue> h;
  for (int i = 14; i >= 1; --i) h.push_back({kD - i, i % 2 ? lo : hi});
  return h;
}

MetricRules rules(Direction dir = Direction::BOTH) {
  MetricRules r;
  r.direction = dir;
  r.params.we_rules_enabled = {};  // rules off unless a test turns them on
  return r;
}

double sigma_of_flat() {
  Params p;
  return compute_baseline(flat_history(), kD, p).sigma;
}

TEST(AnomalyScore, AnchorPointsAndCap) {
  EXPECT_DOUBLE_EQ(score_component(0, 2, 3), 0);
  EXPECT_DOUBLE_EQ(score_component(1, 2, 3), 25);
  EXPECT_DOUBLE_EQ(score_component(2, 2, 3), 50);
  EXPECT_DOUBLE_EQ(score_component(2.5, 2, 3), 62.5);
  EXPECT_DOUBLE_EQ(score_component(3, 2, 3), 75);
  EXPECT_DOUBLE_EQ(score_component(4, 2, 3), 100);
  EXPECT_DOUBLE_EQ(score_component(9, 2, 3), 100);
  EXPECT_DOUBLE_EQ(score_component(75, 50, 100), 62.5);  // ROC thresholds
}

TEST(AnomalyScore, IsMonotonic) {
  double last = -1;
  for (double v = 0; v <= 6; v += 0.01) {
    double s = score_component(v, 2, 3);
    EXPECT_GE(s, last) << v;
    last = s;
  }
}

TEST(Evaluate, InBaselineMeansNoZNoSeverityNoScore) {
  auto h = flat_history();
  h.erase(h.begin());  // 13 values: day 14 of the series
  Finding f = evaluate(kD, 500, true, h, {}, rules(Direction::UP));
  EXPECT_TRUE(f.in_baseline);
  EXPECT_FALSE(f.scored);
  EXPECT_FALSE(f.z);
  EXPECT_FALSE(f.roc);
  EXPECT_FALSE(f.anomaly_score);
  EXPECT_EQ(f.severity, Severity::NORMAL);
}

TEST(Evaluate, LowCoverageDayIsNotScored) {
  Finding f = evaluate(kD, 500, false, flat_history(), {}, rules());
  EXPECT_FALSE(f.scored);
  EXPECT_FALSE(f.in_baseline);
}

TEST(Evaluate, SeverityFromZ) {
  const double s = sigma_of_flat();
  EXPECT_EQ(evaluate(kD, 100 + 1.99 * s, true, flat_history(), {}, rules()).severity,
            Severity::NORMAL);
  EXPECT_EQ(evaluate(kD, 100 + 2.001 * s, true, flat_history(), {}, rules()).severity,
            Severity::WARNING);
  EXPECT_EQ(evaluate(kD, 100 + 3.001 * s, true, flat_history(), {}, rules()).severity,
            Severity::CRITICAL);
  Finding f = evaluate(kD, 100 + 2.5 * s, true, flat_history(), {}, rules());
  EXPECT_NEAR(*f.z, 2.5, 1e-9);
  EXPECT_DOUBLE_EQ(*f.anomaly_score, 62.5);
}

TEST(Evaluate, DirectionTurnsABenignFindingIntoInfo) {
  const double s = sigma_of_flat();
  Finding up_bad = evaluate(kD, 100 + 4 * s, true, flat_history(), {}, rules(Direction::UP));
  EXPECT_EQ(up_bad.severity, Severity::CRITICAL);
  EXPECT_TRUE(up_bad.harmful);
  Finding up_good = evaluate(kD, 100 - 4 * s, true, flat_history(), {}, rules(Direction::UP));
  EXPECT_EQ(up_good.severity, Severity::INFO);
  EXPECT_FALSE(up_good.harmful);
  EXPECT_EQ(up_good.benign, Severity::CRITICAL);
  EXPECT_DOUBLE_EQ(*up_good.anomaly_score, *up_bad.anomaly_score);  // the score ignores direction
  EXPECT_EQ(evaluate(kD, 100 - 4 * s, true, flat_history(), {}, rules(Direction::DOWN)).severity,
            Severity::CRITICAL);
  EXPECT_EQ(evaluate(kD, 100 - 4 * s, true, flat_history(), {}, rules(Direction::BOTH)).severity,
            Severity::CRITICAL);
  Finding small = evaluate(kD, 100 - 1 * s, true, flat_history(), {}, rules(Direction::UP));
  EXPECT_EQ(small.severity, Severity::NORMAL);
}

TEST(RateOfChange, NoPreviousValueMeansNone) {
  auto h = flat_history();
  for (auto& v : h) v.day = v.day - 3;  // newest value is D-4
  h.insert(h.begin(), {kD - 30, 100});
  Finding f = evaluate(kD, 100, true, h, {}, rules());
  EXPECT_FALSE(f.roc);
}

TEST(RateOfChange, PreviousZeroMeansNone) {
  auto h = flat_history();
  h.back().x = 0;
  Finding f = evaluate(kD, 100, true, h, {}, rules());
  EXPECT_FALSE(f.roc);
}

TEST(RateOfChange, FallsBackToDMinus2) {
  auto h = flat_history();  // D-1 is 99 (i=1 odd), D-2 is 101
  h.pop_back();             // D-1 missing
  MetricRules r = rules();
  r.params.min_baseline_days = 13;
  Finding f = evaluate(kD, 111.1, true, h, {}, r);
  ASSERT_TRUE(f.roc);
  EXPECT_NEAR(*f.roc, 10.0, 1e-9);  // (111.1 - 101) / 101
}

TEST(RateOfChange, CountsOnlyWhenTheChangeIsAtLeastOneSigma) {
  // A series near zero: a large percentage on a tiny absolute change.
  std::vector<DayValue> h;
  for (int i = 14; i >= 1; --i) h.push_back({kD - i, i % 2 ? 1.0 : 3.0});  // mean 2, std 1.0377
  MetricRules r = rules();
  r.params.sigma_warning = 50;  // keep z out of it
  r.params.sigma_critical = 60;
  r.params.rule_min_z = 0;
  // D-1 = 1.0; x = 1.9: +90% but |Δ| = 0.9 < sigma: not significant
  Finding small = evaluate(kD, 1.9, true, h, {}, r);
  EXPECT_NEAR(*small.roc, 90, 1e-9);
  EXPECT_FALSE(small.roc_significant);
  EXPECT_EQ(small.severity, Severity::NORMAL);
  // x = 2.1: +110%, |Δ| = 1.1 >= sigma: significant, CRITICAL
  Finding big = evaluate(kD, 2.1, true, h, {}, r);
  EXPECT_TRUE(big.roc_significant);
  EXPECT_EQ(big.severity, Severity::CRITICAL);
  EXPECT_NEAR(*big.anomaly_score, 75 + 25 * 10.0 / 50, 0.05);
}

TEST(Evaluate, RulesCountOnlyPastTheEffectGuard) {
  MetricRules r = rules(Direction::UP);
  r.params.we_rules_enabled = {4};
  std::vector<PastScore> past;
  for (int i = 7; i >= 1; --i) past.push_back({kD - i, 100, 0.5, Severity::NORMAL});
  const double s = sigma_of_flat();
  Finding weak = evaluate(kD, 100 + 0.5 * s, true, flat_history(), past, r);
  EXPECT_EQ(join_rules(weak.rules), "4");  // stored as fired
  EXPECT_FALSE(weak.rules_345_effective);  // |z| < rule_min_z: no effect
  EXPECT_EQ(weak.severity, Severity::NORMAL);
  Finding strong = evaluate(kD, 100 + 1.2 * s, true, flat_history(), past, r);
  EXPECT_TRUE(strong.rules_345_effective);
  EXPECT_EQ(strong.severity, Severity::WARNING);
  EXPECT_DOUBLE_EQ(*strong.anomaly_score, 50);  // s_rules 50 beats s_z 30
}

TEST(Evaluate, Rule2IsCriticalWithAScoreOf75) {
  MetricRules r = rules(Direction::UP);
  r.params.we_rules_enabled = {1, 2};
  std::vector<PastScore> past{{kD - 2, 100, 0.0, Severity::NORMAL},
                              {kD - 1, 103, 2.4, Severity::WARNING}};
  const double s = sigma_of_flat();
  Finding f = evaluate(kD, 100 + 2.2 * s, true, flat_history(), past, r);
  EXPECT_EQ(join_rules(f.rules), "2");
  EXPECT_EQ(f.severity, Severity::CRITICAL);
  EXPECT_DOUBLE_EQ(*f.anomaly_score, 75);
  EXPECT_EQ(f.consecutive_days, 2);
}

TEST(StaticLimits, ComparedInTheHarmfulDirection) {
  Limits mem{80, 90, 95};
  EXPECT_EQ(limit_breach(79.9, Direction::UP, mem), Severity::NORMAL);
  EXPECT_EQ(limit_breach(80.5, Direction::UP, mem), Severity::WARNING);
  EXPECT_EQ(limit_breach(93.1, Direction::UP, mem), Severity::CRITICAL);
  EXPECT_EQ(limit_breach(96, Direction::UP, mem), Severity::EMERGENCY);
  Limits storage{10, 5, NAN};
  EXPECT_EQ(limit_breach(12, Direction::DOWN, storage), Severity::NORMAL);
  EXPECT_EQ(limit_breach(7, Direction::DOWN, storage), Severity::WARNING);
  EXPECT_EQ(limit_breach(4, Direction::DOWN, storage), Severity::CRITICAL);
}

TEST(StaticLimits, ApplyEvenInBaseline) {
  MetricRules r = rules(Direction::UP);
  r.limits = {80, 90, 95};
  Finding f = evaluate(kD, 92, true, {}, {}, r);
  EXPECT_TRUE(f.in_baseline);
  EXPECT_EQ(f.limit, Severity::CRITICAL);
}

}  // namespace
}  // namespace im::spc
