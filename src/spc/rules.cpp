#include <algorithm>
#include <cmath>

#include "spc/sign.h"
#include "spc/spc.h"

namespace im::spc {

std::vector<int> western_electric(std::span<const PastScore> past, double x, double z,
                                  const std::vector<int>& enabled, int side[6]) {
  // The last k points, today last: z(i) and x(i) for i = 0 (today), 1 (previous), ...
  const size_t n = past.size() + 1;
  auto zi = [&](size_t i) { return i == 0 ? z : past[past.size() - i].z; };
  auto xi = [&](size_t i) { return i == 0 ? x : past[past.size() - i].x; };
  auto on = [&](int r) { return std::find(enabled.begin(), enabled.end(), r) != enabled.end(); };
  std::vector<int> fired;
  const int s = sign(z);

  // Rule 1: |z(D)| > 3.
  if (on(1) && std::fabs(z) > 3) fired.push_back(1), side[1] = s;

  // Rules 2 and 3: of the last k points at least m beyond `limit` on z(D)'s side, today among them.
  auto beyond = [&](size_t k, size_t m, double limit) {
    if (n < k || s == 0 || std::fabs(z) <= limit) return false;
    size_t count = 0;
    for (size_t i = 0; i < k; ++i) count += sign(zi(i)) == s && std::fabs(zi(i)) > limit;
    return count >= m;
  };
  if (on(2) && beyond(3, 2, 2.0)) fired.push_back(2), side[2] = s;
  if (on(3) && beyond(5, 4, 1.0)) fired.push_back(3), side[3] = s;

  // Rule 4: the last 8 points all above 0 or all below 0 (0 breaks the run).
  if (on(4) && n >= 8 && s != 0) {
    bool all = true;
    for (size_t i = 0; i < 8 && all; ++i) all = sign(zi(i)) == s;
    if (all) fired.push_back(4), side[4] = s;
  }

  // Rule 5: the last 6 day values strictly increasing or strictly decreasing.
  if (on(5) && n >= 6) {
    bool up = true, down = true;
    for (size_t i = 0; i < 5; ++i) {
      up = up && xi(i) > xi(i + 1);
      down = down && xi(i) < xi(i + 1);
    }
    if (up || down) fired.push_back(5), side[5] = up ? 1 : -1;
  }
  return fired;
}

}  // namespace im::spc
