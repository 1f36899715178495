#include <algorithm>
#include <cmath>

#include "core/catalog.h"
#include "transform/transform.h"

namespace im::transform {

double quantile_sorted(std::span<const double> v, double q) {
  if (v.empty()) return NAN;
  double h = (double(v.size()) - 1) * q;
  size_t lo = static_cast<size_t>(std::floor(h));
  size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (h - double(lo)) * (v[hi] - v[lo]);
}

bool aggregate_day(const MetricSeries& s, Day day, DailyMetric& out) {
  std::vector<double> vals;
  vals.reserve(s.values.size());
  for (size_t k = 0; k < s.values.size(); ++k) {
    int64_t t = s.start_unix + int64_t(k) * s.step_seconds;
    if (t < day.start_unix() || t >= day.end_unix()) continue;
    if (!std::isnan(s.values[k])) vals.push_back(s.values[k]);
  }
  if (vals.empty()) return false;
  double sum = 0;
  for (double v : vals) sum += v;
  std::sort(vals.begin(), vals.end());
  out.date = day;
  out.service = s.service;
  out.instance_id = s.instance_id;
  out.metric = s.metric;
  out.avg = sum / double(vals.size());
  out.min = vals.front();
  out.max = vals.back();
  out.p95 = quantile_sorted(vals, 0.95);
  out.sample_count = static_cast<int32_t>(vals.size());
  out.expected_samples =
      s.step_seconds > 0 ? static_cast<int32_t>(Day::kSecondsPerDay / s.step_seconds) : 0;
  return true;
}

std::vector<DailyMetric> aggregate(std::span<const MetricSeries> series, Day day) {
  std::vector<DailyMetric> out;
  out.reserve(series.size());
  for (const auto& s : series) {
    DailyMetric m;
    if (!aggregate_day(s, day, m)) continue;
    if (const MetricDef* def = find_metric(s.service, s.metric)) {
      m.unit = def->unit;
      m.source = def->source;
    }
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace im::transform
