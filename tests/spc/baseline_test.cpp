#include <gtest/gtest.h>

#include <cmath>

#include "spc/spc.h"

namespace im::spc {
namespace {

const Day kD = *Day::parse("2026-03-01");

std::vector<DayValue> days_before(Day d, std::vector<double> xs) {  // xs[0] is the oldest
  std::vector<DayValue> out;
  for (size_t i = 0; i < xs.size(); ++i)
    out.push_back({d - static_cast<int32_t>(xs.size() - i), xs[i]});
  return out;
}

TEST(Baseline, MeanAndSampleStdOfTheLastWValues) {
  Params p;
  p.rolling_window_days = 4;
  p.min_baseline_days = 4;
  p.min_sigma_rel = 0;
  auto h = days_before(kD, {100, 2, 4, 4, 6});  // 100 is outside the last 4
  Baseline b = compute_baseline(h, kD, p);
  EXPECT_EQ(b.n, 4);
  EXPECT_DOUBLE_EQ(b.mean, 4);
  EXPECT_DOUBLE_EQ(b.std, std::sqrt(8.0 / 3));
  EXPECT_DOUBLE_EQ(b.sigma, b.std);
  EXPECT_FALSE(in_baseline(b, p));
}

TEST(Baseline, TheScoredDayIsNeverInItsOwnBaseline) {
  Params p;
  auto h = days_before(kD, {1, 2, 3});
  h.push_back({kD, 1000});
  h.push_back({kD + 1, 2000});
  Baseline b = compute_baseline(h, kD, p);
  EXPECT_EQ(b.n, 3);
  EXPECT_DOUBLE_EQ(b.mean, 2);
}

TEST(Baseline, OnlyDaysFromDMinus2WCountSoGapsShrinkN) {
  Params p;  // W = 14: the window reaches back to D-28
  std::vector<DayValue> h{{kD - 29, 5}, {kD - 28, 5}, {kD - 3, 5}};
  EXPECT_EQ(compute_baseline(h, kD, p).n, 2);
}

TEST(Baseline, Day15RuleFirstScoredDayNeedsFourteenValues) {
  Params p;
  std::vector<DayValue> h;
  const Day first = kD;  // the series' first day value is day 1
  for (int i = 0; i < 13; ++i) h.push_back({first + i, 10.0 + i % 2});
  EXPECT_TRUE(in_baseline(compute_baseline(h, first + 13, p), p));  // day 14: 13 values
  h.push_back({first + 13, 10});
  EXPECT_FALSE(in_baseline(compute_baseline(h, first + 14, p), p));  // day 15: 14 values
}

TEST(Baseline, RelativeSigmaFloorOnAFlatSeries) {
  Params p;
  p.rolling_window_days = 3;
  p.min_baseline_days = 3;
  Baseline b = compute_baseline(days_before(kD, {200, 200, 200}), kD, p);
  EXPECT_DOUBLE_EQ(b.std, 0);
  EXPECT_DOUBLE_EQ(b.sigma, 2);  // 0.01 × |200|
  EXPECT_DOUBLE_EQ(zscore(203, b, p.z_cap), 1.5);
  p.min_sigma_abs = 5;
  EXPECT_DOUBLE_EQ(compute_baseline(days_before(kD, {200, 200, 200}), kD, p).sigma, 5);
}

TEST(ZScore, SigmaZeroGivesZeroOrTheCap) {
  Baseline b;
  b.n = 14;
  b.mean = 0;
  b.std = 0;
  b.sigma = 0;  // a series of zeros: the relative floor is 0 too
  EXPECT_DOUBLE_EQ(zscore(0, b, 10), 0);
  EXPECT_DOUBLE_EQ(zscore(0.5, b, 10), 10);
  EXPECT_DOUBLE_EQ(zscore(-0.5, b, 10), -10);
}

}  // namespace
}  // namespace im::spc
