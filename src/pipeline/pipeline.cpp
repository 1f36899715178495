#include "pipeline/pipeline.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <random>

#include "core/stop.h"
#include "core/text_safety.h"
#include "pipeline/steps.h"

namespace im::pipeline {

bool DayResult::failed() const {
  for (const auto& s : steps)
    if (s.status == StepStatus::FAILED) return true;
  return false;
}
bool RunReport::failed() const {
  for (const auto& d : days)
    if (d.failed()) return true;
  return false;
}

// The ceiling of the wait between two attempts of a step: a database restarting or a source
// recovering is given minutes, not hours.
constexpr double kMaxRetryWaitSeconds = 15 * 60;

Pipeline::Pipeline(const Settings& settings, store::Store& store, Sources sources, Clock clock)
    : settings_(settings),
      store_(store),
      sources_(std::move(sources)),
      clock_(std::move(clock)),
      backoff_(settings.pipeline.retry_delay_seconds, kMaxRetryWaitSeconds) {}

Pipeline::~Pipeline() = default;

void Pipeline::override_step(int num, StepFn fn) {
  overrides_[num] = std::move(fn);
}

std::string_view Pipeline::step_name(int num) {
  for (const auto& d : step_definitions())
    if (d.num == num) return d.name;
  return "?";
}

namespace {

std::string make_run_id(int64_t now, Day day) {
  std::string ts = format_utc_timestamp(now);  // "YYYY-MM-DD HH:MM:SS"
  std::string compact;
  for (char ch : ts)
    if (ch != '-' && ch != ':') compact += ch == ' ' ? 'T' : ch;
  static std::mt19937_64 rng{std::random_device{}()};
  char suffix[8];
  std::snprintf(suffix, sizeof suffix, "%04x", static_cast<unsigned>(rng() & 0xffff));
  std::string d = day.str();
  d.erase(std::remove(d.begin(), d.end(), '-'), d.end());
  return compact + "Z-" + d + "-" + suffix;
}

}  // namespace

std::string lock_holder() {
  char host[256] = "unknown-host";
  gethostname(host, sizeof host - 1);
  return "pid " + std::to_string(getpid()) + " on " + host;  // the store adds "since ..."
}

RunReport Pipeline::run(const RunOptions& opts) {
  RunReport report;
  store_unusable_.clear();  // tried again: an operator may have freed space since
  std::unique_ptr<store::RunLock> lock;
  if (!settings_.pipeline.dry_run && !opts.lock_held) lock = store_.acquire_run_lock(lock_holder());
  for (Day d : opts.days) {
    if (stop_signal()) break;
    if (!store_unusable_.empty()) {
      spdlog::error("{} later day(s) not run, from {}: the store cannot be written",
                    opts.days.back() - d + 1, d.str());
      break;
    }
    report.days.push_back(run_day(d, opts));
  }
  report.interrupted_by = stop_signal();
  return report;
}

namespace {

// What a signal to stop does to the step in progress: it is FAILED and nothing of it is kept.
struct Interrupted : std::runtime_error {
  Interrupted() : std::runtime_error("interrupted") {}
};

void mark_interrupted(StepResult& r) {
  r.status = StepStatus::FAILED;
  r.message = std::string("interrupted by ") + stop_signal_name(stop_signal()) +
              ": rolled back, nothing of this step was written";
}

}  // namespace

void Pipeline::write(const std::function<void()>& writes) {
  store::Transaction tx(store_);
  writes();
  if (stop_signal()) throw Interrupted();  // the transaction rolls back
  if (!settings_.pipeline.dry_run) tx.commit();
}

// A step runs, then writes in one short transaction (Context::write). A TransientError
// (a lost connection, a source's 5xx) runs the step again from the start after a backoff, up to
// max_retries times: the step's writes are upserts, so a commit that did land and is made again
// is harmless.
void Pipeline::run_with_retries(const StepDef& def, const StepFn& fn, Context& ctx, StepResult& r) {
  const int max_retries = settings_.pipeline.max_retries;
  for (int attempt = 0;; ++attempt) {
    try {
      StepOutcome o = fn(ctx);
      // A stop asked for while a step that writes nothing ran: its results are not handed on.
      if (stop_signal() && o.writes.empty()) return mark_interrupted(r);
      r.rows = o.rows;
      r.writes = std::move(o.writes);
      if (!o.skip_reason.empty()) {
        r.message = o.skip_reason;
      } else if (!o.partial_failure.empty()) {
        r.status = StepStatus::FAILED;
        r.partial = true;
        r.message = o.partial_failure + (o.message.empty() ? "" : "; " + o.message);
      } else {
        r.status = StepStatus::SUCCESS;
        r.message = o.message;
      }
      return;
    } catch (const TransientError& e) {
      if (stop_signal()) return mark_interrupted(r);
      if (attempt >= max_retries) {
        r.status = StepStatus::FAILED;
        r.message =
            std::string(e.what()) + " (gave up after " + std::to_string(attempt + 1) + " attempts)";
        return;
      }
      const double delay = backoff_.delay(attempt);
      spdlog::warn("[{}] step {} {} failed: {}; retry {}/{} in {:.1f}s", ctx.day.str(), def.num,
                   def.name, e.what(), attempt + 1, max_retries, delay);
      clock_.sleep(delay);
    } catch (const std::exception& e) {
      if (stop_signal()) return mark_interrupted(r);
      r.status = StepStatus::FAILED;
      r.message = e.what();
      if (dynamic_cast<const StoreUnusableError*>(&e)) store_unusable_ = e.what();
      return;
    }
  }
}

// The step's row of the pipeline log, in its own transaction, retried like a step (a database
// restarting between two steps); an upsert on (run_id, step_num), so sending it twice is
// harmless. A row that cannot be written fails the step (false).
bool Pipeline::write_step_log(const store::StepLogRow& row, StepResult& r) {
  auto failed = [&](const std::exception& e) {
    if (dynamic_cast<const StoreUnusableError*>(&e)) store_unusable_ = e.what();
    spdlog::error("[{}] cannot write the step log row of step {}: {}", row.target_date.str(), r.num,
                  e.what());
    if (r.status != StepStatus::FAILED) {
      r.status = StepStatus::FAILED;
      r.message = std::string("step log write failed: ") + e.what();
    }
    return false;
  };
  for (int attempt = 0;; ++attempt) {
    try {
      store::Transaction tx(store_);
      store_.append_step_log(row);
      tx.commit();
      return true;
    } catch (const TransientError& e) {
      if (attempt >= settings_.pipeline.max_retries || stop_signal()) return failed(e);
      const double delay = backoff_.delay(attempt);
      spdlog::warn("[{}] step log row of step {}: {}; retry {}/{} in {:.1f}s",
                   row.target_date.str(), r.num, e.what(), attempt + 1,
                   settings_.pipeline.max_retries, delay);
      clock_.sleep(delay);
    } catch (const std::exception& e) {
      return failed(e);
    }
  }
}

namespace {

// Why step `def` cannot run: a step it needs failed (or was skipped because of a failure).
std::string blocked_by(const StepDef& def, const std::vector<StepResult>& done) {
  auto broken = [&](int num) {
    for (const auto& r : done)
      if (r.num == num)
        return (r.status == StepStatus::FAILED && !r.partial) || r.skipped_by_failure;
    return false;
  };
  for (int n : def.needs_all)
    if (broken(n))
      return "step " + std::to_string(n) + " (" + std::string(Pipeline::step_name(n)) + ") failed";
  if (!def.needs_any.empty() && std::all_of(def.needs_any.begin(), def.needs_any.end(), broken))
    return "every step it needs failed";
  return {};
}

void log_step(Day day, const StepResult& r) {
  if (r.status == StepStatus::FAILED)
    spdlog::error("[{}] step {:>2} {:<26} FAILED  {}", day.str(), r.num, r.name, r.message);
  else
    spdlog::info("[{}] step {:>2} {:<26} {:<7} rows={:<6} {:.3f}s{}{}", day.str(), r.num, r.name,
                 to_string(r.status), r.rows, r.seconds, r.message.empty() ? "" : "  ", r.message);
}

}  // namespace

DayResult Pipeline::run_day(Day day, const RunOptions& opts) {
  const bool dry = settings_.pipeline.dry_run;
  Context ctx(settings_, store_, sources_, day, make_run_id(clock_.now(), day), dry,
              [this](const std::function<void()>& writes) { write(writes); });
  ctx.services = opts.services;
  if (ctx.services.empty()) {
    ctx.services = {ServiceType::REDIS};
    for (ServiceType svc : cloudwatch_services(settings_)) ctx.services.push_back(svc);
  }

  DayResult result{day, ctx.run_id, {}};
  spdlog::info("[{}] run {} started{}", day.str(), ctx.run_id,
               dry ? " (dry run: nothing is written)" : "");
  for (const StepDef& def : step_definitions()) {
    StepResult r;
    r.num = def.num;
    r.name = std::string(def.name);
    if (!store_unusable_.empty()) {  // said once below, not once per step
      r.skipped_by_failure = true;
      r.message = "not run: " + store_unusable_;
      result.steps.push_back(std::move(r));
      continue;
    }
    const auto started = std::chrono::steady_clock::now();
    const std::string blocked = blocked_by(def, result.steps);
    const bool selected = opts.steps.empty() || opts.steps.count(def.num) || def.num == kStepCount;
    if (stop_signal()) {  // logged once, as the step that did not run; the rest of the day is not
      r.status = StepStatus::FAILED;
      r.message = std::string("interrupted by ") + stop_signal_name(stop_signal()) +
                  " before this step started; the steps after it did not run";
    } else if (!selected) {
      r.message = "not selected (--steps)";
    } else if (!blocked.empty()) {
      r.message = blocked;
      r.skipped_by_failure = true;
    } else {
      run_with_retries(def, overrides_.count(def.num) ? overrides_.at(def.num) : def.fn, ctx, r);
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    // The message reaches the log, stdout and the step log table: never a URL's password.
    r.message = mask_url_credentials(std::move(r.message));
    log_step(day, r);
    if (!dry) {
      if (write_step_log({ctx.run_id, day, r.num, r.name, r.status, r.rows, r.seconds,
                          r.status == StepStatus::SUCCESS ? "" : r.message,
                          format_utc_timestamp(clock_.now())},
                         r))
        ++ctx.log_rows_written;
    }
    result.steps.push_back(std::move(r));
    if (stop_signal()) break;
  }
  // What the day cost in API calls (CloudWatch's GetMetricData is billed).
  for (const auto& b : sources_.bindings)
    if (b.samples)
      if (std::string usage = b.samples->take_usage(); !usage.empty())
        spdlog::info("[{}] {}", day.str(), usage);
  if (!store_unusable_.empty())
    spdlog::error(
        "[{}] run {} STOPPED: the store cannot be written ({}); no later step or day "
        "runs. Free space or fix the database, then re-run the day",
        day.str(), ctx.run_id, store_unusable_);
  else if (stop_signal())
    spdlog::error("[{}] run {} INTERRUPTED by {} after step {}; re-run the day", day.str(),
                  ctx.run_id, stop_signal_name(stop_signal()), result.steps.back().num);
  else
    spdlog::info("[{}] run {} {}", day.str(), ctx.run_id, result.failed() ? "FAILED" : "finished");
  return result;
}

}  // namespace im::pipeline
