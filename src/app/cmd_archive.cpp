// `archive`: move old rows of the four data tables to *_archive tables (guide section 11), one
// transaction per table, each verified by row counts.
#include <CLI/CLI.hpp>
#include <iostream>

#include "app/app.h"
#include "app/command.h"

namespace im::app {

namespace {

// Recent days stay in the live tables, which the dashboards and the daily run read. (A
// recompute of an older kept day reads its history from the archive as well.)
constexpr int kKeepLiveDays = 2 * 30;

class ArchiveCommand final : public Command {
 public:
  void add_to(CLI::App& app) override {
    sub = app.add_subcommand(
        "archive", "move old rows of the data tables to *_archive tables (guide section 11)");
    sub->add_option("--before", before_, "move rows dated before this day (YYYY-MM-DD)")
        ->required();
  }
  int run(Runtime& rt) override {
    const Day before = parse_day_flag("--before", before_, rt.today());
    const Day latest = rt.today() - kKeepLiveDays;
    if (before > latest)
      throw UsageError("--before " + before.str() + ": the last " + std::to_string(kKeepLiveDays) +
                       " days stay in the live tables; the latest --before accepted is " +
                       latest.str());
    rt.load();
    rt.start_logging();
    auto db = rt.open(store::OpenMode::READ_WRITE, "archive");
    int64_t total = 0;
    for (const auto& table : store::OperatorStore::archivable_tables()) {
      store::Transaction tx(*db.store);
      const int64_t n = db.store->archive_rows(table, before);
      tx.commit();
      std::cout << "  " << table << ": moved " << n << " row(s) dated before " << before.str()
                << " to " << table << "_archive\n";
      total += n;
    }
    std::cout << "archived " << total << " row(s)\n";
    return kExitOk;
  }

 private:
  std::string before_;
};

}  // namespace

std::unique_ptr<Command> archive_command() {
  return std::make_unique<ArchiveCommand>();
}

}  // namespace im::app
