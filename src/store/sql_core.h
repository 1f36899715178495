// The SQL both backends share, written once: every read and the operators' updates. A backend
// (D, by CRTP) supplies only what its dialect and driver do differently:
//   query(sql, bind, row)  prepares, binds (bind(S&)), runs and calls row(const S&) per row;
//   exec(sql, bind)        runs a statement, returns the rows it changed;
//   ts(expr)               a DATETIME expression as "YYYY-MM-DD HH:MM:SS" text;
//   now()                  the current UTC timestamp;
//   services_in(services)  " AND service_type IN (?,...)" (SQLite adds an index hint);
//   upsert(spec, rows, bind) the rows of an UpsertSpec (rows.h), batched as the driver likes.
// Internal to src/store.
#pragma once

#include <set>

#include "store/rows.h"

namespace im::store {

template <class D>
class SqlCore : public Store {
 public:
  // ---- History reads -------------------------------------------------------------------
  std::vector<InventoryRow> load_inventory() override {
    std::vector<InventoryRow> out;
    self().query(
        std::string("SELECT ") + rows::kInventoryColumns +
            " FROM infra_fleet_inventory ORDER BY service_type, instance_id",
        [](auto&) {}, [&](const auto& s) { out.push_back(rows::read_inventory(s)); });
    return out;
  }

  void visit_daily_metrics(Day from, Day to, std::span<const ServiceType> services,
                           const std::function<void(const DailyMetric&)>& fn) override {
    const bool arch = archived("infra_metric_daily", from, to);
    DailyMetric m;  // reused: its strings keep their capacity from row to row
    self().query(
        rows::history_select("infra_metric_daily", rows::kDailyMetricColumns,
                             "metric_date BETWEEN ? AND ?" + self().services_in(services),
                             "1, 2, 3, 4", arch),
        [&](auto& s) { rows::bind_window(s, from, to, services, arch); },
        [&](const auto& s) {
          rows::read_daily_metric(s, m);
          fn(m);
        });
  }

  std::vector<AnomalyScoreRow> load_anomaly_scores(Day from, Day to) override {
    std::vector<AnomalyScoreRow> out;
    self().query(
        std::string("SELECT ") + rows::kAnomalyScoreColumns +
            " FROM infra_anomaly_scores WHERE metric_date BETWEEN ? AND ? ORDER BY "
            "metric_date, service_type, instance_id, metric_name",
        [&](auto& s) { s.bind(from).bind(to); },
        [&](const auto& s) { out.push_back(rows::read_anomaly_score(s)); });
    return out;
  }

  void visit_scored_history(Day from, Day to, std::span<const ServiceType> services,
                            const std::function<void(const AnomalyScoreRow&)>& fn) override {
    const bool arch = archived("infra_anomaly_scores", from, to);
    AnomalyScoreRow r;
    self().query(
        rows::history_select("infra_anomaly_scores", rows::kScoredHistoryColumns,
                             "metric_date BETWEEN ? AND ? AND score_status = 'SCORED'" +
                                 self().services_in(services),
                             "1, 2, 3, 4", arch),
        [&](auto& s) { rows::bind_window(s, from, to, services, arch); },
        [&](const auto& s) {
          rows::read_scored_history(s, r);
          fn(r);
        });
  }

  std::vector<HealthRow> load_health_scores(Day from, Day to) override {
    const bool arch = archived("infra_health_scores", from, to);
    std::vector<HealthRow> out;
    self().query(
        rows::history_select("infra_health_scores", rows::kHealthColumns,
                             "metric_date BETWEEN ? AND ?", "2, 3, 1", arch),
        [&](auto& s) { rows::bind_window(s, from, to, {}, arch); },
        [&](const auto& s) { out.push_back(rows::read_health(s)); });
    return out;
  }

  std::vector<Alert> load_alerts(Day day) override {
    std::vector<Alert> out;
    self().query(
        "SELECT " + rows::alert_columns(self().ts("acknowledged_at")) +
            " FROM infra_anomaly_alerts WHERE alert_date = ? ORDER BY " + rows::kAlertOrder,
        [&](auto& s) { s.bind(day); }, [&](const auto& s) { out.push_back(rows::read_alert(s)); });
    return out;
  }

  // ---- Writes: the column lists are rows.h's, the upsert clause the dialect's -------------
  size_t upsert_daily_metrics(std::span<const DailyMetric> rows) override {
    return self().upsert(rows::kDailyMetricUpsert, rows,
                         [](auto& s, const DailyMetric& r) { rows::bind_daily_metric(s, r); });
  }
  size_t upsert_anomaly_scores(std::span<const AnomalyScoreRow> rows) override {
    return self().upsert(rows::kAnomalyScoreUpsert, rows,
                         [](auto& s, const AnomalyScoreRow& r) { rows::bind_anomaly_score(s, r); });
  }
  size_t upsert_health_scores(std::span<const HealthRow> rows) override {
    return self().upsert(rows::kHealthUpsert, rows,
                         [](auto& s, const HealthRow& r) { rows::bind_health(s, r); });
  }
  size_t upsert_alerts(std::span<const Alert> rows) override {
    return self().upsert(rows::kAlertUpsert, rows,
                         [](auto& s, const Alert& r) { rows::bind_alert(s, r); });
  }
  void append_step_log(const StepLogRow& r) override {
    self().upsert(rows::kStepLogUpsert, std::span<const StepLogRow>(&r, 1),
                  [](auto& s, const StepLogRow& row) { rows::bind_step_log(s, row); });
  }

  size_t delete_stale_alerts(Day day, std::span<const ServiceType> services,
                             std::span<const AlertKey> keep) override {
    const std::set<AlertKey> kept(keep.begin(), keep.end());  // one lookup per candidate
    std::vector<int64_t> stale;
    self().query(
        rows::kStaleAlertCandidates, [&](auto& s) { s.bind(day); },
        [&](const auto& s) {
          if (rows::is_stale_alert(s, services, kept)) stale.push_back(s.integer(0));
        });
    for (int64_t id : stale) self().exec(rows::kDeleteAlert, [&](auto& s) { s.bind(id); });
    return stale.size();
  }

  size_t acknowledge_info_before(Day before, const std::string& by) override {
    return self().exec(rows::acknowledge_info_sql(self().now()),
                       [&](auto& s) { s.bind(by).bind(before); });
  }

  // ---- Operators -------------------------------------------------------------------------
  size_t acknowledge_alerts(const AckFilter& f, const std::string& by,
                            const std::string& note) override {
    return self().exec(rows::acknowledge_sql(f, self().now()),
                       [&](auto& s) { rows::bind_acknowledge(s, f, by, note); });
  }

  std::vector<RunSummary> recent_runs(int limit) override {
    std::vector<RunSummary> out;
    self().query(
        "SELECT run_id, MIN(target_date), " + self().ts("MIN(created_at)") + " AS started, " +
            self().ts("MAX(created_at)") +
            ", SUM(status = 'SUCCESS'), SUM(status = 'FAILED'), SUM(status = 'SKIPPED'), "
            "SUM(rows_affected) FROM infra_monitoring_pipeline_log GROUP BY run_id "
            "ORDER BY started DESC, run_id DESC LIMIT ?",
        [&](auto& s) { s.bind(limit); },
        [&](const auto& s) { out.push_back(rows::read_run_summary(s)); });
    return out;
  }

  std::string last_success_at() override {
    std::string out;
    self().query(
        "SELECT COALESCE(" + self().ts("MAX(created_at)") +
            ", '') FROM infra_monitoring_pipeline_log WHERE status = 'SUCCESS'",
        [](auto&) {}, [&](const auto& s) { out = s.text(0); });
    return out;
  }

  std::vector<StepLogRow> failed_steps_since(const std::string& ts) override {
    return step_log_rows(
        "WHERE status = 'FAILED' AND created_at >= ? ORDER BY created_at DESC, id DESC", ts);
  }

  std::vector<StepLogRow> load_step_log(const std::string& run_id) override {
    return step_log_rows("WHERE run_id = ? ORDER BY step_num", run_id);
  }

  std::string latest_run_id(Day target_date) override {
    std::string out;
    self().query(
        "SELECT run_id FROM infra_monitoring_pipeline_log WHERE target_date = ? ORDER BY "
        "created_at DESC, id DESC LIMIT 1",
        [&](auto& s) { s.bind(target_date); }, [&](const auto& s) { out = s.text(0); });
    return out;
  }

  std::map<std::string, std::optional<Day>> latest_dates() override {
    std::map<std::string, std::optional<Day>> out;
    for (const auto& [table, col] : rows::kDataTables)
      self().query(
          std::string("SELECT MAX(") + col + ") FROM " + table, [](auto&) {},
          [&, t = table](const auto& s) {
            out[t] = s.is_null(0) ? std::nullopt : std::optional<Day>(s.day(0));
          });
    return out;
  }

  std::map<std::string, int64_t> day_counts(Day day) override {
    std::map<std::string, int64_t> out;
    for (const auto& [table, col] : rows::kDataTables)
      out[table] = count(std::string("SELECT COUNT(*) FROM ") + table + " WHERE " + col + " = ?",
                         [&](auto& s) { s.bind(day); });
    const std::string run = latest_run_id(day);
    out["infra_monitoring_pipeline_log"] =
        count("SELECT COUNT(*) FROM infra_monitoring_pipeline_log WHERE run_id = ?",
              [&](auto& s) { s.bind(run); });
    out["infra_fleet_inventory"] =
        count("SELECT COUNT(*) FROM infra_fleet_inventory WHERE status = 'ACTIVE'", [](auto&) {});
    return out;
  }

  std::map<std::string, int64_t> grade_distribution(Day day) override {
    std::map<std::string, int64_t> out;
    self().query(
        "SELECT COALESCE(grade, 'no score'), COUNT(*) FROM infra_health_scores WHERE "
        "metric_date = ? GROUP BY grade ORDER BY grade",
        [&](auto& s) { s.bind(day); }, [&](const auto& s) { out[s.text(0)] = s.integer(1); });
    return out;
  }

  int64_t archive_rows(const std::string& table, Day before) override {
    const std::string col = rows::archive_date_column(table);
    auto bind = [&](auto& s) { s.bind(before); };
    const int64_t expected =
        count("SELECT COUNT(*) FROM " + table + " WHERE " + col + " < ?", bind);
    self().exec(rows::archive_replaced(table), bind);
    const auto copied = static_cast<int64_t>(self().exec(
        "INSERT INTO " + table + "_archive SELECT * FROM " + table + " WHERE " + col + " < ?",
        bind));
    const auto deleted =
        static_cast<int64_t>(self().exec("DELETE FROM " + table + " WHERE " + col + " < ?", bind));
    rows::check_archive_counts(table, expected, copied, deleted);
    return expected;
  }

  size_t delete_step_log_before(const std::string& ts) override {
    return self().exec("DELETE FROM infra_monitoring_pipeline_log WHERE created_at < ?",
                       [&](auto& s) { s.bind(ts); });
  }

 protected:
  // Whether `table`'s archive holds a row dated in [from, to] (history reads then see it).
  bool archived(const std::string& table, Day from, Day to) {
    return count(rows::archived_between(table), [&](auto& s) { s.bind(from).bind(to); }) > 0;
  }

 private:
  D& self() { return static_cast<D&>(*this); }

  template <class Bind>
  int64_t count(const std::string& sql, Bind bind) {
    int64_t n = 0;
    self().query(sql, bind, [&](const auto& s) { n = s.integer(0); });
    return n;
  }

  std::vector<StepLogRow> step_log_rows(const std::string& where_order, const std::string& param) {
    std::vector<StepLogRow> out;
    self().query(
        "SELECT " + rows::step_log_columns(self().ts("created_at")) +
            " FROM infra_monitoring_pipeline_log " + where_order,
        [&](auto& s) { s.bind(param); },
        [&](const auto& s) { out.push_back(rows::read_step_log(s)); });
    return out;
  }
};

}  // namespace im::store
