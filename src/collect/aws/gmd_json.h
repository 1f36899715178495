// Reading a GetMetricData answer of the AWS JSON 1.0 protocol in one pass, without building
// a document: MetricDataResults[*].Id / Timestamps / Values and the top-level NextToken; any
// other member (Label, StatusCode, Messages, ...) is skipped whatever its shape. A 500-query
// answer is ~55 KB; a DOM parse of it cost 6 M instructions, most of the client's CPU per
// request (docs/architecture.md).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace im::collect::aws {

struct GmdResult {
  std::string id;
  std::vector<int64_t> timestamps;  // Unix seconds
  std::vector<double> values;
};

// Calls `on_result` for each result, sets `next_token` ("" when none). Returns "" or, for
// text that is not the JSON it should be, what is wrong and where.
std::string scan_get_metric_data(std::string_view json,
                                 const std::function<void(GmdResult&)>& on_result,
                                 std::string& next_token);

}  // namespace im::collect::aws
