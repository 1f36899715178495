// Internal to app/: what the subcommands share. Each subcommand lives in its own file
// (cmd_*.cpp): it adds its flags to the command line and runs on a Runtime built once per
// process (the configuration, logging and the store). cli.cpp parses, dispatches and maps
// exceptions to exit codes.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/settings.h"
#include "pipeline/pipeline.h"
#include "store/store.h"

namespace CLI {
class App;
}

namespace im::app {

struct GlobalFlags {
  std::string config = "config/pipeline_config.yaml";
  std::string env_file = "config/.env";
  std::string log_format, log_level, storage_url;
  bool config_explicit = false, env_explicit = false;  // given on the command line
};

// The configuration, logging and the store, built once for the subcommand that runs.
class Runtime {
 public:
  // `environment`: the process environment, read once by the entry point.
  Runtime(GlobalFlags flags, int64_t now_unix, std::map<std::string, std::string> environment);
  int64_t now() const { return now_; }
  Day today() const { return Day::from_unix_seconds(now_); }

  // The settings (read on the first call; `dry_run` as --dry-run sets it). Throws ConfigError.
  const LoadedSettings& load(bool dry_run = false);
  // The settings of another configuration file, with the same environment and flags
  // (backtest --compare). Throws ConfigError.
  LoadedSettings load_other(const std::string& config_path) const;
  // Starts logging as the settings say (the level, the format, the secrets to mask).
  void start_logging();

  struct Opened {
    std::unique_ptr<store::Store> store;
    std::unique_ptr<store::RunLock> lock;  // held for the command's life when asked for
  };
  // Opens the store of the loaded settings. With `lock_for` ("run", "archive"...), takes the
  // run lock first (exit 3 when another process holds it) and only then migrates: a schema
  // never changes under a run, and two processes starting on a new database do not race to
  // create it. READ_ONLY opens nothing for writing (status works on a read-only file).
  Opened open(store::OpenMode mode, const std::string& lock_for = {});

 private:
  GlobalFlags flags_;
  int64_t now_;
  std::map<std::string, std::string> environment_;
  std::unique_ptr<LoadedSettings> loaded_;
  ConfigSources sources(bool dry_run) const;
};

// One subcommand.
class Command {
 public:
  virtual ~Command() = default;
  // Adds the subcommand and its flags; sets `sub`.
  virtual void add_to(CLI::App& app) = 0;
  // Runs it once the command line is parsed; returns the exit code.
  virtual int run(Runtime& rt) = 0;
  CLI::App* sub = nullptr;
};

std::unique_ptr<Command> run_command();
std::unique_ptr<Command> init_db_command();
std::unique_ptr<Command> demo_command();
std::unique_ptr<Command> status_command();
std::unique_ptr<Command> ack_command();
std::unique_ptr<Command> cleanup_command();
std::unique_ptr<Command> archive_command();
std::unique_ptr<Command> partitions_command();
std::unique_ptr<Command> backtest_command();
std::unique_ptr<Command> detect_command();

// ---- Shared by the commands ------------------------------------------------------------------

// The oldest day any command accepts: Unix time starts there, and so do the tables' dates.
inline constexpr Day kFirstDay{0};  // 1970-01-01

// A date flag: YYYY-MM-DD from 1970-01-01 to `latest`. Year 0 and the far future are refused
// here, before they can reach a table (a year-0 row made every later read fail).
Day parse_day_flag(const std::string& flag, const std::string& v, Day latest);
// A whole number from `lo` to `hi` with nothing around it (but `suffix`, when given): no
// clamping, no wrap-around.
int64_t parse_whole(const std::string& flag, const std::string& v, int64_t lo, int64_t hi,
                    std::string_view suffix = {});
// 0, 1, or 128 + the signal that interrupted the run (the shell's convention).
int exit_code(const pipeline::RunReport& r);

// Guide section 3, "Expected Daily Row Counts" (at the guide's 158-instance scale).
struct ExpectedRows {
  const char* table;
  int64_t lo, hi;
};
inline constexpr ExpectedRows kGuideExpectedRows[] = {{"infra_metric_daily", 1400, 1900},
                                                      {"infra_anomaly_scores", 1400, 1900},
                                                      {"infra_health_scores", 130, 150},
                                                      {"infra_anomaly_alerts", 10, 50},
                                                      {"infra_monitoring_pipeline_log", 14, 28}};
// "1,234,567".
std::string thousands(int64_t v);
// The whole text of the file a flag names (--truth, --input); UsageError when it cannot be read.
std::string read_flag_file(const std::string& flag, const std::string& path);

}  // namespace im::app
