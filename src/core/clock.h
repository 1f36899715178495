// The wall clock and the waits of a run, injected so that tests fix the time and record the
// waits instead of sleeping. Built once by the composition root (app/) and handed to the
// pipeline and the sources it assembles.
#pragma once

#include <cstdint>
#include <functional>

namespace im {

struct Clock {
  std::function<int64_t()> now;       // UTC seconds
  std::function<void(double)> sleep;  // seconds; returns early when a stop is asked for

  // The system clock, and a sleep in slices that ends as soon as a signal asks to stop
  // (core/stop.h).
  static Clock system();
};

}  // namespace im
