#include <gtest/gtest.h>

#include "pipeline/pipeline.h"

namespace im::pipeline {
namespace {

const Day kToday = *Day::parse("2026-11-29");

std::vector<std::string> strs(const std::vector<Day>& days) {
  std::vector<std::string> out;
  for (Day d : days) out.push_back(d.str());
  return out;
}

TEST(PlanDays, DefaultsToYesterdayUtc) {
  EXPECT_EQ(strs(plan_days({}, kToday)), std::vector<std::string>{"2026-11-28"});
}

TEST(PlanDays, BackfillIsTheNDaysBeforeTodayOldestFirst) {
  DateSelection s;
  s.backfill = 3;
  EXPECT_EQ(strs(plan_days(s, kToday)),
            (std::vector<std::string>{"2026-11-26", "2026-11-27", "2026-11-28"}));
}

TEST(PlanDays, RangeIsInclusiveAndInOrder) {
  DateSelection s;
  s.start = Day::parse("2026-02-27");
  s.end = Day::parse("2026-03-01");
  EXPECT_EQ(strs(plan_days(s, kToday)),
            (std::vector<std::string>{"2026-02-27", "2026-02-28", "2026-03-01"}));
}

TEST(PlanDays, RefusesContradictionsAndIncompleteDays) {
  DateSelection both;
  both.backfill = 2;
  both.target = Day::parse("2026-11-01");
  EXPECT_THROW(plan_days(both, kToday), UsageError);
  DateSelection half;
  half.start = Day::parse("2026-11-01");
  EXPECT_THROW(plan_days(half, kToday), UsageError);
  DateSelection backwards;
  backwards.start = Day::parse("2026-11-05");
  backwards.end = Day::parse("2026-11-01");
  EXPECT_THROW(plan_days(backwards, kToday), UsageError);
  DateSelection today;
  today.target = kToday;  // not complete yet
  EXPECT_THROW(plan_days(today, kToday), UsageError);
  DateSelection zero;
  zero.backfill = 0;
  EXPECT_THROW(plan_days(zero, kToday), UsageError);
}

TEST(Steps, ParsesListsAndRanges) {
  EXPECT_EQ(parse_steps("9,10,11"), (std::set<int>{9, 10, 11}));
  EXPECT_EQ(parse_steps("9-13"), (std::set<int>{9, 10, 11, 12, 13}));
  EXPECT_EQ(parse_steps("1, 3-4,14"), (std::set<int>{1, 3, 4, 14}));
  for (const char* bad : {"0", "15", "a", "9-", "13-9", "", ","})
    EXPECT_THROW(parse_steps(bad), UsageError) << bad;
}

TEST(Steps, InMemoryHandOffsMustBeSelectedTogether) {
  EXPECT_NO_THROW(validate_steps({9, 10, 11, 12, 13}));
  EXPECT_NO_THROW(validate_steps({1, 3, 6, 7, 8}));
  EXPECT_THROW(validate_steps({10, 11}), UsageError);   // 10 needs 9
  EXPECT_THROW(validate_steps({6, 7, 8}), UsageError);  // 6 needs a collection step
  EXPECT_THROW(validate_steps({3, 6}), UsageError);     // 3 needs 1
  try {
    validate_steps({11});
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(),
                 "--steps: step 11 (Persist Anomaly Scores) needs step 10 in the same run");
  }
}

}  // namespace
}  // namespace im::pipeline
