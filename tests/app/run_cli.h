// Runs the program's entry point in-process with the given arguments; returns its exit code.
#pragma once

#include <string>
#include <vector>

#include "app/app.h"

namespace im::test {

inline int run_cli(std::vector<std::string> args) {
  args.insert(args.begin(), "infra-monitor");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return app::main_entry(static_cast<int>(args.size()), argv.data());
}

}  // namespace im::test
