// `partitions` (MySQL/MariaDB): month partitions of infra_metric_daily and infra_anomaly_scores
// up to --months-ahead months after today's (guide sections 8 and 11); with --create,
// partitions unpartitioned tables. Exit 1 when a table is left unpartitioned.
#include <CLI/CLI.hpp>
#include <iostream>

#include "app/app.h"
#include "app/command.h"

namespace im::app {

namespace {

class PartitionsCommand final : public Command {
 public:
  void add_to(CLI::App& app) override {
    sub = app.add_subcommand(
        "partitions",
        "MySQL/MariaDB: add next months' partitions of the big tables ahead of time (guide 8, 11)");
    sub->add_option("--months-ahead", months_ahead_, "months after this one to prepare")
        ->capture_default_str()
        ->check(CLI::Range(0, 24));
    sub->add_flag("--create", create_,
                  "partition a table that is not partitioned yet (copies it: quiet hours)");
  }
  int run(Runtime& rt) override {
    rt.load();
    rt.start_logging();
    auto db = rt.open(store::OpenMode::READ_WRITE, "partitions");
    store::PartitionAdmin* admin = db.store->partitions();
    if (!admin)
      throw UsageError("partitions: " + db.store->describe() +
                       " is SQLite, which has no partitions (they are a MySQL/MariaDB feature)");
    bool missing = false;
    for (const auto& rep : admin->maintain_partitions(rt.today(), months_ahead_, create_)) {
      std::cout << "  " << rep.table << ": ";
      if (!rep.partitioned) {
        std::cout
            << "not partitioned (run with --create, or apply sql/mysql/partition_by_month.sql)\n";
        missing = true;
        continue;
      }
      std::cout << rep.existing.size() << " partition(s) before";
      if (rep.added.empty()) {
        std::cout << ", none added\n";
        continue;
      }
      std::cout << ", added";
      for (const auto& name : rep.added) std::cout << " " << name;
      std::cout << "\n";
    }
    return missing ? kExitFailed : kExitOk;
  }

 private:
  int months_ahead_ = 2;
  bool create_ = false;
};

}  // namespace

std::unique_ptr<Command> partitions_command() {
  return std::make_unique<PartitionsCommand>();
}

}  // namespace im::app
