// The one-pass reader of GetMetricData's JSON answers: what it extracts, what it skips, and
// how it refuses text that is not such an answer.
#include <gtest/gtest.h>

#include "collect/aws/gmd_json.h"

namespace im::collect::aws {
namespace {

std::vector<GmdResult> read(std::string_view json, std::string& token, std::string& error) {
  std::vector<GmdResult> out;
  error = scan_get_metric_data(
      json, [&](GmdResult& r) { out.push_back(r); }, token);
  return out;
}

TEST(GetMetricDataJson, ReadsIdsTimestampsValuesAndTheToken) {
  // Members in any order, whitespace, escapes in skipped strings, nested skipped values.
  const std::string json = R"( {
    "Messages": [{"Code": "Partial", "Value": "a \"quoted\" [text]"}],
    "MetricDataResults": [
      {"Label": "CPUUtilization \"Average\" {x}", "Values": [13.5, -2e-3, 7],
       "Timestamps": [1795132800, 1795133100.0, 1.7951334e9], "Id": "q12",
       "StatusCode": "PartialData", "Messages": []},
      {"Id": "q\u0031", "Timestamps": [], "Values": [], "StatusCode": "Complete"}
    ],
    "NextToken": "tok\/en==" } )";
  std::string token, error;
  auto r = read(json, token, error);
  ASSERT_EQ(error, "");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].id, "q12");
  EXPECT_EQ(r[0].timestamps, (std::vector<int64_t>{1795132800, 1795133100, 1795133400}));
  EXPECT_EQ(r[0].values, (std::vector<double>{13.5, -0.002, 7}));
  EXPECT_EQ(r[1].id, "q1");
  EXPECT_TRUE(r[1].timestamps.empty());
  EXPECT_EQ(token, "tok/en==");
}

TEST(GetMetricDataJson, NoTokenAndNoResultsAreFine) {
  std::string token = "stale", error;
  EXPECT_TRUE(read(R"({"MetricDataResults": [], "NextToken": null})", token, error).empty());
  EXPECT_EQ(error, "");
  EXPECT_EQ(token, "");
}

TEST(GetMetricDataJson, RefusesWhatIsNotAnAnswer) {
  const std::pair<std::string, std::string> cases[] = {
      {"<html>500</html>", "a value of the wrong type at byte 0"},
      {R"({"MetricDataResults": [{"Id": "q0", "Values": [1, )",
       "cut short, or text after the answer at byte 0"},
      {R"({"MetricDataResults": [{"Id": "q0", "Values": ["1"]}]})",
       "a value of the wrong type at byte 47"},
      {R"({"MetricDataResults": {}})", "a value of the wrong type at byte 22"},
      {R"({"a": 1} trailing)", "cut short, or text after the answer at byte 0"},
      {R"({"a": 1} {})", "text after the answer at byte 9"},
      {R"({"a": "unterminated)", "a string is never closed"},
      {"", "no JSON at all"},
  };
  for (const auto& [json, want] : cases) {
    std::string token, error;
    read(json, token, error);
    EXPECT_EQ(error, want) << json;
  }
}

}  // namespace
}  // namespace im::collect::aws
