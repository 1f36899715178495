// The command-line program: subcommands, logging, the demo summary.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "pipeline/pipeline.h"
#include "store/store.h"

namespace im::app {

// Exit codes (documented in README.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // a step failed, or the store could not be used
inline constexpr int kExitUsage = 2;   // bad command line or configuration
inline constexpr int kExitLocked = 3;  // another run holds the lock

int main_entry(int argc, char** argv);

// Logging to stderr: "text" (readable) or "json" (one object per line). Every value in
// `secrets` is replaced by *** in every line (im::redact: short ones only as whole words),
// and so is every password in a URL; text lines escape control characters.
void setup_logging(const std::string& level, const std::string& format,
                   std::vector<std::string> secrets);

// Guide section 3, "Expected Daily Row Counts" (at the guide's 158-instance scale).
struct ExpectedRows {
  const char* table;
  int64_t lo, hi;
};
inline constexpr ExpectedRows kGuideExpectedRows[] = {{"infra_metric_daily", 1400, 1900},
                                                      {"infra_anomaly_scores", 1400, 1900},
                                                      {"infra_health_scores", 130, 150},
                                                      {"infra_anomaly_alerts", 10, 50},
                                                      {"infra_monitoring_pipeline_log", 14, 28}};

// What a person reads after a run or the demo.
void print_run_report(std::ostream& out, const pipeline::RunReport& report, bool dry_run);
void print_day_summary(std::ostream& out, store::Store& store, Day day);

// Operator commands (guide sections 4, 6.3 and 11). Each returns the exit code.
// status: OK / WARNING / STALE checks of the pipeline and the data; 1 when any is not OK.
int status_command(std::ostream& out, store::Store& store, int64_t now_unix, bool json);
int ack_command(std::ostream& out, store::Store& store, const store::AckFilter& filter,
                const std::string& by, const std::string& note);
// cleanup: deletes pipeline log rows older than `keep_days` (the guide's MySQL EVENT, for any
// store).
int cleanup_command(std::ostream& out, store::Store& store, int64_t now_unix, int keep_days);
// archive: moves rows dated before `before` of the four data tables to *_archive tables,
// one transaction per table, each verified by row counts.
int archive_command(std::ostream& out, store::Store& store, Day before);
// partitions (MySQL/MariaDB): month partitions of infra_metric_daily and infra_anomaly_scores
// up to `months_ahead` months after today's; with `create`, partitions unpartitioned tables.
// 1 when a table is left unpartitioned.
int partitions_command(std::ostream& out, store::Store& store, Day today, int months_ahead,
                       bool create);

}  // namespace im::app
