// `demo`: 30 simulated days backfilled, then yesterday's run, and a summary to read.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "app/app.h"
#include "app/command.h"
#include "app/wiring.h"
#include "core/catalog.h"

namespace im::app {

namespace {

std::string num(double v, int precision = 1) {
  std::ostringstream o;
  double a = std::fabs(v);
  if (a >= 1e9)
    o << std::fixed << std::setprecision(2) << v / 1e9 << "G";
  else if (a >= 1e6)
    o << std::fixed << std::setprecision(2) << v / 1e6 << "M";
  else if (a >= 1e4)
    o << std::fixed << std::setprecision(1) << v / 1e3 << "k";
  else
    o << std::fixed << std::setprecision(precision) << v;
  return o.str();
}

// What a person reads after the demo: the day's rows against the guide's ranges, alerts,
// grades, the largest deviations, and how to query the tables.
void print_day_summary(std::ostream& out, store::Store& store, Day day) {
  auto counts = store.day_counts(day);
  auto run_id = store.latest_run_id(day);
  auto log = store.load_step_log(run_id);

  out << "\n=== infra-monitor: " << day.str() << " (UTC) ===\n";
  out << "database  " << store.describe() << "\n";
  out << "run       " << (run_id.empty() ? "(none)" : run_id) << "\n\n";

  out << "Rows for the day                      rows   guide's expected range\n";
  for (const auto& e : kGuideExpectedRows) {
    int64_t n = counts[e.table];
    const char* verdict = n >= e.lo && n <= e.hi ? "ok" : n < e.lo ? "BELOW" : "ABOVE";
    out << "  " << std::left << std::setw(32) << e.table << std::right << std::setw(7)
        << thousands(n) << "   " << std::setw(5) << thousands(e.lo) << " - " << std::left
        << std::setw(6) << thousands(e.hi) << std::right << " " << verdict << "\n";
  }
  out << "  " << std::left << std::setw(32) << "infra_fleet_inventory (active)" << std::right
      << std::setw(7) << thousands(counts["infra_fleet_inventory"]) << "\n";

  int failed = 0;
  for (const auto& r : log) {
    if (r.status == StepStatus::SUCCESS) continue;
    if (r.status == StepStatus::FAILED) ++failed;
    out << "  step " << std::setw(2) << r.step_num << " " << std::left << std::setw(26)
        << r.step_name << std::right << " " << to_string(r.status) << ": " << r.error_message
        << "\n";
  }

  auto alerts = store.load_alerts(day);
  out << "\nAlerts: " << alerts.size();
  std::map<Severity, int> by_sev;
  for (const auto& a : alerts) by_sev[a.severity]++;
  for (Severity sev : {Severity::EMERGENCY, Severity::CRITICAL, Severity::WARNING, Severity::INFO})
    out << "  " << to_string(sev) << " " << by_sev[sev];
  out << "\n";
  for (size_t i = 0; i < alerts.size() && i < 8; ++i) out << "  " << alerts[i].message << "\n";

  auto grades = store.grade_distribution(day);
  out << "\nHealth grades:";
  if (grades.empty()) out << " (none computed)";
  for (const auto& [g, n] : grades) out << "  " << g << " " << n;
  out << "\n";

  // The day's largest deviations from baseline, whatever their severity.
  auto scores = store.load_anomaly_scores(day, day);
  std::vector<const store::AnomalyScoreRow*> scored;
  int baseline = 0, low = 0;
  for (const auto& s : scores) {
    if (s.z) scored.push_back(&s);
    baseline += s.score_status == ScoreStatus::BASELINE;
    low += s.score_status == ScoreStatus::LOW_COVERAGE;
  }
  std::sort(scored.begin(), scored.end(),
            [](auto* a, auto* b) { return std::fabs(*a->z) > std::fabs(*b->z); });
  out << "\nSeries scored: " << scored.size() << ", in baseline: " << baseline
      << ", low coverage: " << low << "\n";
  if (!scored.empty()) out << "Largest deviations from baseline (|z|):\n";
  for (size_t i = 0; i < scored.size() && i < 5; ++i) {
    const auto& s = *scored[i];
    const MetricDef* def = find_metric(s.service, s.metric);
    out << "  " << std::left << std::setw(22) << s.instance_id << std::setw(28) << s.metric
        << std::right << std::setw(10) << num(s.value) << " vs " << num(s.mean.value_or(NAN))
        << " ± " << num(s.sigma.value_or(NAN)) << "  z=" << std::showpos << std::fixed
        << std::setprecision(1) << *s.z << std::noshowpos;
    if (def)
      out << "  (" << to_string(def->spc_stat) << ", harmful " << to_string(def->direction) << ")";
    out << "\n";
  }
  const std::string where = store.describe(),
                    query = "SELECT * FROM v_active_anomaly_alerts LIMIT 20";
  std::string why;
  auto url = parse_storage_url(where, why);
  if (url && url->kind == StorageUrl::Kind::MYSQL)
    out << "\nQuery it:  mariadb -h " << url->host << " -P " << url->port << " -u " << url->user
        << " -p " << url->database << " -e \"" << query << "\"\n";
  else
    out << "\nQuery it:  sqlite3 " << where.substr(9) << " \"" << query << "\"\n";
  if (failed) out << "\n" << failed << " step(s) FAILED: see the log above.\n";
}

class DemoCommand final : public Command {
 public:
  void add_to(CLI::App& app) override {
    sub = app.add_subcommand("demo",
                             "backfill 30 simulated days, run yesterday, and print a summary");
    sub->add_option("--days", days_, "days to backfill before the demo's day")
        ->capture_default_str()
        ->check(CLI::Range(1, 365));
    sub->add_option("--date", date_,
                    "the day of the daily run (YYYY-MM-DD); default: yesterday UTC");
  }

  int run(Runtime& rt) override {
    const LoadedSettings& ls = rt.load();
    check(ls.settings);
    const Day today = rt.today();
    const Day yesterday =
        sub->get_option("--date")->count() ? parse_day_flag("--date", date_, today + 1) : today - 1;
    if (yesterday >= today)
      throw UsageError("--date " + yesterday.str() +
                       ": not a complete UTC day yet (the latest is " + (today - 1).str() + ")");
    if (yesterday - days_ < kFirstDay)
      throw UsageError("--date " + yesterday.str() + " with --days " + std::to_string(days_) +
                       ": the backfill would start before " + kFirstDay.str());
    rt.start_logging();
    auto db = rt.open(store::OpenMode::READ_WRITE, "demo");
    const Clock clock = Clock::system();
    pipeline::Pipeline p(ls.settings, *db.store, build_sources(ls.settings, ls.environment, clock),
                         clock);
    std::cerr << "demo: backfilling " << days_ << " days (" << (yesterday - days_).str() << " to "
              << (yesterday - 1).str() << ") into " << db.store->describe() << "\n";
    pipeline::RunOptions back;
    back.lock_held = true;
    for (int i = days_; i >= 1; --i) back.days.push_back(yesterday - i);
    auto level = spdlog::get_level();
    if (level > spdlog::level::debug) spdlog::set_level(spdlog::level::warn);
    auto t0 = std::chrono::steady_clock::now();
    auto backfill_report = p.run(back);
    spdlog::set_level(level);
    if (backfill_report.interrupted_by) return exit_code(backfill_report);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::cerr << "demo: backfill done in " << std::fixed << std::setprecision(1) << secs << " s"
              << (backfill_report.failed() ? " with FAILED steps (see the log above)" : "") << "\n";
    std::cerr << "demo: daily run for " << yesterday.str() << "\n";
    pipeline::RunOptions daily;
    daily.lock_held = true;
    daily.days = {yesterday};
    auto report = p.run(daily);
    print_day_summary(std::cout, *db.store, yesterday);
    if (report.interrupted_by) return exit_code(report);
    return backfill_report.failed() || report.failed() ? kExitFailed : kExitOk;
  }

 private:
  static void check(const Settings& s) {
    if (s.source != Settings::Source::SIMULATE)
      throw ConfigError(
          "invalid configuration: the demo runs on the simulated fleet; source is \"live\" (set "
          "source: simulate or unset IM_SOURCE)");
    if (s.pipeline.dry_run)
      throw ConfigError(
          "invalid configuration: the demo writes its database; unset DRY_RUN (or "
          "pipeline.dry_run) to run it, or use `run --dry-run`");
  }

  int days_ = 30;
  std::string date_;
};

}  // namespace

std::unique_ptr<Command> demo_command() {
  return std::make_unique<DemoCommand>();
}

}  // namespace im::app
