#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "core/catalog.h"
#include "transform/transform.h"

namespace im::transform {

bool aggregate_day(const MetricSeries& s, Day day, DailyMetric& out) {
  std::vector<double> vals;
  vals.reserve(s.values.size());
  for (size_t k = 0; k < s.values.size(); ++k) {
    int64_t t = s.start_unix + int64_t(k) * s.step_seconds;
    if (t < day.start_unix() || t >= day.end_unix()) continue;
    if (std::isfinite(s.values[k])) vals.push_back(s.values[k]);
  }
  if (vals.empty()) return false;
  double sum = 0;
  for (double v : vals) sum += v;
  double mean = sum / double(vals.size());
  if (!std::isfinite(mean)) {  // finite values near 1e308 whose sum overflows: a running mean
    mean = 0;
    for (size_t i = 0; i < vals.size(); ++i) mean += (vals[i] - mean) / double(i + 1);
  }
  std::sort(vals.begin(), vals.end());
  out.date = day;
  out.service = s.service;
  out.instance_id = s.instance_id;
  out.metric = s.metric;
  out.avg = mean;
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

std::vector<DailyMetric> normalize_daily(std::span<const SourceDaily> daily, Day day,
                                         std::span<const Instance> inventory,
                                         std::vector<std::string>& notes) {
  std::unordered_map<InstanceKey, const Instance*> inv;
  for (const auto& i : inventory) inv[{i.service, i.id}] = &i;
  std::vector<DailyMetric> out;
  out.reserve(daily.size() * 2);
  for (const SourceDaily& d : daily) {
    if (!plausible(d)) {
      notes.push_back(d.instance_id + " " + d.source_metric +
                      ": the day's statistics are not finite or negative (avg " +
                      std::to_string(d.avg) + ", min " + std::to_string(d.min) + ", max " +
                      std::to_string(d.max) + ", p95 " + std::to_string(d.p95) +
                      "); this series-day is not used");
      continue;
    }
    for (const MetricDef& m : metric_catalog()) {
      if (m.service != d.service || m.input != d.source_metric) continue;
      double k = m.scale;
      if (m.derivation == Derivation::STORAGE_PCT) {
        auto it = inv.find({d.service, d.instance_id});
        const double alloc = it == inv.end() ? 0 : it->second->allocated_storage_gb;
        if (alloc <= 0) {
          notes.push_back(d.instance_id + ": allocated storage unknown in the inventory, so no " +
                          std::string(m.name));
          continue;
        }
        k = 100.0 / (alloc * double(1ULL << 30));
      } else if (m.derivation != Derivation::GAUGE) {
        notes.push_back(std::string(m.name) + " cannot be derived from daily statistics of " +
                        d.source_metric);
        continue;
      }
      DailyMetric r;
      r.date = day;
      r.service = d.service;
      r.instance_id = d.instance_id;
      r.metric = m.name;
      r.unit = m.unit;
      r.avg = d.avg * k;
      r.min = d.min * k;
      r.max = d.max * k;
      r.p95 = d.p95 * k;
      r.sample_count = d.sample_count;
      r.expected_samples = d.expected_samples;
      r.source = m.source;
      r.p95_method = d.p95_method;
      out.push_back(std::move(r));
    }
  }
  return out;
}

}  // namespace im::transform
