// `run`: the pipeline for yesterday (UTC), a day, or a range.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iomanip>
#include <iostream>

#include "app/app.h"
#include "app/command.h"
#include "app/wiring.h"
#include "core/stop.h"

namespace im::app {

namespace {

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

class RunCommand final : public Command {
 public:
  void add_to(CLI::App& app) override {
    sub = app.add_subcommand("run", "run the pipeline for yesterday (UTC), a day, or a range");
    sub->add_option("--backfill", backfill_, "process the N days before today, oldest first");
    sub->add_option("--start-date", start_, "first day of a range (YYYY-MM-DD)");
    sub->add_option("--end-date", end_, "last day of a range (YYYY-MM-DD, inclusive)");
    sub->add_option("--target-date", target_, "one day (YYYY-MM-DD); default: yesterday UTC");
    sub->add_option("--steps", steps_, "only these steps, e.g. 9,10,11,12,13 or 9-13");
    sub->add_option("--service-type", services_,
                    "only these services: REDIS, RDS, EC2, EKS, MSK, DOCDB, OPENSEARCH, EMR")
        ->delimiter(',');
    sub->add_flag("--dry-run", dry_run_,
                  "collect and compute, write nothing, print what would be written");
  }

  int run(Runtime& rt) override {
    pipeline::RunOptions opts = options(rt.today());
    const LoadedSettings& ls = rt.load(dry_run_);
    rt.start_logging();
    auto db = rt.open(store::OpenMode::READ_WRITE, "run");
    opts.lock_held = true;
    const Clock clock = Clock::system();
    pipeline::Pipeline p(ls.settings, *db.store, build_sources(ls.settings, ls.environment, clock),
                         clock);
    auto report = p.run(opts);
    print_run_report(std::cout, report, ls.settings.pipeline.dry_run);
    if (report.interrupted_by)
      spdlog::error(
          "interrupted by {}: the step in progress was rolled back and logged as "
          "FAILED; re-run the day (exit {})",
          stop_signal_name(report.interrupted_by), exit_code(report));
    return exit_code(report);
  }

 private:
  // The flags as run options; UsageError on a bad one (before anything is read or opened).
  pipeline::RunOptions options(Day today) const {
    pipeline::DateSelection sel;
    // A flag given with an empty value ("--target-date \"\"", an unset shell variable) is an
    // error, not the default day.
    const Day latest = today + 1;  // plan_days names the latest complete day itself
    if (sub->get_option("--backfill")->count()) sel.backfill = backfill_;
    if (sub->get_option("--start-date")->count())
      sel.start = parse_day_flag("--start-date", start_, latest);
    if (sub->get_option("--end-date")->count())
      sel.end = parse_day_flag("--end-date", end_, latest);
    if (sub->get_option("--target-date")->count())
      sel.target = parse_day_flag("--target-date", target_, latest);
    pipeline::RunOptions opts;
    opts.days = pipeline::plan_days(sel, today);
    if (!steps_.empty()) opts.steps = pipeline::parse_steps(steps_);
    pipeline::validate_steps(opts.steps);
    for (const auto& t : services_) {
      auto svc = parse_service_type(t);
      if (!svc)
        throw UsageError("--service-type " + t +
                         ": expected one of REDIS, RDS, EC2, EKS, MSK, DOCDB, OPENSEARCH, EMR");
      if (std::find(opts.services.begin(), opts.services.end(), *svc) == opts.services.end())
        opts.services.push_back(*svc);
    }
    return opts;
  }

  int backfill_ = 0;
  std::string start_, end_, target_, steps_;
  std::vector<std::string> services_;
  bool dry_run_ = false;
};

}  // namespace

std::unique_ptr<Command> run_command() {
  return std::make_unique<RunCommand>();
}

}  // namespace im::app
