#include <spdlog/spdlog.h>

#include <unistd.h>

#include <csignal>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <chrono>
#include <iomanip>
#include <iostream>

#include "app/app.h"
#include "app/wiring.h"
#include "config/settings.h"
#include "core/stop.h"
#include "core/text_safety.h"
#include "store/store.h"

namespace im::app {

namespace {

int64_t now_unix() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

// The oldest day any command accepts: Unix time starts there, and so do the tables' dates.
constexpr Day kFirstDay{0};  // 1970-01-01

// A date flag: YYYY-MM-DD from 1970-01-01 to `latest`. Year 0 and the far future are refused
// here, before they can reach a table (a year-0 row made every later read fail).
Day parse_day_flag(const std::string& flag, const std::string& v, Day latest) {
  auto d = Day::parse(v);
  if (!d) throw UsageError(flag + " \"" + escape_control(v) + "\": expected a date as YYYY-MM-DD");
  if (*d < kFirstDay || *d > latest)
    throw UsageError(flag + " " + v + ": out of range; dates go from " + kFirstDay.str() + " to " +
                     latest.str());
  return *d;
}

// A whole number from `lo` to `hi` with nothing around it: no clamping, no wrap-around.
int64_t parse_whole(const std::string& flag, const std::string& v, int64_t lo, int64_t hi,
                    std::string_view suffix = {}) {
  std::string_view t = v;
  if (!suffix.empty() && t.ends_with(suffix)) t.remove_suffix(suffix.size());
  int64_t n = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
  const bool ok = !t.empty() && ec == std::errc() && p == t.data() + t.size() &&
                  (suffix.empty() || v.ends_with(suffix)) && n >= lo && n <= hi;
  if (!ok)
    throw UsageError(flag + " \"" + escape_control(v) + "\": expected a whole number from " +
                     std::to_string(lo) + " to " + std::to_string(hi) +
                     (suffix.empty() ? ""
                                     : " followed by " + std::string(suffix) + " (e.g. 7" +
                                           std::string(suffix) + ")"));
  return n;
}

// The subcommand names, for "unknown subcommand" messages.
std::string subcommand_list(const CLI::App& app) {
  std::string out;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    out += (out.empty() ? "" : ", ") + sub->get_name();
  return out;
}

struct GlobalFlags {
  std::string config = "config/pipeline_config.yaml";
  std::string env_file = "config/.env";
  std::string log_format, log_level, storage_url;
};

LoadedSettings load(const GlobalFlags& g, CLI::App& app, bool dry_run) {
  ConfigSources src;
  src.config_path = g.config;
  src.config_explicit = app.get_option("--config")->count() > 0;
  src.env_path = g.env_file;
  src.env_explicit = app.get_option("--env-file")->count() > 0;
  src.environment = process_environment();
  if (!g.log_format.empty()) src.cli["log.format"] = g.log_format;
  if (!g.log_level.empty()) src.cli["log.level"] = g.log_level;
  if (!g.storage_url.empty()) src.cli["storage.url"] = g.storage_url;
  if (dry_run) src.cli["pipeline.dry_run"] = "true";
  return load_settings(src);
}

void start_logging(const LoadedSettings& ls) {
  setup_logging(ls.settings.log.level, ls.settings.log.format, ls.settings.secrets());
  for (const auto& f : ls.files) spdlog::debug("configuration read from {}", f);
  for (const auto& w : ls.warnings) spdlog::warn("{}", w);
}

struct Opened {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<store::RunLock> lock;  // held for the command's life when asked for
};

// Opens the store. With `lock_for` ("run", "archive"...), takes the run lock first (exit 3 when
// another process holds it) and only then migrates: a schema never changes under a run, and
// two processes starting on a new database do not race to create it. READ_ONLY opens
// nothing for writing (status works on a read-only file).
Opened open(const Settings& s, store::OpenMode mode, const std::string& lock_for = {}) {
  const store::MysqlOptions my = mysql_options(s);
  if (s.pipeline.dry_run && mode == store::OpenMode::READ_WRITE) mode = store::OpenMode::DRY_RUN;
  spdlog::info("store: {}", s.storage.str());  // first, so that an error opening it says which
  Opened o;
  o.store = store::open_store(s.storage, mode, my, /*migrate=*/false);
  if (!lock_for.empty() && mode == store::OpenMode::READ_WRITE)
    o.lock = o.store->acquire_run_lock(lock_for + ", " + pipeline::lock_holder());
  o.store->migrate();
  spdlog::debug("schema version {}", o.store->schema_version());
  return o;
}

int exit_code(const pipeline::RunReport& r) {
  if (r.interrupted_by) return 128 + r.interrupted_by;  // the shell's convention for a signal
  return r.failed() ? kExitFailed : kExitOk;
}

extern "C" void on_stop_signal(int sig) {
  request_stop(sig);
}

// SIGTERM and SIGINT ask the run to stop at its next safe point (core/stop.h). The handler
// is reset once it has run: a second signal ends the program at once, and the database still
// holds no partial step (each step is one transaction).
void install_stop_handlers() {
  struct sigaction sa = {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND | SA_RESTART;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
}

}  // namespace

int main_entry(int argc, char** argv) {
  CLI::App app{"infra-monitor: predictive infrastructure monitoring (SPC over daily metrics)",
               "infra-monitor"};
  app.set_version_flag("--version", "infra-monitor 0.1.0");
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 every step succeeded or was skipped by design; 1 a step failed (or the\n"
      "store could not be used); 2 usage or configuration error; 3 another run holds the lock.\n"
      "Configuration: config/pipeline_config.yaml, config/.env, IM_* variables; see README.md.");
  app.fallthrough();
  GlobalFlags g;
  app.add_option("--config", g.config, "YAML configuration file")->capture_default_str();
  app.add_option("--env-file", g.env_file, "environment file (KEY=VALUE lines)")
      ->capture_default_str();
  app.add_option("--log-format", g.log_format, "log format on stderr: text or json");
  app.add_option("--log-level", g.log_level, "debug, info, warning or error");
  app.add_option("--storage-url", g.storage_url,
                 "override storage.url (sqlite://PATH or mysql://USER@HOST:PORT/DB)");

  // run
  auto* run = app.add_subcommand("run", "run the pipeline for yesterday (UTC), a day, or a range");
  int backfill = 0;
  std::string start, end, target, steps;
  std::vector<std::string> service_types;
  bool dry_run = false;
  run->add_option("--backfill", backfill, "process the N days before today, oldest first");
  run->add_option("--start-date", start, "first day of a range (YYYY-MM-DD)");
  run->add_option("--end-date", end, "last day of a range (YYYY-MM-DD, inclusive)");
  run->add_option("--target-date", target, "one day (YYYY-MM-DD); default: yesterday UTC");
  run->add_option("--steps", steps, "only these steps, e.g. 9,10,11,12,13 or 9-13");
  run->add_option("--service-type", service_types,
                  "only these services: REDIS, RDS, EC2, EKS, MSK, DOCDB, OPENSEARCH, EMR")
      ->delimiter(',');
  run->add_flag("--dry-run", dry_run,
                "collect and compute, write nothing, print what would be written");

  auto* init = app.add_subcommand("init-db", "create or migrate the schema and exit");

  auto* demo =
      app.add_subcommand("demo", "backfill 30 simulated days, run yesterday, and print a summary");
  int demo_days = 30;
  std::string demo_date;
  demo->add_option("--days", demo_days, "days to backfill before the demo's day")
      ->capture_default_str()
      ->check(CLI::Range(1, 365));
  demo->add_option("--date", demo_date,
                   "the day of the daily run (YYYY-MM-DD); default: yesterday UTC");

  auto* status = app.add_subcommand(
      "status", "check that the pipeline runs and its data is fresh (guide section 4)");
  std::string status_format = "table";
  status->add_option("--format", status_format, "table or json")
      ->capture_default_str()
      ->check(CLI::IsMember({"table", "json"}));

  auto* ack = app.add_subcommand("ack", "acknowledge alerts (guide section 6.3)");
  std::string ack_id, ack_instance, ack_severity, ack_older, ack_by, ack_note;
  ack->add_option("--id", ack_id, "one alert by id");
  ack->add_option("--instance", ack_instance, "every open alert of an instance");
  ack->add_option("--severity", ack_severity, "only alerts of this severity")
      ->check(CLI::IsMember({"EMERGENCY", "CRITICAL", "WARNING", "INFO"}, CLI::ignore_case));
  ack->add_option("--older-than", ack_older, "only alerts dated more than N days ago, e.g. 7d");
  ack->add_option("--by", ack_by, "who acknowledges (recorded in acknowledged_by)")->required();
  ack->add_option("--note", ack_note, "text for the alert's notes");

  auto* cleanup = app.add_subcommand("cleanup", "delete old pipeline log rows (guide section 11)");
  int keep_days = 90;
  cleanup->add_option("--keep-days", keep_days, "days of pipeline log to keep")
      ->capture_default_str()
      ->check(CLI::Range(1, 36500));

  auto* archive = app.add_subcommand(
      "archive", "move old rows of the data tables to *_archive tables (guide section 11)");
  std::string archive_before;
  archive->add_option("--before", archive_before, "move rows dated before this day (YYYY-MM-DD)")
      ->required();

  auto* partitions = app.add_subcommand(
      "partitions",
      "MySQL/MariaDB: add next months' partitions of the big tables ahead of time (guide 8, 11)");
  int months_ahead = 2;
  bool partition_create = false;
  partitions->add_option("--months-ahead", months_ahead, "months after this one to prepare")
      ->capture_default_str()
      ->check(CLI::Range(0, 24));
  partitions->add_flag("--create", partition_create,
                       "partition a table that is not partitioned yet (copies it: quiet hours)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // "A subcommand is required" when the word given is no subcommand: name it instead.
    if (!app.remaining().empty() && app.get_subcommands().empty()) {
      std::cerr << "infra-monitor: unknown subcommand \"" << escape_control(app.remaining().front())
                << "\"; expected one of: " << subcommand_list(app)
                << "\nRun with --help for usage.\n";
      return kExitUsage;
    }
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }

  install_stop_handlers();
  // Until the configuration is read, redact the secrets the environment already holds.
  std::vector<std::string> early_secrets;
  for (const char* name :
       {"DB_PASSWORD", "IM_MYSQL_PASSWORD", "AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID",
        "AWS_SESSION_TOKEN", "PROMETHEUS_PASSWORD", "PROMETHEUS_BEARER_TOKEN",
        "IM_PROMETHEUS_PASSWORD", "IM_PROMETHEUS_BEARER_TOKEN"})
    if (const char* v = std::getenv(name); v && *v) early_secrets.emplace_back(v);
  setup_logging("info", g.log_format == "json" ? "json" : "text", early_secrets);
  try {
    const Day today = Day::from_unix_seconds(now_unix());

    if (*run) {
      pipeline::DateSelection sel;
      // A flag given with an empty value ("--target-date \"\"", an unset shell variable) is an
      // error, not the default day.
      const Day latest = today + 1;  // plan_days names the latest complete day itself
      if (run->get_option("--backfill")->count()) sel.backfill = backfill;
      if (run->get_option("--start-date")->count())
        sel.start = parse_day_flag("--start-date", start, latest);
      if (run->get_option("--end-date")->count())
        sel.end = parse_day_flag("--end-date", end, latest);
      if (run->get_option("--target-date")->count())
        sel.target = parse_day_flag("--target-date", target, latest);
      pipeline::RunOptions opts;
      opts.days = pipeline::plan_days(sel, today);
      if (!steps.empty()) opts.steps = pipeline::parse_steps(steps);
      pipeline::validate_steps(opts.steps);
      for (const auto& t : service_types) {
        auto svc = parse_service_type(t);
        if (!svc)
          throw UsageError("--service-type " + t +
                           ": expected one of REDIS, RDS, EC2, EKS, MSK, DOCDB, OPENSEARCH, EMR");
        if (std::find(opts.services.begin(), opts.services.end(), *svc) == opts.services.end())
          opts.services.push_back(*svc);
      }
      auto ls = load(g, app, dry_run);
      start_logging(ls);
      auto db = open(ls.settings, store::OpenMode::READ_WRITE, "run");
      opts.lock_held = true;
      const Clock clock = Clock::system();
      pipeline::Pipeline p(ls.settings, *db.store,
                           build_sources(ls.settings, ls.environment, clock), clock);
      auto report = p.run(opts);
      print_run_report(std::cout, report, ls.settings.pipeline.dry_run);
      if (report.interrupted_by)
        spdlog::error(
            "interrupted by {}: the step in progress was rolled back and logged as "
            "FAILED; re-run the day (exit {})",
            stop_signal_name(report.interrupted_by), exit_code(report));
      return exit_code(report);
    }

    if (*init) {
      auto ls = load(g, app, false);
      start_logging(ls);
      auto db = open(ls.settings, store::OpenMode::READ_WRITE, "init-db");
      std::cout << "schema of " << db.store->describe() << " is at version "
                << db.store->schema_version() << " (latest " << db.store->latest_schema_version()
                << ")\n";
      return kExitOk;
    }

    if (*status) {
      auto ls = load(g, app, false);
      start_logging(ls);
      auto db = open(ls.settings, store::OpenMode::READ_ONLY);
      return status_command(std::cout, *db.store, now_unix(), status_format == "json");
    }

    if (*ack) {
      store::AckFilter f;
      if (ack->get_option("--id")->count())
        f.id = parse_whole("--id", ack_id, 1, std::numeric_limits<int64_t>::max());
      if (ack->get_option("--instance")->count()) {
        if (ack_instance.empty()) throw UsageError("--instance: expected an instance id, got \"\"");
        f.instance_id = ack_instance;
      }
      if (!ack_severity.empty()) f.severity = parse_severity(ack_severity);  // CLI11 checked it
      if (ack->get_option("--older-than")->count()) {
        // Back to 1970 at most: a bigger number wrapped around and matched every alert.
        const int64_t max_days = today - kFirstDay;
        f.before =
            today - static_cast<int32_t>(parse_whole("--older-than", ack_older, 0, max_days, "d"));
      }
      if (ack_by.find_first_not_of(" \t") == std::string::npos)
        throw UsageError("--by \"" + escape_control(ack_by) +
                         "\": say who acknowledges (recorded in acknowledged_by)");
      if (!f.id && !f.instance_id && !f.severity && !f.before)
        throw UsageError("ack: say which alerts: --id, --instance, --severity and/or --older-than");
      auto ls = load(g, app, false);
      start_logging(ls);
      auto db = open(ls.settings, store::OpenMode::READ_WRITE);
      return ack_command(std::cout, *db.store, f, ack_by, ack_note);
    }

    if (*cleanup) {
      auto ls = load(g, app, false);
      start_logging(ls);
      auto db = open(ls.settings, store::OpenMode::READ_WRITE);
      return cleanup_command(std::cout, *db.store, now_unix(), keep_days);
    }

    if (*archive) {
      const Day before = parse_day_flag("--before", archive_before, today);
      // Recent days stay in the live tables, which the dashboards and the daily run read.
      // (A recompute of an older kept day reads its history from the archive as well.)
      const int keep = 2 * 30;
      const Day latest = today - keep;
      if (before > latest)
        throw UsageError("--before " + before.str() + ": the last " + std::to_string(keep) +
                         " days stay in the live tables; the latest --before accepted is " +
                         latest.str());
      auto ls = load(g, app, false);
      start_logging(ls);
      auto db = open(ls.settings, store::OpenMode::READ_WRITE, "archive");
      return archive_command(std::cout, *db.store, before);
    }

    if (*partitions) {
      auto ls = load(g, app, false);
      start_logging(ls);
      auto db = open(ls.settings, store::OpenMode::READ_WRITE, "partitions");
      return partitions_command(std::cout, *db.store, today, months_ahead, partition_create);
    }

    if (*demo) {
      auto ls = load(g, app, false);
      if (ls.settings.source != "simulate")
        throw ConfigError(
            "invalid configuration: the demo runs on the simulated fleet; source is \"" +
            ls.settings.source + "\" (set source: simulate or unset IM_SOURCE)");
      if (ls.settings.pipeline.dry_run)
        throw ConfigError(
            "invalid configuration: the demo writes its database; unset DRY_RUN (or "
            "pipeline.dry_run) to run it, or use `run --dry-run`");
      const Day yesterday = demo->get_option("--date")->count()
                                ? parse_day_flag("--date", demo_date, today + 1)
                                : today - 1;
      if (yesterday >= today)
        throw UsageError("--date " + yesterday.str() +
                         ": not a complete UTC day yet (the latest is " + (today - 1).str() + ")");
      if (yesterday - demo_days < kFirstDay)
        throw UsageError("--date " + yesterday.str() + " with --days " + std::to_string(demo_days) +
                         ": the backfill would start before " + kFirstDay.str());
      start_logging(ls);
      auto db = open(ls.settings, store::OpenMode::READ_WRITE, "demo");
      auto& store = db.store;
      const Clock clock = Clock::system();
      pipeline::Pipeline p(ls.settings, *store, build_sources(ls.settings, ls.environment, clock),
                           clock);
      std::cerr << "demo: backfilling " << demo_days << " days (" << (yesterday - demo_days).str()
                << " to " << (yesterday - 1).str() << ") into " << store->describe() << "\n";
      pipeline::RunOptions back;
      back.lock_held = true;
      for (int i = demo_days; i >= 1; --i) back.days.push_back(yesterday - i);
      auto level = spdlog::get_level();
      if (level > spdlog::level::debug) spdlog::set_level(spdlog::level::warn);
      auto t0 = std::chrono::steady_clock::now();
      auto backfill_report = p.run(back);
      spdlog::set_level(level);
      if (backfill_report.interrupted_by) return exit_code(backfill_report);
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::cerr << "demo: backfill done in " << std::fixed << std::setprecision(1) << secs << " s"
                << (backfill_report.failed() ? " with FAILED steps (see the log above)" : "")
                << "\n";
      std::cerr << "demo: daily run for " << yesterday.str() << "\n";
      pipeline::RunOptions daily;
      daily.lock_held = true;
      daily.days = {yesterday};
      auto report = p.run(daily);
      print_day_summary(std::cout, *store, yesterday);
      if (report.interrupted_by) return exit_code(report);
      return backfill_report.failed() || report.failed() ? kExitFailed : kExitOk;
    }
  } catch (const UsageError& e) {
    spdlog::error("{}", e.what());
    std::cerr << "Run with --help for usage.\n";
    return kExitUsage;
  } catch (const ConfigError& e) {
    spdlog::error("{}", e.what());
    return kExitUsage;
  } catch (const LockBusyError& e) {
    spdlog::error("{}", e.what());
    return kExitLocked;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return kExitFailed;
  }
  return kExitUsage;
}

}  // namespace im::app
