#include <algorithm>
#include <cmath>

#include "spc/sign.h"
#include "spc/spc.h"

namespace im::spc {

namespace {
bool at_least_warning(Severity s) {
  return s == Severity::WARNING || s == Severity::CRITICAL;
}
}  // namespace

double score_component(double v, double w, double c) {
  double s;
  if (v <= w)
    s = 50.0 * v / w;
  else if (v <= c)
    s = 50.0 + 25.0 * (v - w) / (c - w);
  else
    s = 75.0 + 25.0 * (v - c) / (c - w);
  return std::min(s, 100.0);
}

Severity limit_breach(double x, Direction harmful, const Limits& l) {
  if (!std::isfinite(x)) return Severity::NORMAL;
  auto breached = [&](double limit) {
    if (std::isnan(limit)) return false;
    return harmful == Direction::DOWN ? x < limit : x > limit;
  };
  if (breached(l.emergency)) return Severity::EMERGENCY;
  if (breached(l.critical)) return Severity::CRITICAL;
  if (breached(l.warning)) return Severity::WARNING;
  return Severity::NORMAL;
}

Finding evaluate(Day d, double x, bool is_day_value, std::span<const DayValue> values,
                 std::span<const PastScore> past, const MetricRules& mr) {
  const Params& p = mr.params;
  Finding f;
  f.x = x;
  f.baseline = compute_baseline(values, d, p);
  f.is_day_value = is_day_value && std::isfinite(x);
  f.in_baseline = in_baseline(f.baseline, p);
  f.limit = limit_breach(x, mr.direction, mr.limits);
  if (!f.is_day_value || f.in_baseline) return f;

  f.scored = true;
  const double z = zscore(x, f.baseline, p.z_cap);
  f.z = z;

  int side[6] = {0, 0, 0, 0, 0, 0};
  f.rules = western_electric(past, x, z, p.we_rules_enabled, side);
  const bool guard = std::fabs(z) >= p.rule_min_z;
  for (int r : f.rules) {
    if (r <= 2)
      f.rules_12 = true;
    else if (guard)
      f.rules_345_effective = true;
  }

  // Section 5: the previous day value is D-1's, or D-2's when D-1 is missing.
  std::optional<double> prev;
  for (auto it = values.rbegin(); it != values.rend(); ++it) {
    if (it->day >= d) continue;
    if (it->day >= d - 2) prev = it->x;
    break;
  }
  if (prev && *prev != 0) {
    f.roc = (x - *prev) / std::fabs(*prev) * 100.0;
    f.roc_significant = std::fabs(x - *prev) >= f.baseline.sigma;
  }

  // Sections 6-7: the severity each direction's components reach on their own.
  auto harmful = [&](int sg) {
    return mr.direction == Direction::BOTH || (mr.direction == Direction::UP ? sg > 0 : sg < 0);
  };
  auto level = [&](bool want_harmful) {
    Severity lv = Severity::NORMAL;
    auto consider = [&](Severity s, int sg) {
      if (sg != 0 && harmful(sg) == want_harmful) lv = std::max(lv, s);
    };
    if (std::fabs(z) >= p.sigma_critical)
      consider(Severity::CRITICAL, sign(z));
    else if (std::fabs(z) >= p.sigma_warning)
      consider(Severity::WARNING, sign(z));
    for (int r : f.rules) {
      if (r <= 2)
        consider(Severity::CRITICAL, side[r]);
      else if (guard)
        consider(Severity::WARNING, side[r]);
    }
    if (f.roc_significant) {
      double a = std::fabs(*f.roc);
      if (a >= p.roc_critical_pct)
        consider(Severity::CRITICAL, sign(*f.roc));
      else if (a >= p.roc_warning_pct)
        consider(Severity::WARNING, sign(*f.roc));
    }
    return lv;
  };
  const Severity harm = level(true);
  f.benign = level(false);
  if (harm >= Severity::WARNING) {
    f.severity = harm;
    f.harmful = true;
  } else if (f.benign >= Severity::WARNING) {
    f.severity = Severity::INFO;
  }

  // Section 8.
  double s = score_component(std::fabs(z), p.sigma_warning, p.sigma_critical);
  if (f.roc_significant)
    s = std::max(s, score_component(std::fabs(*f.roc), p.roc_warning_pct, p.roc_critical_pct));
  if (f.rules_12)
    s = std::max(s, 75.0);
  else if (f.rules_345_effective)
    s = std::max(s, 50.0);
  f.anomaly_score = std::round(s * 10.0) / 10.0;

  if (at_least_warning(f.severity)) {
    f.consecutive_days = 1;
    for (auto it = past.rbegin(); it != past.rend() && at_least_warning(it->severity); ++it)
      ++f.consecutive_days;
  }
  return f;
}

}  // namespace im::spc
