// The moto server the test harness started (tests/harness/moto.sh, the `moto` CTest fixture),
// from the env file it wrote (IM_TEST_MOTO_ENV). Never skipped: missing means the fixture did
// not run, and the test fails saying so.
#pragma once

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>

namespace im::test {

inline std::string moto_url() {
  const char* f = std::getenv("IM_TEST_MOTO_ENV");
  if (!f)
    throw std::runtime_error(
        "no moto server: run the tests through ctest (the moto fixture starts one) or set "
        "IM_TEST_MOTO_ENV to the env file of tests/harness/moto.sh");
  std::ifstream in(f);
  for (std::string line; std::getline(in, line);)
    if (line.starts_with("IM_TEST_MOTO_URL=")) return line.substr(17);
  throw std::runtime_error(std::string("no IM_TEST_MOTO_URL in ") + f);
}

}  // namespace im::test
