#include "core/clock.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "core/stop.h"

namespace im {

Clock Clock::system() {
  Clock c;
  c.now = [] {
    using namespace std::chrono;
    return static_cast<int64_t>(
        duration_cast<seconds>(system_clock::now().time_since_epoch()).count());
  };
  c.sleep = [](double s) {
    using clock = std::chrono::steady_clock;
    const auto until = clock::now() + std::chrono::duration_cast<clock::duration>(
                                          std::chrono::duration<double>(s));
    while (!stop_signal() && clock::now() < until)
      std::this_thread::sleep_for(
          std::min<clock::duration>(until - clock::now(), std::chrono::milliseconds(100)));
  };
  return c;
}

}  // namespace im
