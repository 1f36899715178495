// What the two SQL backends share: the SELECT column lists of each table and the code that
// binds a row's values to a statement or reads them back. `S` is a backend's statement type;
// both offer bind(...), bind_text_or_null(...) and the column accessors text, real, integer,
// opt, day and service. Internal to src/store.
#pragma once

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "store/store.h"

namespace im::store::rows {

// An enumerated column read back: its enum, or a StoreError naming the column and the text
// (a row written by something else).
template <class E>
E enum_column(std::optional<E> (*parse)(std::string_view), const std::string& text,
              const char* column) {
  if (auto v = parse(text)) return *v;
  throw StoreError(std::string(column) + ": unexpected value \"" + text + "\"");
}
// The text of an optional enum for bind_text_or_null ("" binds NULL).
template <class E>
std::string text_or_empty(const std::optional<E>& v) {
  return v ? std::string(to_string(*v)) : std::string();
}

// The four data tables and their date column.
inline constexpr std::pair<const char*, const char*> kDataTables[] = {
    {"infra_metric_daily", "metric_date"},
    {"infra_anomaly_scores", "metric_date"},
    {"infra_health_scores", "metric_date"},
    {"infra_anomaly_alerts", "alert_date"}};

// The date column of an archivable data table; StoreError for any other table.
inline std::string archive_date_column(const std::string& table) {
  for (const auto& [t, col] : kDataTables)
    if (table == t) return col;
  throw StoreError("archive: '" + table + "' is not an archivable table");
}

// The natural key of a data table (its UNIQUE key) as "l.c = r.c AND ..." between two aliases.
inline std::string key_match(const std::string& table, const std::string& l, const std::string& r) {
  static const std::pair<const char*, std::vector<const char*>> keys[] = {
      {"infra_metric_daily", {"metric_date", "service_type", "instance_id", "metric_name"}},
      {"infra_anomaly_scores", {"metric_date", "service_type", "instance_id", "metric_name"}},
      {"infra_health_scores", {"metric_date", "service_type", "instance_id"}},
      {"infra_anomaly_alerts",
       {"alert_date", "service_type", "instance_id", "metric_name", "alert_type"}}};
  for (const auto& [t, cols] : keys) {
    if (table != t) continue;
    std::string out;
    for (const char* c : cols)
      out += (out.empty() ? "" : " AND ") + l + "." + c + " = " + r + "." + c;
    return out;
  }
  throw StoreError("no natural key known for '" + table + "'");
}

// A history read of a data table that sees its archive too: a recompute of a kept day reads
// as far back as its baselines reach, past the last `archive --before`. An archived row counts
// only where the live table has no row of its key (a day run again after it was archived).
// Without archived rows in the window (`with_archive` false, the usual case) it is the plain
// read of the live table. `filter` (with ? placeholders) applies to each half: bind_window binds
// its values once per half. `order` is by column position (1 = the first of `columns`).
inline std::string history_select(const std::string& table, const std::string& columns,
                                  const std::string& filter, const std::string& order,
                                  bool with_archive) {
  std::string sql = "SELECT " + columns + " FROM " + table + " WHERE " + filter;
  if (with_archive)
    sql += " UNION ALL SELECT " + columns + " FROM " + table + "_archive a WHERE " + filter +
           " AND NOT EXISTS (SELECT 1 FROM " + table + " l WHERE " + key_match(table, "l", "a") +
           ")";
  return sql + " ORDER BY " + order;
}

// Whether `table`'s archive holds a row dated in [from, to]: two ? (from, to).
inline std::string archived_between(const std::string& table) {
  const std::string col = archive_date_column(table);
  return "SELECT COUNT(*) FROM (SELECT 1 FROM " + table + "_archive WHERE " + col +
         " BETWEEN ? AND ? LIMIT 1) x";
}

// " AND service_type IN (?,...)" (one ? per service; "" for all services), the service filter
// of a history read; `prefix` goes before the column (SQLite's "+", an index hint).
inline std::string services_in(std::span<const ServiceType> s, const char* prefix = "") {
  if (s.empty()) return "";
  std::string q = std::string(" AND ") + prefix + "service_type IN (";
  for (size_t i = 0; i < s.size(); ++i) q += i ? ",?" : "?";
  return q + ")";
}

// The values of a history_select filter "date BETWEEN ? AND ?" plus one ? per service, for
// each half of the read.
template <class S>
void bind_window(S& s, Day from, Day to, std::span<const ServiceType> services, bool with_archive) {
  for (int half = 0; half < (with_archive ? 2 : 1); ++half) {
    s.bind(from).bind(to);
    for (ServiceType svc : services) s.bind(to_string(svc));
  }
}

// Before rows dated before the cut are copied to the archive, the archived rows they replace
// (same key: a day archived, run again, archived again) are removed, so the archive holds one
// row per key and history reads stay exact. One ? (the cut).
inline std::string archive_replaced(const std::string& table) {
  const std::string col = archive_date_column(table);
  return "DELETE FROM " + table + "_archive WHERE EXISTS (SELECT 1 FROM " + table + " l WHERE l." +
         col + " < ? AND " + key_match(table, "l", table + "_archive") + ")";
}

// An archive move is kept only when the copy and the delete both touched the rows counted.
inline void check_archive_counts(const std::string& table, int64_t expected, int64_t copied,
                                 int64_t deleted) {
  if (copied != expected || deleted != expected)
    throw StoreError("archive of " + table + ": " + std::to_string(expected) + " rows to move, " +
                     std::to_string(copied) + " copied, " + std::to_string(deleted) +
                     " deleted; rolled back");
}

// ---- Upserts: one column list per table; each dialect only writes its conflict clause ------

// The columns an upsert writes, the leading `keys` of them being the natural key. Every other
// column is updated on a conflict; a table's operator columns (acknowledgements) are simply
// not listed.
struct UpsertSpec {
  const char* table;
  std::vector<const char*> columns;
  size_t keys;
  bool has_updated_at = true;  // the table's updated_at column (MySQL sets it itself)
};

// "INSERT INTO t (c1, c2, ...) VALUES"; the caller appends the rows' placeholders.
inline std::string upsert_insert(const UpsertSpec& u) {
  std::string cols;
  for (const char* c : u.columns) cols += (cols.empty() ? "" : ", ") + std::string(c);
  return "INSERT INTO " + std::string(u.table) + " (" + cols + ") VALUES";
}
// "(?,?,...)": one row's placeholders.
inline std::string upsert_row(const UpsertSpec& u) {
  std::string out = "(";
  for (size_t i = 0; i < u.columns.size(); ++i) out += i ? ",?" : "?";
  return out + ")";
}
// The non-key columns, each as `assign(column)`, joined by commas (the dialect's SET list).
template <class F>
std::string upsert_updates(const UpsertSpec& u, F assign) {
  std::string out;
  for (size_t i = u.keys; i < u.columns.size(); ++i)
    out += (out.empty() ? "" : ", ") + assign(std::string(u.columns[i]));
  return out;
}
// The natural key's columns, comma-separated.
inline std::string upsert_key(const UpsertSpec& u) {
  std::string out;
  for (size_t i = 0; i < u.keys; ++i) out += (i ? ", " : "") + std::string(u.columns[i]);
  return out;
}

inline const UpsertSpec kDailyMetricUpsert{
    "infra_metric_daily",
    {"metric_date", "service_type", "instance_id", "metric_name", "unit", "avg_value", "min_value",
     "max_value", "p95_value", "sample_count", "expected_samples", "source", "p95_method"},
    4};
inline const UpsertSpec kAnomalyScoreUpsert{
    "infra_anomaly_scores",
    {"metric_date", "service_type", "instance_id", "metric_name", "spc_stat", "value",
     "rolling_mean_14d", "rolling_std_14d", "sigma", "baseline_days", "z_score", "we_rules",
     "roc_pct", "anomaly_score", "severity", "is_baseline_period", "score_status"},
    4};
inline const UpsertSpec kHealthUpsert{
    "infra_health_scores",
    {"metric_date", "service_type", "instance_id", "cpu_score", "memory_score", "storage_score",
     "connections_score", "latency_score", "throughput_score", "errors_score", "health_score",
     "grade", "trend_direction"},
    3};
inline const UpsertSpec kAlertUpsert{
    "infra_anomaly_alerts",
    {"alert_date", "service_type", "instance_id", "metric_name", "alert_type", "severity", "value",
     "baseline_mean", "baseline_sigma", "z_score", "we_rules", "roc_pct", "anomaly_score",
     "consecutive_anomaly_days", "message", "recommended_action"},
    5};
inline const UpsertSpec kStepLogUpsert{
    "infra_monitoring_pipeline_log",
    {"run_id", "step_num", "target_date", "step_name", "status", "rows_affected",
     "duration_seconds", "error_message", "created_at"},
    2,
    false};

// ---- Operators' updates ------------------------------------------------------------------

// `ack`: the unacknowledged alerts matching `f`; `now` is the dialect's UTC timestamp. Bound
// by bind_acknowledge.
inline std::string acknowledge_sql(const AckFilter& f, const std::string& now) {
  std::string sql =
      "UPDATE infra_anomaly_alerts SET acknowledged = 1, acknowledged_by = ?, acknowledged_at = " +
      now + ", notes = COALESCE(?, notes) WHERE acknowledged = 0";
  if (f.id) sql += " AND id = ?";
  if (f.instance_id) sql += " AND instance_id = ?";
  if (f.severity) sql += " AND severity = ?";
  if (f.before) sql += " AND alert_date < ?";
  return sql;
}
template <class S>
void bind_acknowledge(S& s, const AckFilter& f, const std::string& by, const std::string& note) {
  s.bind(by).bind_text_or_null(note);
  if (f.id) s.bind(*f.id);
  if (f.instance_id) s.bind(*f.instance_id);
  if (f.severity) s.bind(to_string(*f.severity));
  if (f.before) s.bind(*f.before);
}
// Step 13's clean-up of old INFO alerts: two ? (by, before).
inline std::string acknowledge_info_sql(const std::string& now) {
  return "UPDATE infra_anomaly_alerts SET acknowledged = 1, acknowledged_by = ?, acknowledged_at "
         "= " +
         now + " WHERE severity = 'INFO' AND acknowledged = 0 AND alert_date < ?";
}

// ---- infra_fleet_inventory --------------------------------------------------------------

inline constexpr const char* kInventoryColumns =
    "service_type, instance_id, COALESCE(instance_name,''), COALESCE(instance_class,''), "
    "COALESCE(engine,''), COALESCE(region,''), COALESCE(allocated_storage_gb,0), "
    "COALESCE(max_memory_bytes,0), COALESCE(tags,'{}'), status, source, first_seen, last_seen";

// The 12 values of an inventory insert: service_type .. tags, source, first_seen, last_seen.
template <class S>
void bind_instance(S& s, const Instance& i, Day day) {
  s.bind(to_string(i.service))
      .bind(i.id)
      .bind(i.name)
      .bind(i.instance_class)
      .bind(i.engine)
      .bind(i.region)
      .bind(i.allocated_storage_gb)
      .bind(i.max_memory_bytes)
      .bind(nlohmann::json(i.tags).dump())
      .bind(i.source)
      .bind(day)
      .bind(day);
}

template <class S>
InventoryRow read_inventory(const S& s) {
  InventoryRow r;
  r.instance.service = s.service(0);
  r.instance.id = s.text(1);
  r.instance.name = s.text(2);
  r.instance.instance_class = s.text(3);
  r.instance.engine = s.text(4);
  r.instance.region = s.text(5);
  r.instance.allocated_storage_gb = s.real(6);
  r.instance.max_memory_bytes = s.real(7);
  auto tags = nlohmann::json::parse(s.text(8), nullptr, false);
  if (tags.is_object())
    for (auto& [k, v] : tags.items())
      if (v.is_string()) r.instance.tags[k] = v.template get<std::string>();
  r.status = enum_column(parse_instance_status, s.text(9), "infra_fleet_inventory.status");
  r.instance.source = s.text(10);
  r.first_seen = s.day(11);
  r.last_seen = s.day(12);
  return r;
}

// ---- infra_metric_daily -----------------------------------------------------------------

inline constexpr const char* kDailyMetricColumns =
    "metric_date, service_type, instance_id, metric_name, COALESCE(unit,''), avg_value, "
    "min_value, max_value, p95_value, sample_count, expected_samples, source, p95_method";

template <class S>
void bind_daily_metric(S& s, const DailyMetric& m) {
  s.bind(m.date)
      .bind(to_string(m.service))
      .bind(m.instance_id)
      .bind(m.metric)
      .bind(m.unit)
      .bind(m.avg)
      .bind(m.min)
      .bind(m.max)
      .bind(m.p95)
      .bind(m.sample_count)
      .bind(m.expected_samples)
      .bind(m.source)
      .bind(m.p95_method);
}

// Reads into `m` (reused from row to row, so its strings keep their capacity).
template <class S>
void read_daily_metric(const S& s, DailyMetric& m) {
  m.date = s.day(0);
  m.service = s.service(1);
  m.instance_id = s.text(2);
  m.metric = s.text(3);
  m.unit = s.text(4);
  m.avg = s.real(5);
  m.min = s.real(6);
  m.max = s.real(7);
  m.p95 = s.real(8);
  m.sample_count = static_cast<int32_t>(s.integer(9));
  m.expected_samples = static_cast<int32_t>(s.integer(10));
  m.source = s.text(11);
  m.p95_method = s.text(12);
}

// ---- infra_anomaly_scores ---------------------------------------------------------------

inline constexpr const char* kAnomalyScoreColumns =
    "metric_date, service_type, instance_id, metric_name, spc_stat, value, rolling_mean_14d, "
    "rolling_std_14d, sigma, baseline_days, z_score, COALESCE(we_rules,''), roc_pct, "
    "anomaly_score, COALESCE(severity,''), is_baseline_period, score_status";

template <class S>
void bind_anomaly_score(S& s, const AnomalyScoreRow& r) {
  s.bind(r.date)
      .bind(to_string(r.service))
      .bind(r.instance_id)
      .bind(r.metric)
      .bind(to_string(r.spc_stat))
      .bind(r.value)
      .bind(r.mean)
      .bind(r.std)
      .bind(r.sigma)
      .bind(r.baseline_days)
      .bind(r.z)
      .bind_text_or_null(r.we_rules)
      .bind(r.roc_pct)
      .bind(r.anomaly_score)
      .bind_text_or_null(text_or_empty(r.severity))
      .bind(r.is_baseline_period)
      .bind(to_string(r.score_status));
}

template <class S>
AnomalyScoreRow read_anomaly_score(const S& s) {
  AnomalyScoreRow r;
  r.date = s.day(0);
  r.service = s.service(1);
  r.instance_id = s.text(2);
  r.metric = s.text(3);
  r.spc_stat = parse_stat(s.text(4)).value_or(Stat::AVG);
  r.value = s.real(5);
  r.mean = s.opt(6);
  r.std = s.opt(7);
  r.sigma = s.opt(8);
  r.baseline_days = static_cast<int>(s.integer(9));
  r.z = s.opt(10);
  r.we_rules = s.text(11);
  r.roc_pct = s.opt(12);
  r.anomaly_score = s.opt(13);
  r.severity = parse_severity(s.text(14));
  r.is_baseline_period = s.integer(15) != 0;
  r.score_status = enum_column(parse_score_status, s.text(16), "infra_anomaly_scores.score_status");
  return r;
}

// What the rules read of the scored history: only SCORED rows, seven columns.
inline constexpr const char* kScoredHistoryColumns =
    "metric_date, service_type, instance_id, metric_name, value, z_score, COALESCE(severity,'')";

template <class S>
void read_scored_history(const S& s, AnomalyScoreRow& r) {
  r.score_status = ScoreStatus::SCORED;
  r.is_baseline_period = false;
  r.date = s.day(0);
  r.service = s.service(1);
  r.instance_id = s.text(2);
  r.metric = s.text(3);
  r.value = s.real(4);
  r.z = s.opt(5);
  r.severity = parse_severity(s.text(6));
}

// ---- infra_health_scores ----------------------------------------------------------------

inline constexpr const char* kHealthColumns =
    "metric_date, service_type, instance_id, cpu_score, memory_score, storage_score, "
    "connections_score, latency_score, throughput_score, errors_score, health_score, "
    "COALESCE(grade,''), COALESCE(trend_direction,'')";

template <class S>
void bind_health(S& s, const HealthRow& r) {
  s.bind(r.date).bind(to_string(r.service)).bind(r.instance_id);
  for (const auto& d : r.dimension) s.bind(d);
  s.bind(r.health_score)
      .bind_text_or_null(text_or_empty(r.grade))
      .bind_text_or_null(text_or_empty(r.trend));
}

template <class S>
HealthRow read_health(const S& s) {
  HealthRow r;
  r.date = s.day(0);
  r.service = s.service(1);
  r.instance_id = s.text(2);
  for (int i = 0; i < kDimensionCount; ++i) r.dimension[i] = s.opt(3 + i);
  r.health_score = s.opt(10);
  r.grade = parse_grade(s.text(11));
  r.trend = parse_trend(s.text(12));
  return r;
}

// ---- infra_anomaly_alerts ---------------------------------------------------------------

// `acknowledged_at` is the backend's expression for that timestamp as text.
inline std::string alert_columns(const std::string& acknowledged_at) {
  return "id, alert_date, service_type, instance_id, metric_name, alert_type, severity, value, "
         "baseline_mean, baseline_sigma, z_score, COALESCE(we_rules,''), roc_pct, anomaly_score, "
         "consecutive_anomaly_days, message, COALESCE(recommended_action,''), acknowledged, "
         "COALESCE(acknowledged_by,''), COALESCE(" +
         acknowledged_at + ",''), COALESCE(notes,'')";
}

// A day's alerts that a recompute may remove: those no operator touched (one date parameter).
inline constexpr const char* kStaleAlertCandidates =
    "SELECT id, service_type, instance_id, metric_name, alert_type FROM infra_anomaly_alerts "
    "WHERE alert_date = ? AND acknowledged = 0 AND notes IS NULL";

// Whether the current row of kStaleAlertCandidates is of `services` (all when empty) and not
// raised again (not in `keep`).
template <class S>
bool is_stale_alert(const S& s, std::span<const ServiceType> services,
                    const std::set<AlertKey>& keep) {
  const ServiceType svc = s.service(1);
  if (!services.empty() && std::find(services.begin(), services.end(), svc) == services.end())
    return false;
  // A type this step does not raise (FORECAST) is never its to remove.
  const auto type = parse_alert_type(s.text(4));
  return type && !keep.count({{svc, s.text(2), s.text(3)}, *type});
}

inline constexpr const char* kDeleteAlert = "DELETE FROM infra_anomaly_alerts WHERE id = ?";

// Most severe first, then the highest score.
inline constexpr const char* kAlertOrder =
    "CASE severity WHEN 'EMERGENCY' THEN 1 WHEN 'CRITICAL' THEN 2 WHEN 'WARNING' THEN 3 ELSE 4 "
    "END, anomaly_score DESC, instance_id, metric_name";

template <class S>
void bind_alert(S& s, const Alert& r) {
  s.bind(r.date)
      .bind(to_string(r.service))
      .bind(r.instance_id)
      .bind(r.metric)
      .bind(to_string(r.alert_type))
      .bind(to_string(r.severity))
      .bind(r.value)
      .bind(r.baseline_mean)
      .bind(r.baseline_sigma)
      .bind(r.z)
      .bind_text_or_null(r.we_rules)
      .bind(r.roc_pct)
      .bind(r.anomaly_score)
      .bind(r.consecutive_days)
      .bind(r.message)
      .bind_text_or_null(r.recommended_action);
}

template <class S>
Alert read_alert(const S& s) {
  Alert r;
  r.id = s.integer(0);
  r.date = s.day(1);
  r.service = s.service(2);
  r.instance_id = s.text(3);
  r.metric = s.text(4);
  r.alert_type = enum_column(parse_alert_type, s.text(5), "infra_anomaly_alerts.alert_type");
  r.severity = enum_column(parse_severity, s.text(6), "infra_anomaly_alerts.severity");
  r.value = s.opt(7);
  r.baseline_mean = s.opt(8);
  r.baseline_sigma = s.opt(9);
  r.z = s.opt(10);
  r.we_rules = s.text(11);
  r.roc_pct = s.opt(12);
  r.anomaly_score = s.opt(13);
  r.consecutive_days = static_cast<int>(s.integer(14));
  r.message = s.text(15);
  r.recommended_action = s.text(16);
  r.acknowledged = s.integer(17) != 0;
  r.acknowledged_by = s.text(18);
  r.acknowledged_at = s.text(19);
  r.notes = s.text(20);
  return r;
}

// ---- infra_monitoring_pipeline_log ------------------------------------------------------

inline std::string step_log_columns(const std::string& created_at) {
  return "run_id, target_date, step_num, step_name, status, rows_affected, duration_seconds, "
         "COALESCE(error_message,''), " +
         created_at;
}

template <class S>
void bind_step_log(S& s, const StepLogRow& r) {  // in kStepLogUpsert's order
  s.bind(r.run_id)
      .bind(r.step_num)
      .bind(r.target_date)
      .bind(r.step_name)
      .bind(to_string(r.status))
      .bind(r.rows_affected)
      .bind(r.duration_seconds)
      .bind_text_or_null(r.error_message)
      .bind(r.created_at);
}

template <class S>
StepLogRow read_step_log(const S& s) {
  return {s.text(0),
          s.day(1),
          static_cast<int>(s.integer(2)),
          s.text(3),
          enum_column(parse_step_status, s.text(4), "infra_monitoring_pipeline_log.status"),
          s.integer(5),
          s.real(6),
          s.text(7),
          s.text(8)};
}

template <class S>
RunSummary read_run_summary(const S& s) {
  return {s.text(0),
          s.day(1),
          s.text(2),
          s.text(3),
          static_cast<int>(s.integer(4)),
          static_cast<int>(s.integer(5)),
          static_cast<int>(s.integer(6)),
          s.integer(7)};
}

}  // namespace im::store::rows
