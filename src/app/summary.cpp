#include <algorithm>
#include <cmath>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "app/app.h"
#include "core/catalog.h"

namespace im::app {

namespace {

std::string thousands(int64_t v) {
  std::string s = std::to_string(v < 0 ? -v : v), out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i && (s.size() - i) % 3 == 0) out += ',';
    out += s[i];
  }
  return v < 0 ? "-" + out : out;
}

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

}  // namespace

void print_run_report(std::ostream& out, const pipeline::RunReport& report, bool dry_run) {
  for (const auto& d : report.days) {
    int ok = 0, skipped = 0, failed = 0;
    std::map<std::string, int64_t> writes;
    for (const auto& s : d.steps) {
      ok += s.status == StepStatus::SUCCESS;
      skipped += s.status == StepStatus::SKIPPED;
      failed += s.status == StepStatus::FAILED;
      for (const auto& [t, n] : s.writes) writes[t] += n;
    }
    out << d.day.str() << "  run " << d.run_id << "  " << ok << " succeeded, " << skipped
        << " skipped, " << failed << " failed\n";
    for (const auto& s : d.steps)
      if (s.status == StepStatus::FAILED)
        out << "  step " << s.num << " " << s.name << " FAILED: " << s.message << "\n";
    if (dry_run) {
      out << "  dry run, nothing written; it would have written:\n";
      for (const auto& [t, n] : writes)
        out << "    " << std::left << std::setw(32) << t << std::right << std::setw(8)
            << thousands(n) << " rows\n";
    }
  }
}

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
        << r.step_name << std::right << " " << to_string(r.status) << ": " << r.error_message << "\n";
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

}  // namespace im::app
