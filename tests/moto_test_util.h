// The moto server the test harness started (tests/harness/moto.sh, the `moto` CTest fixture).
#pragma once

#include <string>

#include "test_util.h"

namespace im::test {

inline std::string moto_url() {
  static const std::string url =
      harness_env("IM_TEST_MOTO_ENV", "moto server").at("IM_TEST_MOTO_URL");
  return url;
}

}  // namespace im::test
