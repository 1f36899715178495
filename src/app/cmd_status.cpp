// `status`: is the pipeline running and its data fresh (guide section 4)? OK / WARNING / STALE
// checks; exit 1 when any is not OK.
#include <CLI/CLI.hpp>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/app.h"
#include "app/command.h"

namespace im::app {

namespace {

constexpr int kStepCount = pipeline::kStepCount;

struct Check {
  std::string name, status, detail;  // status: OK, WARNING, STALE, INFO
};

// What status found, for either output.
struct Status {
  std::vector<Check> checks;
  std::vector<store::RunSummary> runs;
  std::vector<StepLogRow> failed;
  std::map<std::string, int64_t> yesterday_rows;
  bool ok = true;
};

// 4.2 pipeline freshness: a successful step in the last 24 hours.
Check pipeline_freshness(store::OperatorStore& store, int64_t now) {
  std::string last = store.last_success_at();
  auto t = parse_utc_timestamp(last);
  if (!t) return {"pipeline_freshness", "STALE", "no successful step recorded"};
  double hours = double(now - *t) / 3600.0;
  std::ostringstream d;
  d << "last successful step " << last << " UTC, " << std::fixed << std::setprecision(1) << hours
    << " h ago";
  return {"pipeline_freshness", hours > 24 ? "STALE" : hours > 12 ? "WARNING" : "OK", d.str()};
}

// 4.3 data freshness: yesterday's data should be there (days behind = 1).
void data_freshness(store::OperatorStore& store, Day today, std::vector<Check>& out) {
  for (const auto& [table, latest] : store.latest_dates()) {
    bool essential = table == "infra_metric_daily" || table == "infra_anomaly_scores";
    if (!latest) {
      out.push_back({"data_freshness:" + table, essential ? "STALE" : "INFO", "no rows"});
      continue;
    }
    int behind = today - *latest;
    std::string detail =
        "latest " + latest->str() + ", " + std::to_string(behind) + " day(s) behind";
    out.push_back({"data_freshness:" + table,
                   behind <= 1 ? "OK"
                   : essential ? "WARNING"
                               : "INFO",
                   detail});
  }
}

// A run in progress, and runs that stopped before their last step (killed: SIGKILL, a crash, a
// lost machine). A run that is interrupted by SIGTERM logs a FAILED step instead.
void runs_in_flight(store::OperatorStore& store, const std::vector<store::RunSummary>& runs,
                    std::vector<Check>& out) {
  const std::string holder = store.run_lock_holder();
  out.push_back({"run_in_progress", "INFO", holder.empty() ? "none" : holder});
  std::string unfinished;
  for (size_t i = 0; i < runs.size(); ++i) {
    const auto& r = runs[i];
    const int logged = r.succeeded + r.failed + r.skipped;
    if (logged >= kStepCount || (i == 0 && !holder.empty())) continue;
    unfinished += (unfinished.empty() ? "" : "; ") + r.run_id + " (day " + r.target_date.str() +
                  ") stopped after " + std::to_string(logged) + " of " +
                  std::to_string(kStepCount) + " steps, last at " + r.finished_at;
  }
  out.push_back({"unfinished_runs", unfinished.empty() ? "OK" : "WARNING",
                 unfinished.empty() ? "none of the latest runs" : unfinished});
}

Status check_status(store::OperatorStore& store, int64_t now) {
  const Day today = Day::from_unix_seconds(now);
  Status st;
  st.checks.push_back(pipeline_freshness(store, now));
  data_freshness(store, today, st.checks);
  // 4.4 failed steps in the last 7 days; a failure in the newest run is a WARNING.
  st.failed = store.failed_steps_since(format_utc_timestamp(now - 7 * Day::kSecondsPerDay));
  st.runs = store.recent_runs(5);
  bool newest_failed = !st.runs.empty() && st.runs.front().failed > 0;
  st.checks.push_back({"failed_steps_7d",
                       newest_failed       ? "WARNING"
                       : st.failed.empty() ? "OK"
                                           : "INFO",
                       std::to_string(st.failed.size()) + " failed step(s)" +
                           (newest_failed ? ", including in the latest run" : "")});
  runs_in_flight(store, st.runs, st.checks);
  // Section 3: yesterday's row counts against the guide's ranges (sized for its fleet:
  // informative).
  st.yesterday_rows = store.day_counts(today - 1);
  for (const auto& c : st.checks) st.ok = st.ok && (c.status == "OK" || c.status == "INFO");
  return st;
}

void print_json(std::ostream& out, const Status& st, int64_t now) {
  nlohmann::ordered_json j;
  j["status"] = st.ok ? "OK" : "NOT OK";
  j["checked_at"] = format_utc_timestamp(now);
  for (const auto& c : st.checks)
    j["checks"].push_back({{"name", c.name}, {"status", c.status}, {"detail", c.detail}});
  for (const auto& r : st.runs)
    j["recent_runs"].push_back({{"run_id", r.run_id},
                                {"target_date", r.target_date.str()},
                                {"started_at", r.started_at},
                                {"finished_at", r.finished_at},
                                {"succeeded", r.succeeded},
                                {"failed", r.failed},
                                {"skipped", r.skipped},
                                {"rows", r.rows}});
  for (const auto& f : st.failed)
    j["failed_steps"].push_back({{"run_id", f.run_id},
                                 {"step_num", f.step_num},
                                 {"step_name", f.step_name},
                                 {"error_message", f.error_message},
                                 {"created_at", f.created_at}});
  for (const auto& e : kGuideExpectedRows)
    j["yesterday_rows"][e.table] = {
        {"rows", st.yesterday_rows.count(e.table) ? st.yesterday_rows.at(e.table) : 0},
        {"expected_min", e.lo},
        {"expected_max", e.hi}};
  out << j.dump(2) << "\n";
}

void print_table(std::ostream& out, const Status& st, store::OperatorStore& store, int64_t now) {
  const Day today = Day::from_unix_seconds(now);
  out << "infra-monitor status at " << format_utc_timestamp(now) << " UTC (" << store.describe()
      << "): " << (st.ok ? "OK" : "NOT OK") << "\n\n";
  for (const auto& c : st.checks)
    out << "  " << std::left << std::setw(8) << c.status << std::setw(44) << c.name << c.detail
        << "\n";
  out << "\nLatest runs\n";
  for (const auto& r : st.runs)
    out << "  " << r.run_id << "  day " << r.target_date.str() << "  " << r.started_at << " - "
        << r.finished_at.substr(11) << "  ok " << r.succeeded << ", failed " << r.failed
        << ", skipped " << r.skipped << ", rows " << r.rows << "\n";
  if (!st.failed.empty()) {
    out << "\nFailed steps, last 7 days\n";
    for (const auto& f : st.failed)
      out << "  " << f.created_at << "  " << f.run_id << "  step " << f.step_num << " "
          << f.step_name << ": " << f.error_message << "\n";
  }
  out << "\nRows for " << (today - 1).str() << " (guide's expected range at its scale)\n";
  for (const auto& e : kGuideExpectedRows)
    out << "  " << std::left << std::setw(32) << e.table << std::right << std::setw(8)
        << (st.yesterday_rows.count(e.table) ? st.yesterday_rows.at(e.table) : 0) << "   " << e.lo
        << " - " << e.hi << "\n";
}

class StatusCommand final : public Command {
 public:
  void add_to(CLI::App& app) override {
    sub = app.add_subcommand(
        "status", "check that the pipeline runs and its data is fresh (guide section 4)");
    sub->add_option("--format", format_, "table or json")
        ->capture_default_str()
        ->check(CLI::IsMember({"table", "json"}));
  }
  int run(Runtime& rt) override {
    rt.load();
    rt.start_logging();
    auto db = rt.open(store::OpenMode::READ_ONLY);
    const Status st = check_status(*db.store, rt.now());
    if (format_ == "json")
      print_json(std::cout, st, rt.now());
    else
      print_table(std::cout, st, *db.store, rt.now());
    return st.ok ? kExitOk : kExitFailed;
  }

 private:
  std::string format_ = "table";
};

}  // namespace

std::unique_ptr<Command> status_command() {
  return std::make_unique<StatusCommand>();
}

}  // namespace im::app
