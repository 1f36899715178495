#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "spc/spc.h"

namespace im::spc {

namespace {

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string ordinal(int n) {
  int t = n % 100;
  const char* suffix = (t >= 11 && t <= 13) ? "th"
                       : n % 10 == 1        ? "st"
                       : n % 10 == 2        ? "nd"
                       : n % 10 == 3        ? "rd"
                                            : "th";
  return std::to_string(n) + suffix;
}

std::string signed_fixed(double v, int decimals) {
  return (v >= 0 ? "+" : "") + fixed(v, decimals);
}

const char* kHealthAction = "Multi-dimensional problem; review all sub-scores";
const char* kShiftAction = "Likely a new baseline; review if intentional change";

// The evidence in parentheses: baseline, z, rules, rate of change, limit, run length.
std::string evidence(const SeriesFinding& s, AlertType type) {
  const Finding& f = s.finding;
  const std::string unit(s.def->unit);
  std::vector<std::string> parts;
  if (f.scored) {
    parts.push_back("baseline " + format_value(f.baseline.mean, unit) + " ± " +
                    format_value(f.baseline.sigma, unit == "percent" ? "" : unit) +
                    ", z=" + signed_fixed(*f.z, 1));
    if (!f.rules.empty()) parts.back() += ", rules " + join_rules(f.rules);
    if (f.roc && f.roc_significant)
      parts.back() += ", " + signed_fixed(*f.roc, 0) + "% vs previous day";
  } else {
    parts.push_back("in baseline period");
  }
  if (type == AlertType::THRESHOLD) {
    const Limits& l = s.rules.limits;
    double limit = f.limit == Severity::EMERGENCY  ? l.emergency
                   : f.limit == Severity::CRITICAL ? l.critical
                                                   : l.warning;
    std::string lvl(to_string(f.limit));
    std::transform(lvl.begin(), lvl.end(), lvl.begin(), ::tolower);
    parts.push_back((s.rules.direction == Direction::DOWN ? "below " : "above ") + lvl + " limit " +
                    format_value(limit, unit));
  }
  if (f.consecutive_days >= 2) parts.push_back(ordinal(f.consecutive_days) + " day");
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

Alert make_alert(Day d, const SeriesFinding& s, AlertType type, Severity sev) {
  const Finding& f = s.finding;
  Alert a;
  a.date = d;
  a.service = s.instance.service;
  a.instance_id = s.instance.id;
  a.metric = std::string(s.def->name);
  a.alert_type = type;
  a.severity = sev;
  a.value = f.x;
  a.z = f.z;
  a.anomaly_score = f.anomaly_score;
  a.we_rules = join_rules(f.rules);
  a.consecutive_days = f.consecutive_days;
  a.recommended_action = std::string(s.def->action);
  if (f.scored) {
    a.baseline_mean = f.baseline.mean;
    a.baseline_sigma = f.baseline.sigma;
    if (f.roc_significant) a.roc_pct = f.roc;
  }
  return a;
}

void finish_message(Alert& a, const SeriesFinding& s) {
  a.message = std::string(to_string(a.severity)) + " " + a.instance_id + " " + a.metric + " " +
              format_value(s.finding.x, s.def->unit) + " (" + evidence(s, a.alert_type) + ") -> " +
              a.recommended_action;
}

}  // namespace

std::string join_rules(const std::vector<int>& rules) {
  std::string out;
  for (int r : rules) out += (out.empty() ? "" : ",") + std::to_string(r);
  return out;
}

std::string format_value(double v, std::string_view unit) {
  if (!std::isfinite(v)) return "n/a";
  if (unit == "percent") return fixed(v, 1) + "%";
  if (unit == "ms") return fixed(v, 2) + " ms";
  if (unit == "bytes" || unit == "bytes/s") {
    const char* names[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int i = 0;
    double a = v;
    while (std::fabs(a) >= 1024 && i < 4) a /= 1024, ++i;
    return fixed(a, i == 0 ? 0 : 2) + " " + names[i] + (unit == "bytes/s" ? "/s" : "");
  }
  if (unit.empty() || unit == "count") return fixed(v, std::fabs(v) >= 100 ? 0 : 1);
  return fixed(v, 1) + " " + std::string(unit);
}

std::vector<Alert> evaluate_alerts(Day d, std::span<const SeriesFinding> findings,
                                   const std::map<InstanceKey, InstanceGrades>& grades) {
  // Group by instance, keeping the input order inside each group.
  std::map<InstanceKey, std::vector<const SeriesFinding*>> by_instance;
  for (const auto& s : findings) by_instance[s.instance].push_back(&s);

  std::vector<Alert> out;
  for (const auto& [key, series] : by_instance) {
    std::set<std::string_view> present;
    for (const auto* s : series) present.insert(s->def->name);
    auto g = grades.find(key);
    const InstanceGrades no_grades;
    const InstanceGrades& grade = g == grades.end() ? no_grades : g->second;

    std::vector<std::pair<Alert, const SeriesFinding*>> drafts;
    int criticals = 0;
    for (const auto* s : series) {
      const Finding& f = s->finding;
      // One signal, one alert: the preferred metric speaks when the instance has it.
      if (!s->def->preferred.empty() && present.count(s->def->preferred)) continue;
      const Params& p = s->rules.params;
      std::optional<Severity> sev;
      if (f.scored) {
        if (f.harmful && f.severity == Severity::CRITICAL)
          sev = Severity::CRITICAL;
        else if (f.harmful && f.severity == Severity::WARNING &&
                 (f.rules_345_effective || f.consecutive_days >= 2))
          sev = Severity::WARNING;
        else if (!f.harmful && f.benign == Severity::CRITICAL)
          sev = Severity::INFO;
      }
      AlertType type;
      if (f.limit != Severity::NORMAL) {
        type = AlertType::THRESHOLD;
        sev = std::max(sev.value_or(Severity::NORMAL), f.limit);
      } else if (!sev) {
        continue;
      } else if (std::fabs(*f.z) >= p.sigma_warning) {
        type = AlertType::ZSCORE;
      } else if (f.rules_12 || f.rules_345_effective) {
        type = AlertType::WE_RULE;
      } else {
        type = AlertType::ROC;
      }
      if (*sev == Severity::CRITICAL) ++criticals;
      drafts.emplace_back(make_alert(d, *s, type, *sev), s);
    }
    for (auto& [a, s] : drafts) {
      if (a.severity == Severity::CRITICAL && (grade.today == Grade::F || criticals >= 3))
        a.severity = Severity::EMERGENCY;
      finish_message(a, *s);
      out.push_back(std::move(a));
    }

    // A run of 6 scored days at WARNING or above: probably a new normal.
    for (const auto* s : series) {
      if (s->finding.consecutive_days != 6) continue;
      if (!s->def->preferred.empty() && present.count(s->def->preferred)) continue;
      Alert a = make_alert(d, *s, AlertType::BASELINE_SHIFT, Severity::INFO);
      a.recommended_action = kShiftAction;
      a.message = "INFO " + a.instance_id + " " + a.metric + " " +
                  format_value(s->finding.x, s->def->unit) +
                  ": 6 consecutive days at WARNING or above (" + evidence(*s, a.alert_type) +
                  ") -> " + a.recommended_action;
      out.push_back(std::move(a));
    }

    // The grade drops to D or F from a better one.
    if ((grade.today == Grade::D || grade.today == Grade::F) && grade.yesterday &&
        *grade.yesterday < *grade.today) {
      Alert a;
      a.date = d;
      a.service = key.service;
      a.instance_id = key.id;
      a.metric = "health_score";
      a.alert_type = AlertType::HEALTH;
      a.severity = grade.today == Grade::F ? Severity::CRITICAL : Severity::WARNING;
      a.value = grade.score;
      a.recommended_action = kHealthAction;
      a.message = std::string(to_string(a.severity)) + " " + a.instance_id + " health " +
                  (grade.score ? fixed(*grade.score, 1) : "n/a") + " grade " +
                  std::string(to_string(*grade.today)) + " (was " +
                  std::string(to_string(*grade.yesterday)) + " the day before) -> " +
                  a.recommended_action;
      out.push_back(std::move(a));
    }
  }
  return out;
}

}  // namespace im::spc
