// `init-db`: create or migrate the schema and exit.
#include <CLI/CLI.hpp>
#include <iostream>

#include "app/app.h"
#include "app/command.h"

namespace im::app {

namespace {

class InitDbCommand final : public Command {
 public:
  void add_to(CLI::App& app) override {
    sub = app.add_subcommand("init-db", "create or migrate the schema and exit");
  }
  int run(Runtime& rt) override {
    rt.load();
    rt.start_logging();
    auto db = rt.open(store::OpenMode::READ_WRITE, "init-db");
    std::cout << "schema of " << db.store->describe() << " is at version "
              << db.store->schema_version() << " (latest " << db.store->latest_schema_version()
              << ")\n";
    return kExitOk;
  }
};

}  // namespace

std::unique_ptr<Command> init_db_command() {
  return std::make_unique<InitDbCommand>();
}

}  // namespace im::app
