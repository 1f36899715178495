// The entry point: global flags, one Command per subcommand (cmd_*.cpp), dispatch, and the one
// mapping of exceptions to exit codes.
#include <spdlog/spdlog.h>

#include <csignal>

#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>

#include "app/app.h"
#include "app/command.h"
#include "config/settings.h"
#include "core/stop.h"
#include "core/text_safety.h"

namespace im::app {

namespace {

int64_t now_unix() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

// The subcommand names, for "unknown subcommand" messages.
std::string subcommand_list(const CLI::App& app) {
  std::string out;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    out += (out.empty() ? "" : ", ") + sub->get_name();
  return out;
}

extern "C" void on_stop_signal(int sig) {
  request_stop(sig);
}

// SIGTERM and SIGINT ask the run to stop at its next safe point (core/stop.h). The handler
// is reset once it has run: a second signal ends the program at once, and the database still
// holds no partial step (each step's writes are one transaction).
void install_stop_handlers() {
  struct sigaction sa = {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND | SA_RESTART;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
}

// Until the configuration is read, the secrets the environment already holds are masked.
void start_early_logging(const GlobalFlags& g,
                         const std::map<std::string, std::string>& environment) {
  std::vector<std::string> secrets;
  for (const auto& [name, value] : environment)
    if (!value.empty() && is_secret_variable(name)) secrets.push_back(value);
  setup_logging({Settings::Log::Level::INFO, g.log_format == "json" ? Settings::Log::Format::JSON
                                                                    : Settings::Log::Format::TEXT},
                secrets);
}

// Runs `fn`, mapping what it throws to the exit codes README.md documents.
template <class F>
int with_exit_codes(F&& fn) {
  try {
    return fn();
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

  std::vector<std::unique_ptr<Command>> commands;
  for (auto make :
       {run_command, init_db_command, demo_command, status_command, ack_command, cleanup_command,
        archive_command, partitions_command, backtest_command, detect_command}) {
    commands.push_back(make());
    commands.back()->add_to(app);
  }

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
  g.config_explicit = app.get_option("--config")->count() > 0;
  g.env_explicit = app.get_option("--env-file")->count() > 0;

  install_stop_handlers();
  auto environment = process_environment();  // the one read of the environment
  start_early_logging(g, environment);
  Runtime rt(g, now_unix(), std::move(environment));
  for (auto& c : commands)
    if (c->sub->parsed()) return with_exit_codes([&] { return c->run(rt); });
  return kExitUsage;
}

}  // namespace im::app
