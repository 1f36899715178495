// The one retry policy of the program: exponential backoff with "full jitter" (each wait uniform
// in [0, min(cap, base x 2^retry)]), used by the pipeline's step retries, the MySQL store's
// connection attempts and the AWS client. Full jitter spreads the retries of many clients
// hitting one recovering server best (AWS Architecture Blog, "Exponential Backoff And Jitter").
#pragma once

#include <cstdint>
#include <random>

namespace im {

class Backoff {
 public:
  // `seed` 0: a random seed (tests pass one to draw a known sequence).
  Backoff(double base_seconds, double cap_seconds, uint64_t seed = 0);
  // The longest wait before retry number `retry` (0 = the first retry).
  double ceiling(int retry) const;
  // A wait before retry number `retry`: uniform in [0, ceiling(retry)].
  double delay(int retry);

 private:
  double base_, cap_;
  std::mt19937_64 rng_;
};

}  // namespace im
