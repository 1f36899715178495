// The Prometheus servers the test harness started (tests/harness/prometheus.sh, a CTest
// fixture): read from the env file it wrote (IM_TEST_PROM_ENV). Never skipped: missing means
// the fixture did not run, and the test fails saying so.
#pragma once

#include <cstdlib>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

namespace im::test {

inline const std::map<std::string, std::string>& prom_env() {
  static const std::map<std::string, std::string> env = [] {
    std::map<std::string, std::string> e;
    const char* f = std::getenv("IM_TEST_PROM_ENV");
    if (!f)
      throw std::runtime_error(
          "no Prometheus for the tests: run them through ctest (the prometheus fixture starts "
          "one) or set IM_TEST_PROM_ENV to the env file of tests/harness/prometheus.sh");
    std::ifstream in(f);
    for (std::string line; std::getline(in, line);)
      if (auto eq = line.find('='); eq != std::string::npos)
        e[line.substr(0, eq)] = line.substr(eq + 1);
    if (!e.count("IM_TEST_PROM_URL")) throw std::runtime_error(std::string("no server in ") + f);
    return e;
  }();
  return env;
}

inline std::string prom(const std::string& key) {
  auto it = prom_env().find(key);
  if (it == prom_env().end()) throw std::runtime_error("the harness did not set " + key);
  return it->second;
}

}  // namespace im::test
