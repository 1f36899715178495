// The 14-step daily pipeline (guide section 3): runs collect -> transform -> scoring -> store
// on the sources, store and clock it is handed (app/wiring.h assembles them). One run per
// target day, each step logged, each step's writes one short transaction.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/settings.h"
#include "core/backoff.h"
#include "core/clock.h"
#include "core/types.h"
#include "pipeline/sources.h"
#include "store/store.h"

namespace im::pipeline {

inline constexpr int kStepCount = 14;

// Which days a run covers (guide section 6.1). At most one of the forms may be given.
struct DateSelection {
  std::optional<int> backfill;    // the N days before today, oldest first
  std::optional<Day> start, end;  // inclusive range
  std::optional<Day> target;      // one day
};
// Days to process in ascending order; yesterday (UTC) when nothing is given.
// Throws UsageError on contradictory or out-of-range selections.
std::vector<Day> plan_days(const DateSelection& sel, Day today);

// "9,10,11", "9-13" or a mix; throws UsageError naming the bad item.
std::set<int> parse_steps(const std::string& text);
// Steps whose in-memory inputs come from another step must be selected with it.
void validate_steps(const std::set<int>& steps);

struct RunOptions {
  std::vector<Day> days;
  std::set<int> steps;                // empty = all 14
  std::vector<ServiceType> services;  // empty = every service the settings enable
  bool lock_held = false;             // the caller already holds the store's run lock
};

// "pid N on HOST": who holds a run lock, for the message of the process refused.
std::string lock_holder();

using im::StepStatus;  // core/records.h

struct StepResult {
  int num = 0;
  std::string name;
  StepStatus status = StepStatus::SKIPPED;
  bool skipped_by_failure = false;  // SKIPPED because a step it needs failed
  bool partial = false;             // FAILED, but what it got is handed on (missing instances)
  int64_t rows = 0;
  double seconds = 0;
  std::string message;                    // error text (FAILED), reason (SKIPPED) or a summary
  std::map<std::string, int64_t> writes;  // table -> rows written (or that would be, dry-run)
};

struct DayResult {
  Day day;
  std::string run_id;
  std::vector<StepResult> steps;
  bool failed() const;
};

struct RunReport {
  std::vector<DayResult> days;
  // A signal asked to stop (core/stop.h): the step in progress was rolled back and logged
  // FAILED (interrupted), and no later step or day ran. The signal's number, or 0.
  int interrupted_by = 0;
  bool failed() const;
};

struct Context;  // a run's working state (pipeline/steps.h)
struct StepDef;  // a step's number, name, dependencies and body (pipeline/steps.h)
struct StepOutcome {
  int64_t rows = 0;
  std::string skip_reason;  // non-empty: SKIPPED by design, with this reason
  // Non-empty: the step is FAILED with this text, but its results stand and the steps after
  // it run (a source lost some instances; the others are stored).
  std::string partial_failure;
  std::string message;
  std::map<std::string, int64_t> writes;
};
using StepFn = std::function<StepOutcome(Context&)>;

class Pipeline {
 public:
  // Everything the pipeline uses is handed to it: the store, the sources (app/wiring.h builds
  // them from the settings), the wall clock and the waits between retries.
  Pipeline(const Settings& settings, store::Store& store, Sources sources, Clock clock);
  ~Pipeline();

  // Runs every day of `opts` in order. Never throws for a failing step: the step is
  // FAILED, its dependants SKIPPED, and the report says so. Throws LockBusyError when
  // another run holds the store's run lock.
  RunReport run(const RunOptions& opts);

  // Replaces a step's body (tests use it to inject a failure).
  void override_step(int num, StepFn fn);

  static std::string_view step_name(int num);

 private:
  DayResult run_day(Day day, const RunOptions& opts);
  void run_with_retries(const StepDef& def, const StepFn& fn, Context& ctx, StepResult& r);

  // A step's writes, in one short transaction (Context::write).
  void write(const std::function<void()>& writes);
  bool write_step_log(const store::StepLogRow& row, StepResult& r);

  const Settings& settings_;
  store::Store& store_;
  Sources sources_;
  Clock clock_;
  Backoff backoff_;
  std::map<int, StepFn> overrides_;
  std::string store_unusable_;  // why the store takes no more writes (disk full...), or ""
};

}  // namespace im::pipeline
