#include <algorithm>
#include <cmath>

#include "spc/spc.h"

namespace im::spc {

Baseline compute_baseline(std::span<const DayValue> history, Day d, const Params& p) {
  const int w = p.rolling_window_days;
  const Day earliest = d - 2 * w;
  // Walk back from the newest value before d, taking at most W values not older than d-2W.
  auto end = std::lower_bound(history.begin(), history.end(), d,
                              [](const DayValue& v, Day day) { return v.day < day; });
  Baseline b;
  double sum = 0;
  auto it = end;
  while (it != history.begin() && b.n < w) {
    --it;
    if (it->day < earliest) break;
    sum += it->x;
    ++b.n;
  }
  if (b.n == 0) return b;
  b.mean = sum / b.n;
  double ss = 0;
  for (auto j = it; j != end; ++j) {
    if (j->day < earliest) continue;
    ss += (j->x - b.mean) * (j->x - b.mean);
  }
  b.std = b.n > 1 ? std::sqrt(ss / (b.n - 1)) : 0.0;
  b.sigma = std::max({b.std, p.min_sigma_rel * std::fabs(b.mean), p.min_sigma_abs});
  return b;
}

double zscore(double x, const Baseline& b, double z_cap) {
  if (b.sigma > 0) return (x - b.mean) / b.sigma;
  if (x == b.mean) return 0.0;
  return x > b.mean ? z_cap : -z_cap;
}

}  // namespace im::spc
