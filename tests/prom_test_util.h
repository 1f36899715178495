// The Prometheus servers the test harness started (tests/harness/prometheus.sh, the
// `prometheus` CTest fixture).
#pragma once

#include <map>
#include <stdexcept>
#include <string>

#include "test_util.h"

namespace im::test {

inline std::string prom(const std::string& key) {
  static const auto env = harness_env("IM_TEST_PROM_ENV", "Prometheus");
  auto it = env.find(key);
  if (it == env.end()) throw std::runtime_error("the harness did not set " + key);
  return it->second;
}

}  // namespace im::test
