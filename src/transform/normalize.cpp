#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <tuple>
#include <unordered_map>

#include "core/catalog.h"
#include "transform/transform.h"

namespace im::transform {

std::vector<double> counter_rate(std::span<const double> c, int32_t step, int max_gap_steps) {
  std::vector<double> rate(c.size(), NAN);
  int last = -1;
  for (int k = 0; k < static_cast<int>(c.size()); ++k) {
    if (std::isnan(c[k])) continue;
    if (last >= 0 && k - last <= max_gap_steps) {
      double delta = c[k] >= c[last] ? c[k] - c[last] : c[k];  // reset: restarted from 0
      rate[k] = delta / (double(k - last) * step);
    }
    last = k;
  }
  return rate;
}

size_t drop_impossible_samples(RawSeries& s) {
  size_t dropped = 0;
  for (double& v : s.values)
    if (!std::isnan(v) && (!std::isfinite(v) || v < 0)) {
      v = NAN;
      ++dropped;
    }
  return dropped;
}

bool plausible(const SourceDaily& d) {
  for (double v : {d.avg, d.min, d.max, d.p95})
    if (!std::isfinite(v) || v < 0) return false;
  return true;
}

namespace {

// Deltas of a counter per interval (rate × seconds), NaN where unknown.
std::vector<double> counter_delta(std::span<const double> c, int32_t step) {
  auto r = counter_rate(c, step);
  for (double& v : r) v *= step;
  return r;
}

struct InstanceInputs {
  ServiceType service;
  // source metric -> series (more than one when a label set splits it, e.g. per database)
  std::map<std::string, std::vector<const RawSeries*>, std::less<>> by_metric;
};

}  // namespace

Normalized normalize(std::span<const RawSeries> raw, std::span<const Instance> inventory) {
  Normalized out;
  std::unordered_map<InstanceKey, const Instance*> inv;
  for (const auto& i : inventory) inv[{i.service, i.id}] = &i;

  std::map<InstanceKey, InstanceInputs> groups;  // ordered: deterministic output
  for (const auto& r : raw) {
    auto& g = groups[{r.service, r.instance_id}];
    g.service = r.service;
    g.by_metric[r.source_metric].push_back(&r);
  }

  for (const auto& [key, g] : groups) {
    const std::string& instance_id = key.id;
    auto first = [&](std::string_view name) -> const RawSeries* {
      auto it = g.by_metric.find(name);
      return it == g.by_metric.end() ? nullptr : it->second.front();
    };
    for (const MetricDef& m : metric_catalog()) {
      if (m.service != g.service) continue;
      const RawSeries* in = first(m.input);
      if (!in) continue;
      const size_t n = in->values.size();
      MetricSeries s{g.service,      instance_id,      std::string(m.name),
                     in->start_unix, in->step_seconds, {}};
      s.values.assign(n, NAN);
      switch (m.derivation) {
        case Derivation::GAUGE:
          for (size_t k = 0; k < n; ++k) s.values[k] = in->values[k] * m.scale;
          break;
        case Derivation::RATE: {
          auto r = counter_rate(in->values, in->step_seconds);
          for (size_t k = 0; k < n; ++k) s.values[k] = r[k] * m.scale;
          break;
        }
        case Derivation::SUM_GAUGE: {
          const auto& parts = g.by_metric.find(m.input)->second;
          for (size_t k = 0; k < n; ++k) {
            double sum = 0;
            for (const RawSeries* p : parts) sum += k < p->values.size() ? p->values[k] : NAN;
            s.values[k] = sum;  // NaN if any database's sample is missing
          }
          break;
        }
        case Derivation::RATIO_PCT: {
          const RawSeries* den = first(m.input2);
          bool any_limit = false;
          for (size_t k = 0; den && k < n && k < den->values.size(); ++k) {
            double d = den->values[k];
            if (d > 0) {
              any_limit = true;
              s.values[k] = 100.0 * in->values[k] / d;
            }
          }
          if (!any_limit) {
            out.notes.push_back(instance_id + ": " + std::string(m.input2) +
                                " is 0 or absent (no limit set), so no " + std::string(m.name));
            continue;
          }
          break;
        }
        case Derivation::HIT_RATIO_PCT: {
          const RawSeries* other = first(m.input2);
          if (!other) continue;
          auto a = counter_delta(in->values, in->step_seconds);
          auto b = counter_delta(other->values, other->step_seconds);
          for (size_t k = 0; k < n && k < b.size(); ++k)
            if (a[k] + b[k] > 0) s.values[k] = 100.0 * a[k] / (a[k] + b[k]);
          break;
        }
        case Derivation::STORAGE_PCT: {
          auto it = inv.find(key);
          double alloc = it == inv.end() ? 0 : it->second->allocated_storage_gb;
          if (alloc <= 0) {
            out.notes.push_back(instance_id +
                                ": allocated storage unknown in the inventory, so no " +
                                std::string(m.name));
            continue;
          }
          const double bytes = alloc * double(1ULL << 30);
          for (size_t k = 0; k < n; ++k) s.values[k] = 100.0 * in->values[k] / bytes;
          break;
        }
      }
      out.series.push_back(std::move(s));
    }
  }
  return out;
}

NormalizedDay normalize_day(CollectedDay collected, Day day, std::span<const Instance> inventory) {
  NormalizedDay out;
  std::unordered_map<InstanceKey, const Instance*> known_by_key;
  for (const auto& i : inventory) known_by_key[{i.service, i.id}] = &i;
  auto& raw = collected.series;
  std::stable_sort(raw.begin(), raw.end(), [](const RawSeries& a, const RawSeries& b) {
    return std::tie(a.service, a.instance_id) < std::tie(b.service, b.instance_id);
  });
  for (size_t i = 0; i < raw.size();) {
    size_t j = i;
    while (j < raw.size() && raw[j].service == raw[i].service &&
           raw[j].instance_id == raw[i].instance_id)
      ++j;
    for (size_t k = i; k < j; ++k)
      if (size_t bad = drop_impossible_samples(raw[k])) {
        out.impossible += bad;
        out.dropped.push_back(std::string(to_string(raw[k].service)) + " " + raw[k].instance_id +
                              " " + raw[k].source_metric +
                              (raw[k].labels.empty() ? "" : "{" + raw[k].labels + "}") + ": " +
                              std::to_string(bad) + " sample(s) not finite or negative, dropped");
      }
    auto inst = known_by_key.find({raw[i].service, raw[i].instance_id});
    std::span<const Instance> known;
    if (inst != known_by_key.end()) known = std::span<const Instance>(inst->second, 1);
    auto n = normalize(std::span<const RawSeries>(raw).subspan(i, j - i), known);
    out.notes.insert(out.notes.end(), n.notes.begin(), n.notes.end());
    std::move(n.series.begin(), n.series.end(), std::back_inserter(out.series));
    for (size_t k = i; k < j; ++k) std::vector<double>().swap(raw[k].values);
    i = j;
  }
  raw.clear();
  raw.shrink_to_fit();
  out.daily = normalize_daily(collected.daily, day, inventory, out.notes);
  return out;
}

}  // namespace im::transform
