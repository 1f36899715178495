// The fault matrix of issue #13: a run interrupted by SIGKILL or SIGTERM at several points, a
// disk that fills up, a Prometheus that hangs or answers garbage. Each must leave nothing half
// written, say what happened, exit with the documented code, and a re-run must leave the tables
// exactly as an uninterrupted run does (compared by a digest of the six tables' contents).
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/mount.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <functional>
#include <sstream>

#include "app/app.h"
#include "app/hanging_server.h"
#include "app/subprocess.h"
#include "test_util.h"

namespace im::app {
namespace {

using test::TempDir;

// The contents of the six tables, without what differs from run to run by design (row ids,
// run ids, timestamps, durations). Two databases holding the same days digest the same.
std::string table_digest(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
    throw std::runtime_error("cannot open " + path);
  const char* queries[] = {
      "SELECT service_type, instance_id, status, source, first_seen, last_seen FROM "
      "infra_fleet_inventory ORDER BY 1, 2",
      "SELECT metric_date, service_type, instance_id, metric_name, avg_value, min_value, "
      "max_value, p95_value, sample_count FROM infra_metric_daily ORDER BY 1, 2, 3, 4",
      "SELECT metric_date, service_type, instance_id, metric_name, value, rolling_mean_14d, "
      "z_score, we_rules, severity, score_status FROM infra_anomaly_scores ORDER BY 1, 2, 3, 4",
      "SELECT metric_date, service_type, instance_id, health_score, grade, trend_direction FROM "
      "infra_health_scores ORDER BY 1, 2, 3",
      "SELECT alert_date, instance_id, metric_name, alert_type, severity, message, "
      "consecutive_anomaly_days, acknowledged FROM infra_anomaly_alerts ORDER BY 1, 2, 3, 4",
      // The log: the latest run of each day, with its 14 steps and their outcome (not their
      // row counts: a re-run retires no instance a first run already retired).
      "SELECT target_date, step_num, status FROM infra_monitoring_pipeline_log l "
      "WHERE run_id = (SELECT run_id FROM infra_monitoring_pipeline_log m WHERE m.target_date = "
      "l.target_date ORDER BY id DESC LIMIT 1) ORDER BY 1, 2"};
  std::ostringstream out;
  for (const char* q : queries) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, q, -1, &st, nullptr) != SQLITE_OK) {
      sqlite3_close(db);
      throw std::runtime_error(std::string("digest query failed: ") + q);
    }
    size_t rows = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
      ++rows;
      for (int c = 0; c < sqlite3_column_count(st); ++c) {
        const unsigned char* t = sqlite3_column_text(st, c);
        out << (t ? reinterpret_cast<const char*>(t) : "NULL") << '|';
      }
      out << '\n';
    }
    sqlite3_finalize(st);
    out << "-- " << rows << " rows\n";
  }
  sqlite3_close(db);
  return std::to_string(std::hash<std::string>{}(out.str())) + " (" +
         std::to_string(out.str().size()) + " bytes)";
}

const std::map<std::string, std::string> kSmallFleet = {{"IM_SIMULATE_REDIS_INSTANCES", "10"},
                                                        {"IM_SIMULATE_RDS_INSTANCES", "5"}};
const std::vector<std::string> kBackfill = {"run", "--backfill", "45"};

struct Outcome {
  int rc;
  std::string output;
};

Outcome run_program(const std::string& db, std::vector<std::string> args, const TempDir& dir,
                    std::function<void(test::Child&)> during = {}) {
  args.insert(args.begin(), {"--storage-url", "sqlite://" + db});
  const std::string out = dir.file("out-" + std::to_string(std::rand()) + ".txt");
  test::Child child(args, kSmallFleet, out);
  if (during) during(child);
  const int rc = child.wait();
  return {rc, test::read_file(out)};
}

// What an uninterrupted backfill leaves, computed once.
const std::string& reference_digest() {
  static const std::string digest = [] {
    TempDir dir;
    const std::string db = dir.file("reference.db");
    const Outcome o = run_program(db, kBackfill, dir);
    if (o.rc != kExitOk) throw std::runtime_error("the reference run failed:\n" + o.output);
    return table_digest(db);
  }();
  return digest;
}

struct Interruption {
  int signal;
  int after_ms;
};

class Interrupted : public testing::TestWithParam<Interruption> {};

TEST_P(Interrupted, ThenARerunEqualsAnUninterruptedRun) {
  const Interruption k = GetParam();
  TempDir dir;
  const std::string db = dir.file("im.db");
  const Outcome first = run_program(db, kBackfill, dir, [&](test::Child& c) {
    usleep(static_cast<useconds_t>(k.after_ms) * 1000);
    c.signal(k.signal);
  });
  if (first.rc == kExitOk) GTEST_SKIP() << "the run ended before the signal";
  EXPECT_EQ(first.rc, 128 + k.signal) << first.output;
  if (k.signal == SIGTERM) {
    EXPECT_NE(first.output.find("INTERRUPTED by SIGTERM"), std::string::npos) << first.output;
  }
  const Outcome again = run_program(db, kBackfill, dir);
  ASSERT_EQ(again.rc, kExitOk) << again.output;
  EXPECT_EQ(table_digest(db), reference_digest());
}

INSTANTIATE_TEST_SUITE_P(FaultMatrix, Interrupted,
                         testing::Values(Interruption{SIGKILL, 150}, Interruption{SIGKILL, 600},
                                         Interruption{SIGKILL, 1200}, Interruption{SIGKILL, 2000},
                                         Interruption{SIGTERM, 150}, Interruption{SIGTERM, 700},
                                         Interruption{SIGTERM, 1500}),
                         [](const auto& info) {
                           return std::string(info.param.signal == SIGKILL ? "SIGKILL"
                                                                           : "SIGTERM") +
                                  "_after_" + std::to_string(info.param.after_ms) + "ms";
                         });

// Disk full on SQLite: one clear message (not one per step per day), exit 1, and once space is
// freed a re-run completes the days exactly.
TEST(FaultMatrix, DiskFullStopsTheRunOnceAndARerunCompletesIt) {
  if (geteuid() != 0) GTEST_SKIP() << "mounting a small tmpfs needs root";
  TempDir dir;
  const std::string mnt = dir.file("small");
  std::filesystem::create_directory(mnt);
  if (mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=400k") != 0)
    GTEST_SKIP() << "cannot mount a tmpfs here: " << std::strerror(errno);
  struct Unmount {
    std::string path;
    ~Unmount() { umount2(path.c_str(), MNT_DETACH); }
  } unmount{mnt};
  const std::string db = mnt + "/im.db";
  const Outcome full = run_program(db, kBackfill, dir);
  EXPECT_EQ(full.rc, kExitFailed) << full.output;
  EXPECT_NE(full.output.find(db + ": database or disk is full"), std::string::npos) << full.output;
  EXPECT_NE(full.output.find("later day(s) not run"), std::string::npos) << full.output;
  size_t errors = 0;
  for (size_t p = full.output.find(" error "); p != std::string::npos;
       p = full.output.find(" error ", p + 1))
    ++errors;
  EXPECT_LE(errors, 4u) << full.output;
  ASSERT_EQ(mount("tmpfs", mnt.c_str(), "tmpfs", MS_REMOUNT, "size=64m"), 0);
  const Outcome again = run_program(db, kBackfill, dir);
  ASSERT_EQ(again.rc, kExitOk) << again.output;
  EXPECT_EQ(table_digest(db), reference_digest());
}

// A Prometheus that accepts connections and never answers: the run does not hang past
// prometheus.timeout_seconds, says which request timed out, fails (exit 1), and writes nothing
// of the steps that needed it. (Garbage answers: tests/collect/prometheus_client_test.cpp and
// prometheus_parse_test.cpp; a Prometheus lost between steps: prometheus_pipeline_test.cpp.)
TEST(FaultMatrix, AHangingPrometheusFailsTheRunWithinItsTimeout) {
  TempDir dir;
  test::HangingServer prometheus;
  const std::string db = dir.file("hang.db"), out = dir.file("out.txt");
  test::Child child({"--storage-url", "sqlite://" + db, "run", "--service-type", "REDIS"},
                    {{"IM_SOURCE", "live"},
                     {"PROMETHEUS_URL", prometheus.url()},
                     {"IM_PROMETHEUS_TIMEOUT_SECONDS", "1"},
                     {"IM_PIPELINE_MAX_RETRIES", "1"},
                     {"IM_PIPELINE_RETRY_DELAY_SECONDS", "0"}},
                    out);
  const int rc = child.wait();
  const std::string text = test::read_file(out);
  EXPECT_EQ(rc, kExitFailed) << text;
  EXPECT_NE(text.find("Timeout was reached"), std::string::npos) << text;
  EXPECT_NE(text.find("step  1 Inventory Refresh          FAILED"), std::string::npos) << text;
  EXPECT_NE(text.find("step  3 Redis Metric Collection    SKIPPED"), std::string::npos) << text;
}

}  // namespace
}  // namespace im::app
