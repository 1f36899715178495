// `detect`'s reader and scoring (issue #15): the CSV of one ad-hoc series, its grid, its window,
// and the engine point by point, as the pipeline scores a series day by day.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "core/types.h"
#include "detect/detect.h"
#include "test_util.h"

namespace im::detect {
namespace {

// ---- golden bad files: tests/data/detect/bad/*.csv, first line "# expect: TEXT" ------------
std::vector<std::string> bad_files() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(test::data_dir() / "detect" / "bad"))
    out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

class BadSeries : public testing::TestWithParam<std::string> {};

TEST_P(BadSeries, IsRefusedNamingTheFileTheLineAndTheProblem) {
  const std::string text = test::read_file(GetParam());
  std::string want = text.substr(10, text.find('\n') - 10);
  want.replace(want.find("CONFIG"), 6, GetParam());
  try {
    parse_csv(text, GetParam());
    ADD_FAILURE() << "accepted";
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()), want);
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, BadSeries, testing::ValuesIn(bad_files()),
                         [](const testing::TestParamInfo<std::string>& p) {
                           return std::filesystem::path(p.param).stem().string();
                         });

TEST(DetectCsv, ReadsEveryTimestampFormOntoOneGridWithGaps) {
  const Series s = parse_csv(
      "timestamp,value\n"
      "2026-11-03 00:00:00,1.5\n"
      "2026-11-03T00:05:00Z,2\n"
      "# a comment\n"
      "1793665200,\n"  // 00:20 as Unix seconds, an empty value: a gap
      "2026-11-03 00:30:00, 4e1 \n",
      "s.csv");
  EXPECT_EQ(s.start, Day::parse("2026-11-03")->start_unix());
  EXPECT_EQ(s.step, 300);
  ASSERT_EQ(s.values.size(), 7u);
  EXPECT_EQ(s.values[0], 1.5);
  EXPECT_EQ(s.values[1], 2);
  EXPECT_TRUE(std::isnan(s.values[2]));  // 00:10, absent
  EXPECT_TRUE(std::isnan(s.values[4]));  // 00:20, empty
  EXPECT_EQ(s.values[6], 40);
  const Series daily = parse_csv("2026-11-01,3\n2026-11-02,4\n2026-11-04,5\n", "d.csv");
  EXPECT_EQ(daily.step, 86400);
  EXPECT_EQ(daily.values.size(), 4u);
}

TEST(DetectCsv, ByRowsKeepsDuplicateAndIrregularTimestamps) {
  // A daylight-saving artefact as in two NAB files: rows of one hour stamped alike.
  const std::string text =
      "timestamp,value\n2014-03-09 01:54:00,1\n2014-03-09 01:59:00,2\n"
      "2014-03-09 03:00:00,3\n2014-03-09 03:00:00,4\n2014-03-09 03:04:00,5\n"
      "2014-03-09 03:09:00,6\n";
  EXPECT_THROW(parse_csv(text, "dst.csv"), UsageError);
  const Series s = parse_csv(text, "dst.csv", /*by_rows=*/true);
  EXPECT_EQ(s.values, (std::vector<double>{1, 2, 3, 4, 5, 6}));
  ASSERT_EQ(s.times.size(), 6u);
  EXPECT_EQ(s.times[2], s.times[3]);
  EXPECT_EQ(s.step, 300);  // the most common step
  spc::MetricRules rules;
  const auto scored = score(s, rules);
  EXPECT_EQ(scored[3].time, s.times[3]);
}

TEST(DetectCsv, WindowInPointsOrAsADurationOfWholeSteps) {
  EXPECT_EQ(window_points("14", 86400), 14);
  EXPECT_EQ(window_points("7d", 86400), 7);
  EXPECT_EQ(window_points("1d", 300), 288);
  EXPECT_EQ(window_points("90m", 300), 18);
  EXPECT_THROW(window_points("100s", 300), UsageError);  // not whole steps
  EXPECT_THROW(window_points("0", 300), UsageError);
  EXPECT_THROW(window_points("2w", 300), UsageError);
  EXPECT_THROW(window_points("", 300), UsageError);
}

TEST(DetectScore, ASpikeAfterAQuietBaselineIsCriticalAndAlerts) {
  Series s;
  s.start = 1762128000;
  s.step = 3600;
  for (int k = 0; k < 40; ++k) s.values.push_back(100 + (k % 5) - 2);  // 98..102
  s.values[20] = NAN;                                                  // a gap
  s.values[35] = 130;                                                  // the incident
  spc::MetricRules rules;
  rules.direction = Direction::UP;
  const auto scored = score(s, rules);
  ASSERT_EQ(scored.size(), 40u);
  EXPECT_EQ(scored[1].time, s.start + 3600);
  EXPECT_FALSE(scored[5].finding.scored);   // still in baseline (14 points needed)
  EXPECT_FALSE(scored[20].finding.scored);  // the gap
  const auto& spike = scored[35];
  ASSERT_TRUE(spike.finding.z);
  EXPECT_GT(*spike.finding.z, 3);
  EXPECT_EQ(spike.finding.severity, Severity::CRITICAL);
  ASSERT_TRUE(spike.alert);
  EXPECT_GE(*spike.alert, Severity::CRITICAL);
  int alerting = 0;
  for (const auto& p : scored) alerting += p.alert && *p.alert >= Severity::WARNING;
  EXPECT_EQ(alerting, 1);             // the steady points raise nothing
  rules.direction = Direction::DOWN;  // a rise is benign then: INFO at most
  const auto benign = score(s, rules);
  EXPECT_FALSE(benign[35].alert && *benign[35].alert >= Severity::WARNING);
}

}  // namespace
}  // namespace im::detect
