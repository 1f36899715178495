#include "core/stop.h"

#include <atomic>
#include <csignal>

namespace im {

namespace {
std::atomic<int> g_stop{0};
static_assert(std::atomic<int>::is_always_lock_free, "the signal handler needs a lock-free flag");
}  // namespace

void request_stop(int signal_number) {
  int none = 0;
  g_stop.compare_exchange_strong(none, signal_number);
}

int stop_signal() {
  return g_stop.load(std::memory_order_relaxed);
}

const char* stop_signal_name(int signal_number) {
  switch (signal_number) {
    case SIGTERM:
      return "SIGTERM";
    case SIGINT:
      return "SIGINT";
    case SIGHUP:
      return "SIGHUP";
    default:
      return "a signal";
  }
}

}  // namespace im
