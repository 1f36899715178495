// The labelled-incidents reader and the grading of alerts against known incidents (issue #15):
// the conventions of ../shared/tools/labelled-fleet/README.md, on rows made by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "backtest/backtest.h"
#include "core/types.h"
#include "test_util.h"

namespace im::backtest {
namespace {

const Day kFirst = *Day::parse("2026-11-10");

// ---- golden bad files: tests/data/backtest/bad/* ----------------------------------------
// A CSV's "# expect: TEXT" line, or a JSON's "expect" member, is the message it must give;
// CONFIG stands for the file's path.
std::vector<std::string> bad_files() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(test::data_dir() / "backtest" / "bad"))
    out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string expected_message(const std::string& path, const std::string& text) {
  std::string want;
  if (path.ends_with(".json")) {
    const auto at = text.find("\"expect\": \"") + 11;
    for (size_t k = at; k < text.size() && text[k] != '"'; ++k)
      want += text[k] == '\\' ? text[++k] : text[k];  // \" stands for "
  } else {
    want = text.substr(10, text.find('\n') - 10);
  }
  const auto config = want.find("CONFIG");
  return want.replace(config, 6, path);
}

class BadTruth : public testing::TestWithParam<std::string> {};

TEST_P(BadTruth, IsRefusedNamingTheFileThePlaceAndTheProblem) {
  const std::string text = test::read_file(GetParam());
  try {
    parse_truth(text, GetParam());
    ADD_FAILURE() << "accepted";
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()), expected_message(GetParam(), text));
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, BadTruth, testing::ValuesIn(bad_files()),
                         [](const testing::TestParamInfo<std::string>& p) {
                           auto stem = std::filesystem::path(p.param).stem().string();
                           return stem;
                         });

TEST(Truth, CsvAndJsonReadTheSameIncidents) {
  const Truth csv = parse_truth(
      "instance,metrics,first_day,last_day,kind,id\n"
      "redis-1,memory_usage_pct;memory_used_bytes,2026-11-12,2026-11-14,memory_leak,A\n"
      "# a comment\n\n"
      "redis-2, cpu_user_pct ,2026-11-15,2026-11-15,,B\r\n",
      "t.csv");
  const Truth json = parse_truth(
      R"({"metrics": {"memory_usage_pct": "up"}, "controls": ["redis-3"],
          "instances": {"redis-1": {}, "redis-2": {}, "redis-3": {}},
          "incidents": [
        {"id": "A", "instance": "redis-1", "type": "memory_leak", "start_day": "2026-11-12",
         "end_day": "2026-11-14", "metrics": {"memory_usage_pct": "up", "memory_used_bytes": "up"}},
        {"id": "B", "instance": "redis-2", "start_day": "2026-11-15", "end_day": "2026-11-15",
         "metrics": ["cpu_user_pct"]}]})",
      "t.json");
  for (const Truth* t : {&csv, &json}) {
    ASSERT_EQ(t->incidents.size(), 2u);
    EXPECT_EQ(t->incidents[0].id, "A");
    EXPECT_EQ(t->incidents[0].kind, "memory_leak");
    EXPECT_EQ(t->incidents[0].metrics,
              (std::set<std::string>{"memory_usage_pct", "memory_used_bytes"}));
    EXPECT_EQ(t->incidents[0].first.str(), "2026-11-12");
    EXPECT_EQ(t->incidents[0].last.str(), "2026-11-14");
    EXPECT_EQ(t->incidents[1].instance, "redis-2");
    EXPECT_EQ(t->incidents[1].metrics, (std::set<std::string>{"cpu_user_pct"}));
    EXPECT_EQ(t->incidents[1].kind, "");
  }
  EXPECT_EQ(json.controls, (std::set<std::string>{"redis-3"}));
  EXPECT_EQ(json.metrics, (std::set<std::string>{"memory_usage_pct"}));
}

// ---- grading ----------------------------------------------------------------------------
AnomalyScoreRow scored(const std::string& inst, const std::string& metric, Day d) {
  AnomalyScoreRow r;
  r.date = d;
  r.instance_id = inst;
  r.metric = metric;
  r.z = 0.5;
  return r;
}

Alert alert(const std::string& inst, const std::string& metric, Day d, Severity s,
            AlertType t = AlertType::ZSCORE) {
  Alert a;
  a.date = d;
  a.instance_id = inst;
  a.metric = metric;
  a.severity = s;
  a.alert_type = t;
  return a;
}

TEST(Grading, FollowsTheLabelledFleetConventions) {
  Truth t;
  t.controls = {"ctl"};
  t.incidents = {{"leak", "memory_leak", "a", {"memory_usage_pct"}, kFirst + 2, kFirst + 4},
                 {"drift", "slow_drift", "b", {"cpu_user_pct"}, kFirst + 3, kFirst + 6},
                 {"quiet", "subtle", "a", {"ops_per_sec"}, kFirst + 5, kFirst + 6}};
  std::vector<AnomalyScoreRow> scores;
  for (int d = 0; d < 10; ++d)
    for (const char* inst : {"a", "b", "ctl"})
      for (const char* m : {"memory_usage_pct", "cpu_user_pct", "ops_per_sec"})
        scores.push_back(scored(inst, m, kFirst + d));
  scores.push_back(scored("a", "memory_usage_pct", kFirst + 20));  // outside the range
  scores.back().z.reset();
  const std::vector<Alert> alerts = {
      alert("a", "memory_usage_pct", kFirst + 3, Severity::CRITICAL),  // leak, day 1
      alert("a", "memory_usage_pct", kFirst + 6, Severity::WARNING),   // leak + 2 days: true
      alert("a", "memory_usage_pct", kFirst + 7, Severity::CRITICAL),  // leak + 3 days: false
      alert("b", "cpu_user_pct", kFirst + 6, Severity::WARNING, AlertType::WE_RULE),  // day 3
      alert("b", "ops_per_sec", kFirst + 4, Severity::WARNING),  // not its metric: false
      alert("ctl", "ops_per_sec", kFirst + 1, Severity::CRITICAL, AlertType::WE_RULE),  // false
      alert("ctl", "ops_per_sec", kFirst + 1, Severity::INFO),  // INFO: counted by severity only
      alert("a", "health_score", kFirst + 3, Severity::CRITICAL, AlertType::HEALTH),
      alert("a", "memory_usage_pct", kFirst + 12, Severity::CRITICAL),  // after the range
  };
  const Report r = grade(t, alerts, scores, kFirst, kFirst + 9);
  EXPECT_EQ(r.incidents, 3);
  EXPECT_EQ(r.detected_by_day[0], 0);
  EXPECT_EQ(r.detected_by_day[1], 1);
  EXPECT_EQ(r.detected_later, 1);
  EXPECT_EQ(r.missed, 1);
  EXPECT_EQ(r.missed_ids, (std::vector<std::string>{"quiet"}));
  EXPECT_DOUBLE_EQ(r.recall(1), 1.0 / 3);
  EXPECT_EQ(r.by_kind.at("memory_leak"), (std::pair<int, int>{1, 1}));
  EXPECT_EQ(r.by_kind.at("slow_drift"), (std::pair<int, int>{0, 1}));
  EXPECT_EQ(r.scored_series_days, 90);
  EXPECT_EQ(r.control_series_days, 30);
  EXPECT_EQ(r.false_alerts, 3);
  EXPECT_EQ(r.false_on_controls, 1);
  EXPECT_DOUBLE_EQ(r.false_per_1000(), 1000.0 * 3 / 90);
  EXPECT_EQ(r.false_by_metric.at("ops_per_sec"), 2);
  EXPECT_EQ(r.false_by_metric.at("memory_usage_pct"), 1);
  EXPECT_EQ(r.false_by_type.at(AlertType::WE_RULE), 1);
  EXPECT_EQ(r.critical_plus, 3);  // the health alert is not graded
  EXPECT_EQ(r.critical_plus_true, 1);
  EXPECT_EQ(r.alerts_by_severity.at(Severity::CRITICAL), 4);
  EXPECT_EQ(r.alerts_by_severity.at(Severity::INFO), 1);
  EXPECT_DOUBLE_EQ(r.alerts_per_day(), 8.0 / 10);
}

TEST(Grading, RefusesAnIncidentOnAnInstanceTheRangeDoesNotHave) {
  Truth t;
  t.incidents = {{"x", "", "redis-elsewhere", {"cpu_user_pct"}, kFirst, kFirst}};
  const std::vector<AnomalyScoreRow> scores = {scored("a", "cpu_user_pct", kFirst)};
  try {
    grade(t, {}, scores, kFirst, kFirst);
    ADD_FAILURE() << "graded";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("incident x names instance \"redis-elsewhere\""),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(grade({}, {}, scores, kFirst + 1, kFirst), UsageError);  // an empty range
}

}  // namespace
}  // namespace im::backtest
