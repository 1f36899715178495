// Internal to spc/: the side of a value (+1, -1, or 0 on the centre line).
#pragma once

namespace im::spc {

inline int sign(double v) {
  return v > 0 ? 1 : v < 0 ? -1 : 0;
}

}  // namespace im::spc
