// The moto server the test harness started (tests/harness/moto.sh, the `moto` CTest fixture).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "config/settings.h"
#include "test_util.h"

namespace im::test {

inline std::string moto_url() {
  static const std::string url =
      harness_env("IM_TEST_MOTO_ENV", "moto server").at("IM_TEST_MOTO_URL");
  return url;
}

// Runs tests/harness/seed_moto.py against the server: `region` and its command line.
inline void seed_moto(const std::string& region, const std::string& args) {
  const std::string cmd = "python3 " + data_dir().parent_path().string() +
                          "/harness/seed_moto.py " + moto_url() + " " + region + " " + args;
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

// source: live against `endpoint` (moto, or a proxy in front of it) in `region`, with keys of
// its own, no step retries and no delay between CloudWatch batches.
inline Settings live_aws(const std::string& region, const std::string& endpoint = moto_url()) {
  Settings s;
  s.source = Settings::Source::LIVE;
  s.cloudwatch.region = region;
  s.aws.endpoint_url = endpoint;
  s.aws.access_key_id = "AKIDTEST";
  s.aws.secret_access_key = "test-secret";
  s.pipeline.max_retries = 0;
  s.cloudwatch.delay_between_batches = 0;
  return s;
}

}  // namespace im::test
