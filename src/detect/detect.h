// The detection engine on one ad-hoc series (issue #15, `detect`): a CSV of timestamp,value at
// any regular resolution, scored point by point as the pipeline scores a series day by day (a
// point stands for a day: the baseline window and the rules count points). Pure: text in,
// findings out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "spc/spc.h"

namespace im::detect {

// A regular series: the value of point k is at start + k * step (Unix seconds); NaN = a gap.
// Read by rows, point k is row k and `times` holds each row's own timestamp.
struct Series {
  int64_t start = 0, step = 0;
  std::vector<double> values;
  std::vector<int64_t> times;  // by rows only
};

// `timestamp,value` lines, an optional header, '#' comments. A timestamp is Unix seconds,
// YYYY-MM-DD, or YYYY-MM-DD HH:MM:SS (also with a T and a trailing Z), UTC. The resolution is
// the smallest step between timestamps; every timestamp must lie on that grid, after the one
// before it. Throws UsageError naming `name`, the line and the problem.
// `by_rows`: each row is the next point whatever its timestamp says (duplicate or irregular
// timestamps are kept, as benchmarks such as NAB count points); `step` is then the most common
// step between rows, for a window given as a duration.
Series parse_csv(std::string_view text, const std::string& name, bool by_rows = false);

// The baseline window as points: "14" (points) or a duration of whole steps, "7d", "12h",
// "90m", "300s". Throws UsageError.
int window_points(const std::string& text, int64_t step);

struct PointScore {
  int64_t time = 0;
  double value = 0;               // NaN for a gap
  spc::Finding finding;           // the engine's, as for a series-day
  std::optional<Severity> alert;  // the alert it would raise (methodology section 11), if any
};

// Scores every point under `rules` (its window, thresholds, rules and direction).
std::vector<PointScore> score(const Series& s, const spc::MetricRules& rules);

}  // namespace im::detect
