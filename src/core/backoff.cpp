#include "core/backoff.h"

#include <algorithm>
#include <cmath>

namespace im {

Backoff::Backoff(double base_seconds, double cap_seconds, uint64_t seed)
    : base_(std::max(0.0, base_seconds)),
      cap_(std::max(0.0, cap_seconds)),
      rng_(seed ? seed : std::random_device{}()) {}

double Backoff::ceiling(int retry) const {
  // 2^60 already exceeds any cap; the exponent is bounded so the product stays finite.
  return std::min(cap_, base_ * std::ldexp(1.0, std::clamp(retry, 0, 60)));
}

double Backoff::delay(int retry) {
  const double c = ceiling(retry);
  return c <= 0 ? 0.0 : std::uniform_real_distribution<double>(0.0, c)(rng_);
}

}  // namespace im
