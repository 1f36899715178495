#include "pipeline/steps.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <unordered_map>

#include "core/text_safety.h"
#include "transform/transform.h"

namespace im::pipeline {

bool Context::covers(ServiceType s) const {
  return std::find(services.begin(), services.end(), s) != services.end();
}

const SourceBinding* Context::samples_for(ServiceType s) const {
  for (const auto& b : sources.bindings)
    if (b.samples &&
        std::find(b.sample_services.begin(), b.sample_services.end(), s) != b.sample_services.end())
      return &b;
  return nullptr;
}

std::string Context::why_unavailable(ServiceType s) const {
  auto it = sources.unavailable.find(s);
  return it != sources.unavailable.end() ? it->second : "no source is configured";
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

// Prometheus' warnings on its answers (partial data, ...): logged, and counted in the step's
// message, never dropped.
void log_prometheus_warnings(Context& c, StepOutcome& o) {
  if (!c.sources.health) return;
  auto warnings = c.sources.health->take_warnings();
  for (const auto& w : warnings) spdlog::warn("[{}] Prometheus warns: {}", c.day.str(), w);
  if (!warnings.empty())
    o.message += "; " + std::to_string(warnings.size()) + " Prometheus warning(s), see the log";
}

// ---- 1 -------------------------------------------------------------------------------
// What one source sees; a source that cannot answer keeps its instances last seen.
struct Seen {
  const SourceBinding* src;
  std::vector<ServiceType> services;
  std::vector<Instance> instances;
  bool answered = false;
};

// The notes of step 1's message, gathered across sources.
struct InventoryNotes {
  std::string missing, unavailable, refused;
  static void add(std::string& to, const std::string& what) {
    to += (to.empty() ? "" : "; ") + what;
  }
};

// Identifiers are checked at the source boundary, the same for both stores: an instance whose
// id no table can hold is refused alone, with the reason.
void refuse_bad_identifiers(Context& c, Seen& s, InventoryNotes& notes) {
  std::erase_if(s.instances, [&](const Instance& i) {
    std::string why = identifier_problem(i.id);
    if (why.empty() && !i.name.empty() && i.name != i.id) why = identifier_problem(i.name);
    if (why.empty()) return false;
    const std::string shown = escape_control(i.id.substr(0, 80)) + (i.id.size() > 80 ? "..." : "");
    spdlog::warn("[{}] inventory from {}: {} instance \"{}\" refused: {}", c.day.str(), s.src->name,
                 to_string(i.service), shown, why);
    InventoryNotes::add(notes.refused,
                        std::string(to_string(i.service)) + " \"" + shown + "\" (" + why + ")");
    return true;
  });
}

// One source's instances of the day. A source that cannot answer does not stop the others:
// its services keep the instances last seen, and the collection step of that source reports
// the failure.
Seen discover(Context& c, const SourceBinding& src, InventoryNotes& notes) {
  Seen s{&src, {}, {}, false};
  for (ServiceType svc : src.inventory_services)
    if (c.covers(svc)) s.services.push_back(svc);
  if (s.services.empty()) return s;
  try {
    s.instances = src.inventory->discover(c.day, s.services);
    s.answered = true;
    refuse_bad_identifiers(c, s, notes);
    for (const auto& note : src.inventory->take_notes()) {
      spdlog::warn("[{}] inventory from {}: {}", c.day.str(), src.name, note);
      InventoryNotes::add(notes.missing, note);
    }
  } catch (const std::exception& e) {
    if (!dynamic_cast<const SourceError*>(&e) && !dynamic_cast<const TransientError*>(&e)) throw;
    for (auto& row : c.history.load_inventory())
      if (row.status == InstanceStatus::ACTIVE && row.instance.source == src.name &&
          std::find(s.services.begin(), s.services.end(), row.instance.service) != s.services.end())
        s.instances.push_back(std::move(row.instance));
    InventoryNotes::add(notes.unavailable, src.name + " unavailable (" + e.what() + "), kept the " +
                                               std::to_string(s.instances.size()) +
                                               " instance(s) last seen");
    spdlog::warn("[{}] inventory from {} failed: {}; using the {} instance(s) last seen",
                 c.day.str(), src.name, e.what(), s.instances.size());
  }
  return s;
}

// One row per (service, id): a later source's instance that an earlier one also found (an
// ElastiCache node that is a Prometheus target) only adds what the earlier lacks. Returns how
// many were merged.
size_t merge_found_twice(std::vector<Seen>& seen) {
  std::unordered_map<InstanceKey, std::pair<size_t, size_t>> first_seen;  // -> (source, index)
  std::vector<std::vector<bool>> dup(seen.size());
  size_t merged = 0;
  for (size_t k = 0; k < seen.size(); ++k) {
    dup[k].assign(seen[k].instances.size(), false);
    for (size_t i = 0; i < seen[k].instances.size(); ++i) {
      const Instance& inst = seen[k].instances[i];
      auto [it, fresh] = first_seen.try_emplace(InstanceKey{inst.service, inst.id}, k, i);
      if (fresh) continue;
      collect::merge_instance(seen[it->second.first].instances[it->second.second], inst);
      dup[k][i] = true;
      ++merged;
    }
  }
  for (size_t k = 0; k < seen.size(); ++k) {
    size_t i = 0;
    std::erase_if(seen[k].instances, [&](const Instance&) { return dup[k][i++]; });
  }
  return merged;
}

StepOutcome inventory_refresh(Context& c) {
  InventoryNotes notes;
  for (ServiceType svc : c.services) {
    const bool listed = std::any_of(
        c.sources.bindings.begin(), c.sources.bindings.end(), [&](const SourceBinding& b) {
          return b.inventory && std::find(b.inventory_services.begin(), b.inventory_services.end(),
                                          svc) != b.inventory_services.end();
        });
    if (!listed)
      notes.missing += (notes.missing.empty() ? "not covered: " : "; ") +
                       std::string(to_string(svc)) + ": " + c.why_unavailable(svc);
  }
  if (std::none_of(c.sources.bindings.begin(), c.sources.bindings.end(),
                   [](const SourceBinding& b) { return b.inventory != nullptr; }))
    return skipped("no inventory source: " + notes.missing);
  std::vector<Seen> seen;
  for (const auto& src : c.sources.bindings)
    if (src.inventory)
      if (Seen s = discover(c, src, notes); !s.services.empty()) seen.push_back(std::move(s));
  const size_t merged = merge_found_twice(seen);
  size_t upserted = 0, retired = 0;
  c.write([&] {
    upserted = retired = 0;
    for (const auto& s : seen)
      if (s.answered) {
        upserted += c.out.upsert_inventory(s.instances, c.day);
        retired += c.out.mark_decommissioned(s.services, s.src->name, c.day, s.src->grace_days);
      }
  });
  std::vector<Instance> found;
  for (auto& s : seen)
    found.insert(found.end(), std::make_move_iterator(s.instances.begin()),
                 std::make_move_iterator(s.instances.end()));
  StepOutcome o;
  o.rows = static_cast<int64_t>(upserted + retired);
  o.writes["infra_fleet_inventory"] = o.rows;
  o.message = std::to_string(found.size()) + " instances seen, " + std::to_string(retired) +
              " decommissioned" +
              (merged ? ", " + std::to_string(merged) + " found by two sources (merged)" : "") +
              (notes.missing.empty() ? "" : "; " + notes.missing) +
              (notes.refused.empty() ? "" : "; refused: " + notes.refused);
  // A configured source that cannot be reached is a failure of the run (exit 1), not a skip:
  // the instances last seen still go on to the collection steps.
  o.partial_failure = notes.unavailable;
  log_prometheus_warnings(c, o);
  c.inventory = std::move(found);
  return o;
}

// ---- 2 -------------------------------------------------------------------------------
StepOutcome prometheus_health(Context& c) {
  if (!c.sources.health) return skipped(c.sources.health_why);
  auto h = c.sources.health->health();
  StepOutcome o;
  o.rows = h.up + h.down + h.unknown;
  const std::string job =
      c.settings.prometheus.job.empty() ? "any job" : "job \"" + c.settings.prometheus.job + "\"";
  o.message = std::to_string(h.up) + " target(s) up, " + std::to_string(h.down) + " down, " +
              std::to_string(h.unknown) + " unknown (" + job + ")";
  if (!h.down_targets.empty()) {
    o.message += "; down:";
    for (const auto& t : h.down_targets) o.message += " " + t + ";";
    o.message.pop_back();
    spdlog::warn("[{}] Prometheus reports {} Redis exporter target(s) down: {}", c.day.str(),
                 h.down, o.message.substr(o.message.find("down:") + 6));
  }
  if (o.rows == 0)
    spdlog::warn("[{}] Prometheus at {} has no target of {}: is prometheus.job right?", c.day.str(),
                 c.settings.prometheus.url, job);
  return o;
}

// ---- 3-5 -----------------------------------------------------------------------------
// One service's collection; `o` accumulates across the services of a step.
void collect_service(Context& c, ServiceType svc, transform::CollectedDay& into, StepOutcome& o,
                     int64_t& instances, std::vector<std::string>& missing,
                     std::string& missing_why) {
  const SourceBinding* src = c.samples_for(svc);
  std::vector<Instance> of_service;
  for (const auto& i : *c.inventory)
    if (i.service == svc) of_service.push_back(i);
  auto got = src->samples->collect(c.day, svc, of_service);
  for (const auto& note : got.notes)
    spdlog::warn("[{}] {} collection: {}", c.day.str(), to_string(svc), note);
  int64_t samples = 0;
  for (const auto& s : got.series)
    for (double v : s.values) samples += !std::isnan(v);
  for (const auto& d : got.daily) samples += d.sample_count;
  o.rows += static_cast<int64_t>(got.series.size() + got.daily.size());
  instances += static_cast<int64_t>(of_service.size());
  const std::string what = got.daily.empty() ? " source series, " : " daily statistics, ";
  o.message += std::string(o.message.empty() ? "" : "; ") + std::string(to_string(svc)) + ": " +
               std::to_string(of_service.size()) + " instances, " +
               std::to_string(got.series.size() + got.daily.size()) + what +
               std::to_string(samples) + " samples";
  if (!got.missing.empty()) {
    spdlog::error("[{}] {}: no data for {} of {} instance(s): {} ({})", c.day.str(), to_string(svc),
                  got.missing.size(), of_service.size(),
                  fmt::format("{}", fmt::join(got.missing, ", ")), got.missing_why);
    for (auto& m : got.missing) missing.push_back(InstanceKey{svc, m}.str());
    missing_why = got.missing_why;
  }
  into.series.insert(into.series.end(), std::make_move_iterator(got.series.begin()),
                     std::make_move_iterator(got.series.end()));
  into.daily.insert(into.daily.end(), std::make_move_iterator(got.daily.begin()),
                    std::make_move_iterator(got.daily.end()));
}

// Collects each of `services` this run covers; SKIPPED when none can be collected.
StepOutcome collect_services(Context& c, std::initializer_list<ServiceType> services,
                             const std::string& none_why) {
  std::string skipped_why;
  std::vector<ServiceType> todo;
  for (ServiceType svc : services) {
    if (!c.covers(svc)) continue;
    if (!c.samples_for(svc))
      skipped_why += std::string(skipped_why.empty() ? "" : "; ") + "no " +
                     std::string(to_string(svc)) + " source: " + c.why_unavailable(svc);
    else
      todo.push_back(svc);
  }
  if (todo.empty()) return skipped(skipped_why.empty() ? none_why : skipped_why);
  if (!c.inventory) return skipped("no inventory for this run (step 1 did not run)");
  StepOutcome o;
  int64_t instances = 0;
  std::vector<std::string> missing;
  std::string missing_why;
  // The step's own collection joins the day's only when it is complete: a failed attempt adds
  // nothing, so a retry does not collect a series twice (a label-summed metric such as db_keys
  // would double).
  transform::CollectedDay got;
  for (ServiceType svc : todo) collect_service(c, svc, got, o, instances, missing, missing_why);
  if (!c.collected) c.collected.emplace();
  auto& day = *c.collected;
  day.series.insert(day.series.end(), std::make_move_iterator(got.series.begin()),
                    std::make_move_iterator(got.series.end()));
  day.daily.insert(day.daily.end(), std::make_move_iterator(got.daily.begin()),
                   std::make_move_iterator(got.daily.end()));
  if (!skipped_why.empty()) o.message += "; " + skipped_why;
  if (!missing.empty()) {
    std::string list;
    for (size_t k = 0; k < missing.size() && k < 10; ++k) list += (k ? ", " : "") + missing[k];
    if (missing.size() > 10) list += ", ... (" + std::to_string(missing.size() - 10) + " more)";
    o.partial_failure = std::to_string(missing.size()) + " of " + std::to_string(instances) +
                        " instances missing (" + list + "): " + missing_why;
  }
  return o;
}

StepOutcome collect_redis(Context& c) {
  StepOutcome o = collect_services(c, {ServiceType::REDIS}, "REDIS is not selected for this run");
  log_prometheus_warnings(c, o);
  return o;
}
StepOutcome collect_rds(Context& c) {
  return collect_services(c, {ServiceType::RDS}, "RDS is not selected for this run");
}
// Step 5: EC2 (ENABLE_EC2) and the CloudWatch services switched on in cloudwatch.services.
StepOutcome collect_ec2(Context& c) {
  return collect_services(
      c,
      {ServiceType::EC2, ServiceType::DOCDB, ServiceType::EKS, ServiceType::MSK,
       ServiceType::OPENSEARCH, ServiceType::EMR},
      c.settings.features.enable_ec2
          ? "none of EC2, DOCDB, EKS, MSK, OPENSEARCH, EMR is selected for this run"
          : "ENABLE_EC2 is false, and cloudwatch.services names none of DOCDB, EKS, MSK, "
            "OPENSEARCH, EMR");
}

// ---- 6-8 -----------------------------------------------------------------------------
StepOutcome normalize(Context& c) {
  if (!c.collected) return skipped("no samples were collected in this run");
  std::span<const Instance> known;
  if (c.inventory) known = *c.inventory;
  transform::CollectedDay collected = std::move(*c.collected);
  c.collected.reset();
  auto n = transform::normalize_day(std::move(collected), c.day, known);
  for (const auto& line : n.dropped) spdlog::warn("[{}] normalize: {}", c.day.str(), line);
  for (const auto& note : n.notes) spdlog::info("[{}] normalize: {}", c.day.str(), note);
  StepOutcome o;  // in memory: rows_affected stays 0, as in the guide's step table
  o.message = std::to_string(n.series.size()) + " metric series";
  if (!n.daily.empty()) o.message += ", " + std::to_string(n.daily.size()) + " daily statistics";
  if (n.impossible)
    o.message += ", " + std::to_string(n.impossible) + " sample(s) not finite or negative dropped";
  c.normalized = std::move(n);
  return o;
}

StepOutcome aggregate(Context& c) {
  if (!c.normalized) return skipped("nothing was normalized in this run");
  transform::NormalizedDay n = std::move(*c.normalized);
  c.normalized.reset();
  auto daily = transform::aggregate(n.series, c.day);
  for (auto& d : daily)
    if (const auto* src = c.samples_for(d.service)) d.p95_method = src->series_p95_method;
  // Rows a source aggregated itself (CloudWatch's statistics of the day) join as they are.
  daily.insert(daily.end(), std::make_move_iterator(n.daily.begin()),
               std::make_move_iterator(n.daily.end()));
  for (auto& d : daily)
    if (const auto* src = c.samples_for(d.service))
      d.source = src->metrics_name.empty() ? src->name : src->metrics_name;
  StepOutcome o;  // in memory
  o.message = std::to_string(daily.size()) + " daily aggregates";
  c.daily = std::move(daily);
  return o;
}

StepOutcome persist_metrics(Context& c) {
  if (!c.daily) return skipped("no daily aggregates in this run");
  // Last line of defence: a row that is not a day value of numbers never reaches the table,
  // where one NULL average would fail the whole day's write.
  const auto bad = std::remove_if(c.daily->begin(), c.daily->end(), [&](const DailyMetric& m) {
    if (std::isfinite(m.avg) && std::isfinite(m.min) && std::isfinite(m.max) &&
        std::isfinite(m.p95))
      return false;
    spdlog::warn("[{}] {} {} {}: the day's aggregate is not finite; not stored", c.day.str(),
                 to_string(m.service), m.instance_id, m.metric);
    return true;
  });
  const auto dropped = std::distance(bad, c.daily->end());
  c.daily->erase(bad, c.daily->end());
  StepOutcome o;
  if (dropped) o.message = std::to_string(dropped) + " non-finite aggregate(s) not stored";
  c.write([&] { o.rows = static_cast<int64_t>(c.out.upsert_daily_metrics(*c.daily)); });
  o.writes["infra_metric_daily"] = o.rows;
  return o;
}

// ---- 9-11 ----------------------------------------------------------------------------
StepOutcome spc_baseline(Context& c) {
  std::vector<DailyMetric> today =
      c.daily ? *c.daily : c.history.load_daily_metrics(c.day, c.day, c.services);
  scoring::HistoryBuilder history(c.settings, c.day);
  int64_t history_rows = 0;
  c.history.visit_daily_metrics(history.first_day(), c.day - 1, c.services,
                                [&](const DailyMetric& h) {
                                  ++history_rows;
                                  history.add_daily(h);
                                });
  // Previous scored days for the rules (8 points) and persistence (runs of anomalous days,
  // counted as far back as the window reaches).
  c.history.visit_scored_history(history.first_day(), c.day - 1, c.services,
                                 [&](const AnomalyScoreRow& r) { history.add_scored(r); });
  int unknown = 0;
  c.series = history.build(std::move(today), unknown);
  if (unknown)
    spdlog::warn("[{}] {} stored metric(s) are not in the catalog and are not scored", c.day.str(),
                 unknown);
  StepOutcome o;  // in memory
  o.message = std::to_string(c.series->size()) + " series, history of " +
              std::to_string(history_rows) + " daily rows";
  return o;
}

StepOutcome anomaly_scoring(Context& c) {
  if (!c.series) return skipped("no baseline was computed in this run");
  c.scored = scoring::score_series(c.day, *c.series);
  auto& by = c.scored->by_severity;
  int64_t scored = 0;
  for (const auto& [sev, n] : by) scored += n;
  StepOutcome o;  // in memory
  o.message = std::to_string(scored) + " scored (" + std::to_string(by[Severity::CRITICAL]) +
              " critical, " + std::to_string(by[Severity::WARNING]) + " warning, " +
              std::to_string(by[Severity::INFO]) + " info), " +
              std::to_string(c.scored->scores.size() - static_cast<size_t>(scored)) +
              " in baseline or low coverage";
  return o;
}

StepOutcome persist_scores(Context& c) {
  if (!c.scored) return skipped("nothing was scored in this run");
  StepOutcome o;
  c.write([&] { o.rows = static_cast<int64_t>(c.out.upsert_anomaly_scores(c.scored->scores)); });
  o.writes["infra_anomaly_scores"] = o.rows;
  return o;
}

// ---- 12-13 ---------------------------------------------------------------------------
StepOutcome health_scores(Context& c) {
  if (!c.settings.features.enable_health) return skipped("ENABLE_HEALTH is false");
  if (!c.scored) return skipped("nothing was scored in this run");
  scoring::HealthHistory history;
  for (const auto& row : c.history.load_inventory())
    if (c.covers(row.instance.service) && row.status == InstanceStatus::ACTIVE &&
        row.first_seen <= c.day && row.last_seen >= c.day)
      history.active.push_back({row.instance.service, row.instance.id});
  for (const auto& h : c.history.load_health_scores(c.day - 7, c.day - 1)) {
    if (h.health_score) history.previous[h.key()].push_back(*h.health_score);
    if (h.date == c.day - 1) history.yesterday[h.key()] = h.grade;
  }
  scoring::InstanceHealth health = scoring::score_health(c.day, c.scored->findings, history);
  c.grades = std::move(health.grades);
  std::map<std::string, int> grades;
  for (const auto& r : health.rows) grades[r.grade ? std::string(to_string(*r.grade)) : "none"]++;
  StepOutcome o;
  c.write([&] { o.rows = static_cast<int64_t>(c.out.upsert_health_scores(health.rows)); });
  o.writes["infra_health_scores"] = o.rows;
  for (const auto& [g, n] : grades)
    o.message += (o.message.empty() ? "grades " : ", ") + g + " " + std::to_string(n);
  return o;
}

StepOutcome alert_evaluation(Context& c) {
  if (!c.settings.features.enable_alerts) return skipped("ENABLE_ALERTS is false");
  if (!c.scored) return skipped("nothing was scored in this run");
  if (!c.grades) {
    // Step 12 was not part of this run: the grades it stored for the day are still right
    // (none without ENABLE_HEALTH).
    c.grades.emplace();
    for (const auto& h : c.settings.features.enable_health
                             ? c.history.load_health_scores(c.day - 1, c.day)
                             : std::vector<HealthRow>{}) {
      if (!c.covers(h.service)) continue;
      auto& g = (*c.grades)[h.key()];
      if (h.date == c.day) {
        g.today = h.grade;
        g.score = h.health_score;
      } else {
        g.yesterday = h.grade;
      }
    }
  }
  const auto alerts = spc::evaluate_alerts(c.day, c.scored->findings, *c.grades);
  std::vector<AlertKey> keep;
  std::map<Severity, int> by_severity;
  for (const auto& a : alerts) {
    keep.push_back(a.key());
    by_severity[a.severity]++;
  }
  StepOutcome o;
  size_t removed = 0, acked = 0;
  c.write([&] {
    o.rows = static_cast<int64_t>(c.out.upsert_alerts(alerts));
    removed = c.out.delete_stale_alerts(c.day, c.services, keep);
    acked = c.out.acknowledge_info_before(c.day - 7, "auto-cleanup");
  });
  o.writes["infra_anomaly_alerts"] = o.rows + static_cast<int64_t>(removed + acked);
  o.message = std::to_string(by_severity[Severity::EMERGENCY]) + " emergency, " +
              std::to_string(by_severity[Severity::CRITICAL]) + " critical, " +
              std::to_string(by_severity[Severity::WARNING]) + " warning, " +
              std::to_string(by_severity[Severity::INFO]) + " info; " + std::to_string(removed) +
              " no longer raised removed; " + std::to_string(acked) + " old INFO auto-acknowledged";
  return o;
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
      {1, "Inventory Refresh", {}, {}, {}, inventory_refresh},
      {2, "Prometheus Health Check", {}, {}, {}, prometheus_health},
      {3, "Redis Metric Collection", {1, 2}, {}, {1}, collect_redis},
      {4, "CloudWatch RDS Collection", {1}, {}, {1}, collect_rds},
      {5, "CloudWatch EC2 Collection", {1}, {}, {1}, collect_ec2},
      {6, "Metric Normalization", {}, {3, 4, 5}, {3, 4, 5}, normalize},
      {7, "Daily Aggregation", {6}, {}, {6}, aggregate},
      {8, "Persist Raw Metrics", {7}, {}, {7}, persist_metrics},
      // Without step 8 in the run, step 9 reads the day's metrics from the store.
      {9, "SPC Baseline Computation", {8}, {}, {}, spc_baseline},
      {10, "Anomaly Scoring", {9}, {}, {9}, anomaly_scoring},
      {11, "Persist Anomaly Scores", {10}, {}, {10}, persist_scores},
      {12, "Health Score Aggregation", {10}, {}, {10}, health_scores},
      {13, "Alert Evaluation", {10, 12}, {}, {10}, alert_evaluation},
      {14, "Pipeline Logging", {}, {}, {}, pipeline_logging},
  };
  return defs;
}

}  // namespace im::pipeline
