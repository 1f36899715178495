#include <iomanip>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "app/app.h"

namespace im::app {

namespace {

constexpr int kStepCount = pipeline::kStepCount;

struct Check {
  std::string name, status, detail;  // status: OK, WARNING, STALE, INFO
};

}  // namespace

int status_command(std::ostream& out, store::Store& store, int64_t now, bool json) {
  const Day today = Day::from_unix_seconds(now);
  std::vector<Check> checks;

  // 4.2 pipeline freshness: a successful step in the last 24 hours.
  std::string last = store.last_success_at();
  if (auto t = parse_utc_timestamp(last)) {
    double hours = double(now - *t) / 3600.0;
    std::ostringstream d;
    d << "last successful step " << last << " UTC, " << std::fixed << std::setprecision(1) << hours
      << " h ago";
    checks.push_back({"pipeline_freshness",
                      hours > 24   ? "STALE"
                      : hours > 12 ? "WARNING"
                                   : "OK",
                      d.str()});
  } else {
    checks.push_back({"pipeline_freshness", "STALE", "no successful step recorded"});
  }

  // 4.3 data freshness: yesterday's data should be there (days behind = 1).
  for (const auto& [table, latest] : store.latest_dates()) {
    bool essential = table == "infra_metric_daily" || table == "infra_anomaly_scores";
    if (!latest) {
      checks.push_back({"data_freshness:" + table, essential ? "STALE" : "INFO", "no rows"});
      continue;
    }
    int behind = today - *latest;
    std::string detail =
        "latest " + latest->str() + ", " + std::to_string(behind) + " day(s) behind";
    std::string st = behind <= 1 ? "OK" : essential ? "WARNING" : "INFO";
    checks.push_back({"data_freshness:" + table, st, detail});
  }

  // 4.4 failed steps in the last 7 days; a failure in the newest run is a WARNING.
  auto failed = store.failed_steps_since(format_utc_timestamp(now - 7 * Day::kSecondsPerDay));
  auto runs = store.recent_runs(5);
  bool newest_failed = !runs.empty() && runs.front().failed > 0;
  checks.push_back({"failed_steps_7d",
                    newest_failed    ? "WARNING"
                    : failed.empty() ? "OK"
                                     : "INFO",
                    std::to_string(failed.size()) + " failed step(s)" +
                        (newest_failed ? ", including in the latest run" : "")});

  // A run in progress, and runs that stopped before their last step (killed: SIGKILL, a
  // crash, a lost machine). A run that is interrupted by SIGTERM logs a FAILED step instead.
  const std::string holder = store.run_lock_holder();
  checks.push_back({"run_in_progress", "INFO", holder.empty() ? "none" : holder});
  std::string unfinished;
  for (size_t i = 0; i < runs.size(); ++i) {
    const auto& r = runs[i];
    const int logged = r.succeeded + r.failed + r.skipped;
    if (logged >= kStepCount || (i == 0 && !holder.empty())) continue;
    unfinished += (unfinished.empty() ? "" : "; ") + r.run_id + " (day " + r.target_date.str() +
                  ") stopped after " + std::to_string(logged) + " of " +
                  std::to_string(kStepCount) + " steps, last at " + r.finished_at;
  }
  checks.push_back({"unfinished_runs", unfinished.empty() ? "OK" : "WARNING",
                    unfinished.empty() ? "none of the latest runs" : unfinished});

  // Section 3: yesterday's row counts against the guide's ranges (sized for its fleet:
  // informative).
  auto counts = store.day_counts(today - 1);
  bool ok = true;
  for (const auto& c : checks) ok = ok && (c.status == "OK" || c.status == "INFO");

  if (json) {
    nlohmann::ordered_json j;
    j["status"] = ok ? "OK" : "NOT OK";
    j["checked_at"] = format_utc_timestamp(now);
    for (const auto& c : checks)
      j["checks"].push_back({{"name", c.name}, {"status", c.status}, {"detail", c.detail}});
    for (const auto& r : runs)
      j["recent_runs"].push_back({{"run_id", r.run_id},
                                  {"target_date", r.target_date.str()},
                                  {"started_at", r.started_at},
                                  {"finished_at", r.finished_at},
                                  {"succeeded", r.succeeded},
                                  {"failed", r.failed},
                                  {"skipped", r.skipped},
                                  {"rows", r.rows}});
    for (const auto& f : failed)
      j["failed_steps"].push_back({{"run_id", f.run_id},
                                   {"step_num", f.step_num},
                                   {"step_name", f.step_name},
                                   {"error_message", f.error_message},
                                   {"created_at", f.created_at}});
    for (const auto& e : kGuideExpectedRows)
      j["yesterday_rows"][e.table] = {
          {"rows", counts[e.table]}, {"expected_min", e.lo}, {"expected_max", e.hi}};
    out << j.dump(2) << "\n";
    return ok ? kExitOk : kExitFailed;
  }

  out << "infra-monitor status at " << format_utc_timestamp(now) << " UTC (" << store.describe()
      << "): " << (ok ? "OK" : "NOT OK") << "\n\n";
  for (const auto& c : checks)
    out << "  " << std::left << std::setw(8) << c.status << std::setw(44) << c.name << c.detail
        << "\n";
  out << "\nLatest runs\n";
  for (const auto& r : runs)
    out << "  " << r.run_id << "  day " << r.target_date.str() << "  " << r.started_at << " - "
        << r.finished_at.substr(11) << "  ok " << r.succeeded << ", failed " << r.failed
        << ", skipped " << r.skipped << ", rows " << r.rows << "\n";
  if (!failed.empty()) {
    out << "\nFailed steps, last 7 days\n";
    for (const auto& f : failed)
      out << "  " << f.created_at << "  " << f.run_id << "  step " << f.step_num << " "
          << f.step_name << ": " << f.error_message << "\n";
  }
  out << "\nRows for " << (today - 1).str() << " (guide's expected range at its scale)\n";
  for (const auto& e : kGuideExpectedRows)
    out << "  " << std::left << std::setw(32) << e.table << std::right << std::setw(8)
        << counts[e.table] << "   " << e.lo << " - " << e.hi << "\n";
  return ok ? kExitOk : kExitFailed;
}

int ack_command(std::ostream& out, store::Store& store, const store::AckFilter& filter,
                const std::string& by, const std::string& note) {
  store.begin();
  size_t n = store.acknowledge_alerts(filter, by, note);
  store.commit();
  out << "acknowledged " << n << " alert(s) as " << by << "\n";
  if (n == 0 && filter.id) {
    out << "no unacknowledged alert has id " << *filter.id << "\n";
    return kExitFailed;
  }
  return kExitOk;
}

int cleanup_command(std::ostream& out, store::Store& store, int64_t now, int keep_days) {
  std::string cutoff = format_utc_timestamp(now - int64_t{keep_days} * Day::kSecondsPerDay);
  store.begin();
  size_t n = store.delete_step_log_before(cutoff);
  store.commit();
  out << "deleted " << n << " pipeline log row(s) created before " << cutoff << " UTC\n";
  return kExitOk;
}

int archive_command(std::ostream& out, store::Store& store, Day before) {
  int64_t total = 0;
  for (const auto& table : store::Store::archivable_tables()) {
    store.begin();
    try {
      int64_t n = store.archive_rows(table, before);
      store.commit();
      out << "  " << table << ": moved " << n << " row(s) dated before " << before.str() << " to "
          << table << "_archive\n";
      total += n;
    } catch (...) {
      store.rollback();
      throw;
    }
  }
  out << "archived " << total << " row(s)\n";
  return kExitOk;
}

int partitions_command(std::ostream& out, store::Store& store, Day today, int months_ahead,
                       bool create) {
  bool missing = false;
  for (const auto& rep : store.maintain_partitions(today, months_ahead, create)) {
    out << "  " << rep.table << ": ";
    if (!rep.partitioned) {
      out << "not partitioned (run with --create, or apply sql/mysql/partition_by_month.sql)\n";
      missing = true;
      continue;
    }
    out << rep.existing.size() << " partition(s) before";
    if (rep.added.empty()) {
      out << ", none added\n";
      continue;
    }
    out << ", added";
    for (const auto& name : rep.added) out << " " << name;
    out << "\n";
  }
  return missing ? kExitFailed : kExitOk;
}

}  // namespace im::app
