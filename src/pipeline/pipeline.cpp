#include "pipeline/pipeline.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <optional>
#include <random>
#include <thread>

#include "collect/aws/client.h"
#include "collect/aws/cloudwatch.h"
#include "collect/aws/inventory.h"
#include "collect/prometheus/client.h"
#include "collect/prometheus/redis_source.h"
#include "collect/simulate/simulator.h"
#include "core/stop.h"
#include "core/text_safety.h"
#include "pipeline/steps.h"

namespace im::pipeline {

std::string_view to_string(StepStatus s) {
  switch (s) {
    case StepStatus::SUCCESS:
      return "SUCCESS";
    case StepStatus::FAILED:
      return "FAILED";
    case StepStatus::SKIPPED:
      return "SKIPPED";
  }
  return "?";
}

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

struct Pipeline::Sources {
  std::unique_ptr<collect::SimulatedFleet> simulated;
  std::unique_ptr<collect::prometheus::Client> prometheus_client;
  std::unique_ptr<collect::prometheus::RedisSource> redis;
  std::unique_ptr<collect::aws::CredentialsProvider> aws_credentials;
  std::unique_ptr<collect::aws::AwsInventory> aws_inventory;
  std::unique_ptr<collect::aws::CloudWatchSource> cloudwatch;
  std::optional<std::string> aws_error;  // why AWS is unusable; checked once per pipeline
  bool aws_checked = false;
};

namespace {

// The process environment, plus the AWS keys the configuration holds (config/.env), for the
// AWS SDKs' credential chain.
collect::aws::AwsOptions aws_options(const Settings& s) {
  collect::aws::AwsOptions o;
  o.region = s.cloudwatch.region;
  o.endpoint_url = s.aws.endpoint_url;
  o.max_attempts = s.aws.max_attempts;
  o.retry_base_seconds = s.aws.retry_base_seconds;
  o.on_retry = [](const std::string& line) { spdlog::warn("{}", line); };
  for (char** e = environ; e && *e; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq != std::string::npos) o.environment[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  if (!s.aws.access_key_id.empty()) o.environment["AWS_ACCESS_KEY_ID"] = s.aws.access_key_id;
  if (!s.aws.secret_access_key.empty())
    o.environment["AWS_SECRET_ACCESS_KEY"] = s.aws.secret_access_key;
  if (!s.aws.session_token.empty()) o.environment["AWS_SESSION_TOKEN"] = s.aws.session_token;
  return o;
}

}  // namespace

Pipeline::Pipeline(const Settings& settings, store::Store& store, std::function<int64_t()> now_unix)
    : settings_(settings),
      store_(store),
      now_(std::move(now_unix)),
      sleep_([](double s) {  // in slices, so that a signal to stop ends the wait
        using clock = std::chrono::steady_clock;
        const auto until = clock::now() + std::chrono::duration_cast<clock::duration>(
                                              std::chrono::duration<double>(s));
        while (!stop_signal() && clock::now() < until)
          std::this_thread::sleep_for(
              std::min<clock::duration>(until - clock::now(), std::chrono::milliseconds(100)));
      }),
      sources_(std::make_unique<Sources>()) {
  if (settings_.source == "simulate") {
    const auto& s = settings_.simulate;
    sources_->simulated = std::make_unique<collect::SimulatedFleet>(
        collect::SimulationConfig{s.seed, s.redis_instances, s.rds_instances, s.ec2_instances});
  } else {
    auto aws = aws_options(settings_);
    aws.sleep = [this](double s) { sleep_(s); };
    sources_->aws_credentials = collect::aws::default_credentials_chain(aws);
    sources_->aws_inventory =
        std::make_unique<collect::aws::AwsInventory>(aws, *sources_->aws_credentials);
    collect::aws::CloudWatchOptions cw;
    cw.instances_per_request = settings_.cloudwatch.batch_size;
    cw.delay_between_batches = settings_.cloudwatch.delay_between_batches;
    cw.period_seconds = settings_.cloudwatch.period_seconds;
    cw.json_protocol = settings_.cloudwatch.protocol == "json";
    const auto& stats = settings_.cloudwatch.statistics;
    cw.percentiles = std::find(stats.begin(), stats.end(), "p95") != stats.end();
    for (const auto& item : settings_.cloudwatch.metrics) {  // validated: SERVICE:MetricName
      const auto colon = item.find(':');
      cw.only[*parse_service_type(item.substr(0, colon))].insert(item.substr(colon + 1));
    }
    sources_->cloudwatch = std::make_unique<collect::aws::CloudWatchSource>(
        aws, *sources_->aws_credentials, cw, [this](double s) { sleep_(s); });
  }
  if (settings_.source == "live" && !settings_.prometheus.url.empty()) {
    const auto& p = settings_.prometheus;
    sources_->prometheus_client =
        std::make_unique<collect::prometheus::Client>(collect::prometheus::ClientOptions{
            p.url, p.timeout_seconds, p.username, p.password, p.bearer_token, p.ca_file});
    sources_->redis = std::make_unique<collect::prometheus::RedisSource>(
        *sources_->prometheus_client,
        collect::prometheus::RedisSourceOptions{p.metrics, p.job, p.instance_label,
                                                p.scrape_interval_seconds});
  }
}

Pipeline::~Pipeline() = default;

void Pipeline::override_step(int num, StepFn fn) {
  overrides_[num] = std::move(fn);
}

void Pipeline::set_sleep(std::function<void(double)> sleep) {
  sleep_ = std::move(sleep);
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

// One step in its own transaction. A TransientError rolls the transaction back and runs the
// step again from the start after an exponential backoff with jitter, up to max_retries times.
void Pipeline::run_with_retries(const StepDef& def, const StepFn& fn, Context& ctx, StepResult& r) {
  static std::mt19937_64 jitter_rng{std::random_device{}()};
  const int max_retries = settings_.pipeline.max_retries;
  for (int attempt = 0;; ++attempt) {
    // A signal to stop: whatever the step did is rolled back, and the step is FAILED.
    auto interrupted = [&] {
      store_.rollback();
      r.status = StepStatus::FAILED;
      r.message = std::string("interrupted by ") + stop_signal_name(stop_signal()) +
                  ": rolled back, nothing of this step was written";
    };
    try {
      store_.begin();
      StepOutcome o = fn(ctx);
      if (stop_signal()) return interrupted();
      if (ctx.dry_run) {
        store_.rollback();
      } else if (o.writes.empty()) {
        // A step whose work is in memory (6, 7, 9, 10, the collections) has nothing in its
        // transaction: a connection lost at COMMIT loses nothing, while running it again would
        // find its inputs already consumed (an empty day, stored as "success").
        try {
          store_.commit();
        } catch (const TransientError& e) {
          store_.rollback();
          spdlog::warn("[{}] step {} {}: {} at its commit; it wrote nothing, so nothing is lost",
                       ctx.day.str(), def.num, def.name, e.what());
        }
      } else {
        store_.commit();
      }
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
      if (stop_signal()) return interrupted();
      store_.rollback();
      if (attempt >= max_retries) {
        r.status = StepStatus::FAILED;
        r.message =
            std::string(e.what()) + " (gave up after " + std::to_string(attempt + 1) + " attempts)";
        return;
      }
      // Exponential backoff with "equal jitter": uniform in [base/2, base], base = delay ×
      // 2^attempt.
      double base = settings_.pipeline.retry_delay_seconds * std::pow(2.0, attempt);
      double delay = base * std::uniform_real_distribution<double>(0.5, 1.0)(jitter_rng);
      spdlog::warn("[{}] step {} {} failed: {}; retry {}/{} in {:.1f}s", ctx.day.str(), def.num,
                   def.name, e.what(), attempt + 1, max_retries, delay);
      sleep_(delay);
    } catch (const std::exception& e) {
      if (stop_signal()) return interrupted();
      store_.rollback();
      r.status = StepStatus::FAILED;
      r.message = e.what();
      if (dynamic_cast<const StoreUnusableError*>(&e)) store_unusable_ = e.what();
      return;
    }
  }
}

DayResult Pipeline::run_day(Day day, const RunOptions& opts) {
  const bool dry = settings_.pipeline.dry_run;
  Context ctx(settings_, store_, day, make_run_id(now_(), day), dry);
  if (!opts.services.empty()) {
    ctx.services = opts.services;
  } else {
    ctx.services = {ServiceType::REDIS};
    for (ServiceType svc : cloudwatch_services(settings_)) ctx.services.push_back(svc);
  }
  if (sources_->simulated) {
    ctx.sources.push_back({sources_->simulated.get(),
                           sources_->simulated.get(),
                           "simulate",
                           {ServiceType::REDIS, ServiceType::RDS, ServiceType::EC2},
                           0,
                           ""});
  } else {
    if (sources_->redis) {
      // A target can vanish for a while (an exporter restart, a relabelling): an instance
      // is retired only after inventory.stale_after_days without a sample.
      ctx.sources.push_back({sources_->redis.get(),
                             sources_->redis.get(),
                             "prometheus",
                             {ServiceType::REDIS},
                             settings_.inventory.stale_after_days,
                             ""});
      ctx.prometheus = sources_->redis.get();
    } else {
      ctx.prometheus_why = "prometheus.url (PROMETHEUS_URL) is not set";
      ctx.unavailable[ServiceType::REDIS] = ctx.prometheus_why;
    }
    // AWS: the inventory and CloudWatch when credentials are found.
    if (!sources_->aws_checked) {
      sources_->aws_checked = true;
      try {
        sources_->aws_credentials->get();
        spdlog::info("AWS credentials from {}", sources_->aws_credentials->source());
      } catch (const SourceError& e) {
        sources_->aws_error = e.what();
      }
    }
    const auto aws_services = cloudwatch_services(settings_);
    if (!sources_->aws_error && !aws_services.empty()) {
      // REDIS too: ElastiCache's nodes join the inventory (Prometheus still collects them).
      auto services = aws_services;
      services.push_back(ServiceType::REDIS);
      Context::Source aws{sources_->aws_inventory.get(),
                          sources_->cloudwatch.get(),
                          "aws",
                          services,
                          0,
                          "cloudwatch"};
      if (settings_.cloudwatch.period_seconds < 86400)
        aws.series_p95_method =
            "averages_" + std::to_string(settings_.cloudwatch.period_seconds) + "s";
      ctx.sources.push_back(std::move(aws));
    }
    for (ServiceType svc : kAllServiceTypes) {
      if (svc == ServiceType::REDIS) continue;
      const bool on =
          std::find(aws_services.begin(), aws_services.end(), svc) != aws_services.end();
      if (sources_->aws_error)
        ctx.unavailable[svc] = *sources_->aws_error;
      else if (!on)
        ctx.unavailable[svc] = svc == ServiceType::EC2
                                   ? "ENABLE_EC2 is false"
                                   : std::string(to_string(svc)) + " is not in cloudwatch.services";
    }
  }
  if (sources_->simulated)
    for (ServiceType svc : kAllServiceTypes)
      if (svc != ServiceType::REDIS && svc != ServiceType::RDS && svc != ServiceType::EC2)
        ctx.unavailable[svc] = "the simulator models only REDIS, RDS and EC2";

  DayResult result{day, ctx.run_id, {}};
  spdlog::info("[{}] run {} started{}", day.str(), ctx.run_id,
               dry ? " (dry run: nothing is written)" : "");
  const collect::aws::Traffic cloudwatch_before =
      sources_->cloudwatch ? sources_->cloudwatch->traffic() : collect::aws::Traffic{};
  auto find = [&](int num) -> const StepResult* {
    for (const auto& r : result.steps)
      if (r.num == num) return &r;
    return nullptr;
  };
  auto broken = [&](int num) {
    const StepResult* r = find(num);
    return r && ((r->status == StepStatus::FAILED && !r->partial) || r->skipped_by_failure);
  };

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
    auto started = std::chrono::steady_clock::now();

    std::string blocked_by;
    for (int n : def.needs_all)
      if (broken(n) && blocked_by.empty())
        blocked_by = "step " + std::to_string(n) + " (" + std::string(step_name(n)) + ") failed";
    if (!def.needs_any.empty() && std::all_of(def.needs_any.begin(), def.needs_any.end(), broken))
      blocked_by = "every step it needs failed";

    const bool selected = opts.steps.empty() || opts.steps.count(def.num) || def.num == kStepCount;
    if (stop_signal()) {  // logged once, as the step that did not run; the rest of the day is not
      r.status = StepStatus::FAILED;
      r.message = std::string("interrupted by ") + stop_signal_name(stop_signal()) +
                  " before this step started; the steps after it did not run";
    } else if (!selected) {
      r.message = "not selected (--steps)";
    } else if (!blocked_by.empty()) {
      r.message = blocked_by;
      r.skipped_by_failure = true;
    } else {
      const StepFn& fn = overrides_.count(def.num) ? overrides_.at(def.num) : def.fn;
      run_with_retries(def, fn, ctx, r);
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    // The message reaches the log, stdout and the step log table: never a URL's password.
    r.message = mask_url_credentials(std::move(r.message));

    if (r.status == StepStatus::FAILED)
      spdlog::error("[{}] step {:>2} {:<26} FAILED  {}", day.str(), r.num, r.name, r.message);
    else
      spdlog::info("[{}] step {:>2} {:<26} {:<7} rows={:<6} {:.3f}s{}{}", day.str(), r.num, r.name,
                   to_string(r.status), r.rows, r.seconds, r.message.empty() ? "" : "  ",
                   r.message);

    if (!dry) {
      auto report_log_failure = [&](const std::exception& e) {
        if (dynamic_cast<const StoreUnusableError*>(&e)) store_unusable_ = e.what();
        spdlog::error("[{}] cannot write the step log row of step {}: {}", day.str(), r.num,
                      e.what());
        if (r.status != StepStatus::FAILED) {
          r.status = StepStatus::FAILED;
          r.message = std::string("step log write failed: ") + e.what();
        }
      };
      store::StepLogRow row{ctx.run_id,
                            day,
                            r.num,
                            r.name,
                            std::string(to_string(r.status)),
                            r.rows,
                            r.seconds,
                            r.status == StepStatus::SUCCESS ? "" : r.message,
                            format_utc_timestamp(now_())};
      // The row is retried like a step (a database restarting between two steps); it is an
      // upsert on (run_id, step_num), so a commit that did land and is sent again is harmless.
      for (int attempt = 0;; ++attempt) {
        try {
          store_.begin();
          store_.append_step_log(row);
          store_.commit();
          ++ctx.log_rows_written;
          break;
        } catch (const TransientError& e) {
          store_.rollback();
          if (attempt >= settings_.pipeline.max_retries || stop_signal()) {
            report_log_failure(e);
            break;
          }
          const double delay = settings_.pipeline.retry_delay_seconds * std::pow(2.0, attempt);
          spdlog::warn("[{}] step log row of step {}: {}; retry {}/{} in {:.1f}s", day.str(), r.num,
                       e.what(), attempt + 1, settings_.pipeline.max_retries, delay);
          sleep_(delay);
        } catch (const std::exception& e) {
          store_.rollback();
          report_log_failure(e);
          break;
        }
      }
    }
    result.steps.push_back(std::move(r));
    if (stop_signal()) break;
  }
  if (sources_->cloudwatch) {  // what the day cost in API calls (GetMetricData is billed)
    collect::aws::Traffic t = sources_->cloudwatch->traffic();
    t -= cloudwatch_before;
    if (t.requests > 0)
      spdlog::info(
          "[{}] CloudWatch: {} requests over {} new connection{}, {:.1f} MB sent, {:.1f} "
          "MB received, {} retried ({} throttled)",
          day.str(), t.requests, t.connections, t.connections == 1 ? "" : "s",
          double(t.bytes_sent) / 1e6, double(t.bytes_received) / 1e6, t.retries, t.throttled);
  }
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
