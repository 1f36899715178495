#include <gtest/gtest.h>

#include "core/day.h"

namespace im {
namespace {

TEST(Day, ParsesAndFormatsIsoDates) {
  auto d = Day::parse("2026-02-15");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->str(), "2026-02-15");
  EXPECT_EQ(Day::parse("1970-01-01")->days_since_epoch(), 0);
}

}  // namespace
}  // namespace im
