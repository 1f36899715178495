// A stop asked for by a signal (SIGTERM from systemd or Kubernetes, SIGINT from Ctrl-C). The
// program's entry point installs the handlers; the pipeline and the HTTP clients look at the
// flag at safe points (between steps, before a commit, during a transfer or a wait), so the step
// in progress is rolled back, logged as interrupted, and the lock released.
#pragma once

namespace im {

// Records the first signal asked to stop (async-signal-safe).
void request_stop(int signal_number);
// The signal that asked to stop, or 0.
int stop_signal();
// "SIGTERM", "SIGINT", "SIGHUP" or "a signal".
const char* stop_signal_name(int signal_number);

}  // namespace im
