#include "pipeline/steps.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "transform/transform.h"

namespace im::pipeline {

bool Context::covers(ServiceType s) const {
  return std::find(services.begin(), services.end(), s) != services.end();
}

namespace {

StepOutcome skipped(std::string why) {
  StepOutcome o;
  o.skip_reason = std::move(why);
  return o;
}

std::string service_list(const std::vector<ServiceType>& s) {
  std::string out;
  for (auto t : s) out += (out.empty() ? "" : ",") + std::string(to_string(t));
  return out;
}

// ---- 1 -------------------------------------------------------------------------------
StepOutcome inventory_refresh(Context& c) {
  if (!c.inventory_source) return skipped("no inventory source: " + c.unconfigured_why);
  std::vector<Instance> found = c.inventory_source->discover(c.day, c.services);
  size_t upserted = c.store.upsert_inventory(found, c.day);
  size_t retired = c.store.mark_decommissioned(c.services, c.source_name, c.day);
  StepOutcome o;
  o.rows = static_cast<int64_t>(upserted + retired);
  o.writes["infra_fleet_inventory"] = o.rows;
  o.message = std::to_string(found.size()) + " instances seen, " + std::to_string(retired) +
              " decommissioned";
  c.inventory = std::move(found);
  return o;
}

// ---- 2 -------------------------------------------------------------------------------
StepOutcome prometheus_health(Context& c) {
  if (c.settings.source == "simulate")
    return skipped("source is simulate: there is no Prometheus to check");
  if (c.settings.prometheus.url.empty())
    return skipped("prometheus.url (PROMETHEUS_URL) is not set");
  return skipped("the Prometheus collector is not built yet");
}

// ---- 3-5 -----------------------------------------------------------------------------
StepOutcome collect_service(Context& c, ServiceType svc) {
  if (!c.covers(svc))
    return skipped(std::string(to_string(svc)) + " is not selected for this run");
  if (!c.sample_source) return skipped("no " + std::string(to_string(svc)) + " source: " + c.unconfigured_why);
  if (!c.inventory) return skipped("no inventory for this run (step 1 did not run)");
  std::vector<Instance> of_service;
  for (const auto& i : *c.inventory)
    if (i.service == svc) of_service.push_back(i);
  auto series = c.sample_source->collect(c.day, svc, of_service);
  int64_t samples = 0;
  for (const auto& s : series)
    for (double v : s.values) samples += !std::isnan(v);
  StepOutcome o;
  o.rows = static_cast<int64_t>(series.size());
  o.message = std::to_string(of_service.size()) + " instances, " + std::to_string(series.size()) +
              " source series, " + std::to_string(samples) + " samples";
  c.raw.insert(c.raw.end(), std::make_move_iterator(series.begin()),
               std::make_move_iterator(series.end()));
  c.collected = true;
  return o;
}

StepOutcome collect_redis(Context& c) {
  if (c.settings.source == "live" && c.settings.prometheus.url.empty())
    return skipped("prometheus.url (PROMETHEUS_URL) is not set");
  return collect_service(c, ServiceType::REDIS);
}
StepOutcome collect_rds(Context& c) { return collect_service(c, ServiceType::RDS); }
StepOutcome collect_ec2(Context& c) {
  if (!c.settings.features.enable_ec2) return skipped("ENABLE_EC2 is false");
  return collect_service(c, ServiceType::EC2);
}

// ---- 6-8 -----------------------------------------------------------------------------
StepOutcome normalize(Context& c) {
  if (!c.collected) return skipped("no samples were collected in this run");
  static const std::vector<Instance> kNone;
  auto n = transform::normalize(c.raw, c.inventory ? *c.inventory : kNone);
  for (const auto& note : n.notes) spdlog::info("[{}] normalize: {}", c.day.str(), note);
  c.raw.clear();
  c.raw.shrink_to_fit();
  c.normalized = std::move(n.series);
  StepOutcome o;
  o.rows = static_cast<int64_t>(c.normalized.size());
  o.message = std::to_string(o.rows) + " metric series";
  return o;
}

StepOutcome aggregate(Context& c) {
  auto daily = transform::aggregate(c.normalized, c.day);
  for (auto& d : daily) d.source = c.source_name;
  c.normalized.clear();
  c.normalized.shrink_to_fit();
  StepOutcome o;
  o.rows = static_cast<int64_t>(daily.size());
  o.message = std::to_string(o.rows) + " daily aggregates";
  c.daily = std::move(daily);
  return o;
}

StepOutcome persist_metrics(Context& c) {
  if (!c.daily) return skipped("no daily aggregates in this run");
  StepOutcome o;
  o.rows = static_cast<int64_t>(c.store.upsert_daily_metrics(*c.daily));
  o.writes["infra_metric_daily"] = o.rows;
  return o;
}

// ---- 9-11 ----------------------------------------------------------------------------
StepOutcome spc_baseline(Context& c) {
  const auto& p = c.settings.spc;
  std::vector<DailyMetric> today =
      c.daily ? *c.daily : c.store.load_daily_metrics(c.day, c.day, c.services);
  // History rows come ordered by series then date.
  auto history = c.store.load_daily_metrics(c.day - 2 * p.rolling_window_days, c.day - 1, c.services);
  std::map<std::tuple<ServiceType, std::string, std::string>, std::vector<spc::DayValue>> by_series;
  for (const auto& h : history) {
    const MetricDef* def = find_metric(h.service, h.metric);
    if (!def || h.coverage() < p.min_coverage) continue;  // not a day value
    by_series[{h.service, h.instance_id, h.metric}].push_back({h.date, h.stat(def->spc_stat)});
  }
  c.series.clear();
  int unknown = 0;
  for (auto& t : today) {
    const MetricDef* def = find_metric(t.service, t.metric);
    if (!def) {
      ++unknown;
      continue;
    }
    SeriesWork w;
    w.def = def;
    auto it = by_series.find({t.service, t.instance_id, t.metric});
    if (it != by_series.end()) w.history = std::move(it->second);
    w.baseline = spc::compute_baseline(w.history, c.day, p);
    w.today = std::move(t);
    c.series.push_back(std::move(w));
  }
  if (unknown) spdlog::warn("[{}] {} stored metric(s) are not in the catalog and are not scored", c.day.str(), unknown);
  StepOutcome o;
  o.rows = static_cast<int64_t>(c.series.size());
  o.message = std::to_string(o.rows) + " series, history of " + std::to_string(history.size()) + " daily rows";
  return o;
}

StepOutcome anomaly_scoring(Context& c) {
  const auto& p = c.settings.spc;
  c.scores.clear();
  c.scores.reserve(c.series.size());
  int64_t scored = 0;
  for (const SeriesWork& w : c.series) {
    store::AnomalyScoreRow r;
    r.date = c.day;
    r.service = w.today.service;
    r.instance_id = w.today.instance_id;
    r.metric = w.today.metric;
    r.spc_stat = w.def->spc_stat;
    r.value = w.today.stat(w.def->spc_stat);
    r.baseline_days = w.baseline.n;
    auto opt = [](double v) { return std::isnan(v) ? std::nullopt : std::optional<double>(v); };
    r.mean = opt(w.baseline.mean);
    r.std = opt(w.baseline.std);
    r.sigma = opt(w.baseline.sigma);
    r.is_baseline_period = spc::in_baseline(w.baseline, p);
    bool day_value = w.today.coverage() >= p.min_coverage;
    if (!day_value) {
      r.score_status = "LOW_COVERAGE";
    } else if (r.is_baseline_period) {
      r.score_status = "BASELINE";
    } else {
      r.score_status = "SCORED";
      r.z = spc::zscore(r.value, w.baseline, p.z_cap);
      ++scored;
    }
    c.scores.push_back(std::move(r));
  }
  StepOutcome o;
  o.rows = static_cast<int64_t>(c.scores.size());
  o.message = std::to_string(scored) + " scored, " + std::to_string(c.scores.size() - scored) +
              " in baseline or low coverage";
  return o;
}

StepOutcome persist_scores(Context& c) {
  StepOutcome o;
  o.rows = static_cast<int64_t>(c.store.upsert_anomaly_scores(c.scores));
  o.writes["infra_anomaly_scores"] = o.rows;
  return o;
}

// ---- 12-13 ---------------------------------------------------------------------------
StepOutcome health_scores(Context& c) {
  if (!c.settings.features.enable_health) return skipped("ENABLE_HEALTH is false");
  return skipped("health scoring arrives with the detection engine (issue #3)");
}

StepOutcome alert_evaluation(Context& c) {
  if (!c.settings.features.enable_alerts) return skipped("ENABLE_ALERTS is false");
  return skipped("alert evaluation arrives with the detection engine (issue #3)");
}

// ---- 14 ------------------------------------------------------------------------------
// The runner writes each step's row as the step ends; this step writes its own and
// reports how many rows the run logged (14 for a complete run).
StepOutcome pipeline_logging(Context& c) {
  StepOutcome o;
  o.rows = c.log_rows_written + 1;
  o.writes["infra_monitoring_pipeline_log"] = o.rows;
  o.message = "services " + service_list(c.services);
  return o;
}

}  // namespace

const std::vector<StepDef>& step_definitions() {
  static const std::vector<StepDef> defs = {
      {1, "Inventory Refresh", {}, {}, inventory_refresh},
      {2, "Prometheus Health Check", {}, {}, prometheus_health},
      {3, "Redis Metric Collection", {1, 2}, {}, collect_redis},
      {4, "CloudWatch RDS Collection", {1}, {}, collect_rds},
      {5, "CloudWatch EC2 Collection", {1}, {}, collect_ec2},
      {6, "Metric Normalization", {}, {3, 4, 5}, normalize},
      {7, "Daily Aggregation", {6}, {}, aggregate},
      {8, "Persist Raw Metrics", {7}, {}, persist_metrics},
      {9, "SPC Baseline Computation", {8}, {}, spc_baseline},
      {10, "Anomaly Scoring", {9}, {}, anomaly_scoring},
      {11, "Persist Anomaly Scores", {10}, {}, persist_scores},
      {12, "Health Score Aggregation", {10}, {}, health_scores},
      {13, "Alert Evaluation", {10, 12}, {}, alert_evaluation},
      {14, "Pipeline Logging", {}, {}, pipeline_logging},
  };
  return defs;
}

}  // namespace im::pipeline
