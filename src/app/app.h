// The command-line program: its entry point, exit codes and logging.
#pragma once

#include <string>
#include <vector>

#include "config/settings.h"

namespace im::app {

// Exit codes (documented in README.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // a step failed, or the store could not be used
inline constexpr int kExitUsage = 2;   // bad command line or configuration
inline constexpr int kExitLocked = 3;  // another run holds the lock

int main_entry(int argc, char** argv);

// Logging to stderr at `log.level`: text (readable) or json (one object per line). Every value
// in `secrets` is replaced by *** in every line (im::redact: short ones only as whole words),
// and so is every password in a URL; text lines escape control characters.
void setup_logging(Settings::Log log, std::vector<std::string> secrets);

}  // namespace im::app
