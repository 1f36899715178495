#include "core/backoff.h"

#include <gtest/gtest.h>

namespace im {
namespace {

TEST(Backoff, CeilingsDoubleUpToTheCap) {
  Backoff b(2.0, 20.0, 42);
  EXPECT_DOUBLE_EQ(b.ceiling(0), 2.0);
  EXPECT_DOUBLE_EQ(b.ceiling(1), 4.0);
  EXPECT_DOUBLE_EQ(b.ceiling(3), 16.0);
  EXPECT_DOUBLE_EQ(b.ceiling(4), 20.0);
  EXPECT_DOUBLE_EQ(b.ceiling(1000), 20.0);  // no overflow to inf
  EXPECT_DOUBLE_EQ(b.ceiling(-3), 2.0);
}

TEST(Backoff, DelaysAreFullJitterBelowTheCeiling) {
  Backoff b(1.0, 8.0, 7);
  for (int retry = 0; retry < 6; ++retry) {
    double lo = 1e9, hi = -1, sum = 0;
    const int n = 4000;
    for (int i = 0; i < n; ++i) {
      const double d = b.delay(retry);
      lo = std::min(lo, d), hi = std::max(hi, d), sum += d;
    }
    const double c = b.ceiling(retry);
    EXPECT_GE(lo, 0.0);
    EXPECT_LE(hi, c);
    // Uniform on [0, c]: the draws reach both ends and average c/2 (4000 draws: +-3%).
    EXPECT_LT(lo, 0.01 * c);
    EXPECT_GT(hi, 0.99 * c);
    EXPECT_NEAR(sum / n, c / 2, 0.03 * c) << retry;
  }
}

TEST(Backoff, NoBaseMeansNoWait) {
  Backoff b(0.0, 10.0);
  EXPECT_EQ(b.delay(0), 0.0);
  EXPECT_EQ(b.delay(5), 0.0);
}

}  // namespace
}  // namespace im
