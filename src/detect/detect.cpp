#include "detect/detect.h"

#include <charconv>
#include <cmath>
#include <map>
#include <sstream>

#include "core/catalog.h"
#include "core/text_safety.h"
#include "core/types.h"

namespace im::detect {

namespace {

// A series may hold at most this many points (a year of 5-second points): a file whose
// timestamps are far apart at a fine step would otherwise ask for gigabytes of gaps.
constexpr int64_t kMaxPoints = 6'400'000;

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '"')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r' || s[e - 1] == '"')) --e;
  return std::string(s.substr(b, e - b));
}

template <class T>
bool whole(std::string_view s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

// Unix seconds, YYYY-MM-DD, or YYYY-MM-DD[ T]HH:MM:SS[Z]; nullopt when it is none of them.
std::optional<int64_t> parse_time(const std::string& t) {
  int64_t unix_seconds = 0;
  if (whole(t, unix_seconds)) return unix_seconds;
  if (t.size() < 10) return std::nullopt;
  const auto day = Day::parse(std::string_view(t).substr(0, 10));
  if (!day) return std::nullopt;
  if (t.size() == 10) return day->start_unix();
  std::string_view rest = std::string_view(t).substr(10);
  if (rest.front() != ' ' && rest.front() != 'T') return std::nullopt;
  rest.remove_prefix(1);
  if (!rest.empty() && rest.back() == 'Z') rest.remove_suffix(1);
  int h = 0, m = 0, s = 0;
  if (rest.size() != 8 || rest[2] != ':' || rest[5] != ':' || !whole(rest.substr(0, 2), h) ||
      !whole(rest.substr(3, 2), m) || !whole(rest.substr(6, 2), s) || h > 23 || m > 59 || s > 59)
    return std::nullopt;
  return day->start_unix() + h * 3600 + m * 60 + s;
}

struct Row {
  int64_t t;
  double v;
  int line;
};

}  // namespace

Series parse_csv(std::string_view text, const std::string& name, bool by_rows) {
  std::istringstream in{std::string(text)};
  std::string line;
  std::vector<Row> rows;
  int n = 0;
  bool first = true;
  auto refuse = [&](const std::string& what) {
    throw UsageError(name + ", line " + std::to_string(n) + ": " + what);
  };
  while (std::getline(in, line)) {
    ++n;
    const std::string whole_line = trim(line);
    if (whole_line.empty() || whole_line[0] == '#') continue;
    const auto comma = line.find(',');
    if (comma == std::string::npos) refuse("expected timestamp,value");
    const std::string ts = trim(std::string_view(line).substr(0, comma));
    const std::string val = trim(std::string_view(line).substr(comma + 1));
    const auto t = parse_time(ts);
    double v = NAN;
    const bool number = !val.empty() && whole(val, v);
    if (first && !t && !number) {  // a header
      first = false;
      continue;
    }
    first = false;
    if (!t)
      refuse("timestamp \"" + escape_control(ts.substr(0, 40)) +
             "\" is neither Unix seconds nor YYYY-MM-DD[ HH:MM:SS]");
    if (!val.empty() && !number)
      refuse("value \"" + escape_control(val.substr(0, 40)) + "\" is not a number");
    if (number && !std::isfinite(v)) refuse("value " + val + " is not finite");
    if (!by_rows && !rows.empty() && *t <= rows.back().t)
      refuse("timestamp " + ts + " is not after the one before (line " +
             std::to_string(rows.back().line) + ")");
    rows.push_back({*t, v, n});
  }
  if (rows.size() < 2) throw UsageError(name + ": fewer than two points");
  if (by_rows) {
    Series s;
    s.start = rows.front().t;
    std::map<int64_t, int> steps;  // step between rows -> how often
    for (size_t k = 0; k < rows.size(); ++k) {
      s.values.push_back(rows[k].v);
      s.times.push_back(rows[k].t);
      if (k && rows[k].t > rows[k - 1].t) steps[rows[k].t - rows[k - 1].t]++;
    }
    s.step = 1;
    int most = 0;
    for (const auto& [step, n] : steps)
      if (n > most) s.step = step, most = n;
    return s;
  }
  int64_t step = rows[1].t - rows[0].t;
  for (size_t k = 2; k < rows.size(); ++k) step = std::min(step, rows[k].t - rows[k - 1].t);
  Series s;
  s.start = rows.front().t;
  s.step = step;
  for (const auto& r : rows)
    if ((r.t - s.start) % step != 0) {
      n = r.line;
      refuse("timestamp is not on the series' grid of " + std::to_string(step) + " s from " +
             std::to_string(s.start) + " (irregular resolution)");
    }
  const int64_t points = (rows.back().t - s.start) / step + 1;
  if (points > kMaxPoints)
    throw UsageError(name + ": " + std::to_string(points) + " points at a " + std::to_string(step) +
                     " s resolution; at most " + std::to_string(kMaxPoints));
  s.values.assign(static_cast<size_t>(points), NAN);
  for (const auto& r : rows) s.values[static_cast<size_t>((r.t - s.start) / step)] = r.v;
  return s;
}

int window_points(const std::string& text, int64_t step) {
  int64_t n = 0;
  if (whole(text, n) && n >= 1 && n <= 100000) return static_cast<int>(n);
  const std::string bad = "--window \"" + escape_control(text) +
                          "\": expected points (14) or a duration (7d, 12h, 90m, 300s)";
  if (text.size() < 2 || !whole(std::string_view(text).substr(0, text.size() - 1), n) || n < 1)
    throw UsageError(bad);
  const char unit = text.back();
  const int64_t seconds = unit == 'd'   ? n * 86400
                          : unit == 'h' ? n * 3600
                          : unit == 'm' ? n * 60
                          : unit == 's' ? n
                                        : -1;
  if (seconds < 0) throw UsageError(bad);
  if (seconds % step != 0 || seconds / step < 1 || seconds / step > 100000)
    throw UsageError("--window " + text + ": not a whole number of the series' " +
                     std::to_string(step) + " s steps (from 1 to 100,000 of them)");
  return static_cast<int>(seconds / step);
}

std::vector<PointScore> score(const Series& s, const spc::MetricRules& rules) {
  // The series as a metric of its own, for the alert rules (its name, direction and limits).
  const MetricDef def{ServiceType::REDIS,
                      "value",
                      "",
                      "csv",
                      Derivation::GAUGE,
                      "",
                      "",
                      1,
                      Stat::AVG,
                      rules.direction,
                      Dimension::THROUGHPUT,
                      rules.limits,
                      "",
                      "",
                      ""};
  const std::map<InstanceKey, spc::InstanceGrades> no_grades;
  std::vector<spc::DayValue> history;
  std::vector<spc::PastScore> past;
  std::vector<PointScore> out;
  out.reserve(s.values.size());
  for (size_t k = 0; k < s.values.size(); ++k) {
    const Day d{static_cast<int32_t>(k)};  // a point stands for a day
    const double x = s.values[k];
    PointScore p;
    p.time = s.times.empty() ? s.start + static_cast<int64_t>(k) * s.step : s.times[k];
    p.value = x;
    p.finding = spc::evaluate(d, x, !std::isnan(x), history, past, rules);
    if (p.finding.z) past.push_back({d, x, *p.finding.z, p.finding.severity});
    if (!std::isnan(x)) history.push_back({d, x});
    const spc::SeriesFinding sf{InstanceKey{ServiceType::REDIS, "input"}, &def, rules, p.finding};
    for (const auto& a : spc::evaluate_alerts(d, std::span(&sf, 1), no_grades))
      if (!p.alert || *p.alert < a.severity) p.alert = a.severity;
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace im::detect
