#include "scoring/scoring.h"

#include <algorithm>
#include <cmath>

namespace im::scoring {

EffectiveMetric effective_metric(const Settings& s, const MetricDef& def) {
  EffectiveMetric m;
  m.def = &def;
  m.spc_stat = def.spc_stat;
  m.rules.direction = def.direction;
  m.rules.limits = def.limits;
  auto it = s.metric_overrides.find(std::string(def.name));
  const Settings::MetricOverride* o = it == s.metric_overrides.end() ? nullptr : &it->second;
  m.rules.params = o ? o->params : s.spc;
  // The catalog may restrict a metric's rules (free storage: 1,2): it narrows the configured
  // set unless the metric's own spc.metrics.<name>.we_rules_enabled says otherwise.
  if (!def.we_rules.empty() && !(o && o->we_rules_set)) {
    auto& rules = m.rules.params.we_rules_enabled;
    std::erase_if(
        rules, [&](int r) { return def.we_rules.find(char('0' + r)) == std::string_view::npos; });
  }
  if (!o) return m;
  if (o->spc_stat) m.spc_stat = *o->spc_stat;
  if (o->direction) m.rules.direction = *o->direction;
  if (o->limit_warning) m.rules.limits.warning = *o->limit_warning;
  if (o->limit_critical) m.rules.limits.critical = *o->limit_critical;
  if (o->limit_emergency) m.rules.limits.emergency = *o->limit_emergency;
  return m;
}

// ---- History -------------------------------------------------------------------------------

HistoryBuilder::HistoryBuilder(const Settings& s, Day day) : settings_(s), day_(day) {}

Day HistoryBuilder::first_day() const {
  int window = settings_.spc.rolling_window_days;
  for (const auto& [name, o] : settings_.metric_overrides)
    window = std::max(window, o.params.rolling_window_days);
  return day_ - 2 * window;
}

// Catalog lookups and overrides once per metric, not once per row.
const EffectiveMetric* HistoryBuilder::metric_of(ServiceType svc, const std::string& name) {
  auto [it, fresh] = metrics_.try_emplace({svc, name});
  if (fresh)
    if (const MetricDef* def = find_metric(svc, name))
      it->second = effective_metric(settings_, *def);
  return it->second ? &*it->second : nullptr;
}

void HistoryBuilder::add_daily(const DailyMetric& h) {
  const EffectiveMetric* m = metric_of(h.service, h.metric);
  if (!m || h.date >= day_ || h.coverage() < m->rules.params.min_coverage) return;
  values_[{h.service, h.instance_id, h.metric}].push_back({h.date, h.stat(m->spc_stat)});
}

void HistoryBuilder::add_scored(const AnomalyScoreRow& r) {
  if (!r.z || r.date >= day_) return;
  past_[r.key()].push_back({r.date, r.value, *r.z, r.severity.value_or(Severity::NORMAL)});
}

std::vector<SeriesHistory> HistoryBuilder::build(std::vector<DailyMetric> today, int& unknown) {
  std::vector<SeriesHistory> out;
  out.reserve(today.size());
  unknown = 0;
  for (auto& t : today) {
    const EffectiveMetric* m = metric_of(t.service, t.metric);
    if (!m) {
      ++unknown;
      continue;
    }
    SeriesHistory w;
    w.metric = *m;
    const SeriesKey key{t.service, t.instance_id, t.metric};
    if (auto it = values_.find(key); it != values_.end()) w.history = std::move(it->second);
    if (auto it = past_.find(key); it != past_.end()) w.past = std::move(it->second);
    w.today = std::move(t);
    out.push_back(std::move(w));
  }
  return out;
}

// ---- Scores --------------------------------------------------------------------------------

ScoredSeries score_series(Day d, std::span<const SeriesHistory> series) {
  ScoredSeries out;
  out.findings.reserve(series.size());
  out.scores.reserve(series.size());
  auto opt = [](double v) { return std::isnan(v) ? std::nullopt : std::optional<double>(v); };
  for (const SeriesHistory& w : series) {
    const auto& mp = w.metric.rules.params;
    const double x = w.today.stat(w.metric.spc_stat);
    spc::Finding f = spc::evaluate(d, x, w.today.coverage() >= mp.min_coverage, w.history, w.past,
                                   w.metric.rules);
    AnomalyScoreRow r;
    r.date = d;
    r.service = w.today.service;
    r.instance_id = w.today.instance_id;
    r.metric = w.today.metric;
    r.spc_stat = w.metric.spc_stat;
    r.value = x;
    r.baseline_days = f.baseline.n;
    r.mean = opt(f.baseline.mean);
    r.std = opt(f.baseline.std);
    r.sigma = opt(f.baseline.sigma);
    r.is_baseline_period = f.in_baseline;
    r.score_status = !f.is_day_value ? ScoreStatus::LOW_COVERAGE
                     : f.in_baseline ? ScoreStatus::BASELINE
                                     : ScoreStatus::SCORED;
    if (f.scored) {
      r.z = f.z;
      r.we_rules = spc::join_rules(f.rules);
      r.roc_pct = f.roc;
      r.anomaly_score = f.anomaly_score;
      r.severity = f.severity;
      out.by_severity[f.severity]++;
    }
    out.scores.push_back(std::move(r));
    out.findings.push_back(
        {{w.today.service, w.today.instance_id}, w.metric.def, w.metric.rules, std::move(f)});
  }
  return out;
}

// ---- Health --------------------------------------------------------------------------------

InstanceHealth score_health(Day d, std::span<const spc::SeriesFinding> findings,
                            const HealthHistory& history) {
  // Every instance active on the day: those with series, and inventory instances seen that day.
  std::map<InstanceKey, std::vector<spc::MetricHealthInput>> by_instance;
  for (const auto& f : findings) by_instance[f.instance].push_back({f.def->dimension, &f.finding});
  for (const auto& key : history.active) by_instance[key];
  static const std::vector<double> none;
  InstanceHealth out;
  for (const auto& [key, metrics] : by_instance) {
    auto prev = history.previous.find(key);
    HealthRow h =
        spc::instance_health(metrics, prev == history.previous.end() ? none : prev->second);
    h.date = d;
    h.service = key.service;
    h.instance_id = key.id;
    auto y = history.yesterday.find(key);
    out.grades[key] = {h.grade, y == history.yesterday.end() ? std::nullopt : y->second,
                       h.health_score};
    out.rows.push_back(std::move(h));
  }
  return out;
}

// ---- A whole day ---------------------------------------------------------------------------

DayScores score_day(const Settings& s, DayInput in) {
  HistoryBuilder history(s, in.day);
  for (const auto& row : in.daily_history)
    if (row.date >= history.first_day()) history.add_daily(row);
  for (const auto& row : in.scored_history)
    if (row.date >= history.first_day()) history.add_scored(row);
  DayScores out;
  const auto series = history.build(std::move(in.today), out.unknown_metrics);
  ScoredSeries scored = score_series(in.day, series);
  out.scores = std::move(scored.scores);
  std::map<InstanceKey, spc::InstanceGrades> grades;
  if (s.features.enable_health) {
    InstanceHealth health = score_health(in.day, scored.findings, in.health);
    out.health = std::move(health.rows);
    grades = std::move(health.grades);
  }
  if (s.features.enable_alerts) out.alerts = spc::evaluate_alerts(in.day, scored.findings, grades);
  return out;
}

}  // namespace im::scoring
