// `cleanup`: delete old pipeline log rows (guide section 11; the guide's MySQL EVENT, for any
// store).
#include <CLI/CLI.hpp>
#include <iostream>

#include "app/app.h"
#include "app/command.h"

namespace im::app {

namespace {

class CleanupCommand final : public Command {
 public:
  void add_to(CLI::App& app) override {
    sub = app.add_subcommand("cleanup", "delete old pipeline log rows (guide section 11)");
    sub->add_option("--keep-days", keep_days_, "days of pipeline log to keep")
        ->capture_default_str()
        ->check(CLI::Range(1, 36500));
  }
  int run(Runtime& rt) override {
    rt.load();
    rt.start_logging();
    auto db = rt.open(store::OpenMode::READ_WRITE);
    const std::string cutoff =
        format_utc_timestamp(rt.now() - int64_t{keep_days_} * Day::kSecondsPerDay);
    size_t n = 0;
    {
      store::Transaction tx(*db.store);
      n = db.store->delete_step_log_before(cutoff);
      tx.commit();
    }
    std::cout << "deleted " << n << " pipeline log row(s) created before " << cutoff << " UTC\n";
    return kExitOk;
  }

 private:
  int keep_days_ = 90;
};

}  // namespace

std::unique_ptr<Command> cleanup_command() {
  return std::make_unique<CleanupCommand>();
}

}  // namespace im::app
