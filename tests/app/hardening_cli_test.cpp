// Regression tests of issue #13 (hardening) through the command line: dates, ack ranges,
// unknown schemas, file errors, messages without credentials, one-line logs.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>

#include <fstream>

#include "app/app.h"
#include "app/hanging_server.h"
#include "app/run_cli.h"
#include "app/subprocess.h"
#include "store/store.h"
#include "test_util.h"

namespace im::app {
namespace {

using test::run_cli;
using test::TempDir;

struct Result {
  int rc;
  std::string out, err;
};

Result run_captured(std::vector<std::string> args) {
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  const int rc = run_cli(std::move(args));
  std::string out = testing::internal::GetCapturedStdout();
  return {rc, out, testing::internal::GetCapturedStderr()};
}

void sql(const std::string& path, const std::string& statement) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  EXPECT_EQ(sqlite3_exec(db, statement.c_str(), nullptr, nullptr, &err), SQLITE_OK)
      << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

// Item 6: `run --target-date 0000-01-01` wrote rows dated year 0; `demo --date 0000-01-01`
// wrote "-001-12-31", after which every run and `status` failed.
TEST(HardeningCli, DatesOutsideTheSaneRangeAreRefused) {
  TempDir dir;
  const std::string url = "sqlite://" + dir.file("d.db");
  for (auto args : std::vector<std::vector<std::string>>{
           {"run", "--target-date", "0000-01-01"},
           {"run", "--target-date", "1969-12-31"},
           {"run", "--start-date", "0001-01-01", "--end-date", "0001-01-02"},
           {"run", "--target-date", ""},  // item 16: an empty value ran yesterday
           {"demo", "--date", "0000-01-01"},
           {"demo", "--date", "1970-01-10", "--days", "30"},
           {"archive", "--before", "0000-01-01"}}) {
    args.insert(args.begin(), {"--storage-url", url});
    const Result r = run_captured(args);
    EXPECT_EQ(r.rc, kExitUsage) << args[3] << " " << args[4] << "\n" << r.err;
  }
  const Result r = run_captured({"--storage-url", url, "run", "--target-date", "0000-01-01"});
  EXPECT_NE(r.err.find("--target-date 0000-01-01: out of range; dates go from 1970-01-01 to"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("d.db")));  // refused before anything opened
}

// Item 8: `ack --older-than 13000000d` acknowledged every open alert (overflow), `--by ""` was
// accepted and `--id 99999999999999999999` was clamped.
TEST(HardeningCli, AckValidatesRangesAndEmptiness) {
  TempDir dir;
  const std::string url = "sqlite://" + dir.file("a.db");
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"ack", "--older-than", "13000000d", "--by", "ops"},
                                             {"ack", "--older-than", "-1d", "--by", "ops"},
                                             {"ack", "--older-than", "7", "--by", "ops"},
                                             {"ack", "--id", "99999999999999999999", "--by", "ops"},
                                             {"ack", "--id", "0", "--by", "ops"},
                                             {"ack", "--id", "12abc", "--by", "ops"},
                                             {"ack", "--id", "1", "--by", ""},
                                             {"ack", "--id", "1", "--by", "  "},
                                             {"ack", "--instance", "", "--by", "ops"}}) {
    std::vector<std::string> a = args;
    a.insert(a.begin(), {"--storage-url", url});
    const Result r = run_captured(a);
    EXPECT_EQ(r.rc, kExitUsage) << a[3] << " " << a[4] << " " << a[5] << " " << a[6] << "\n"
                                << r.err;
  }
  const Result r =
      run_captured({"--storage-url", url, "ack", "--older-than", "13000000d", "--by", "x"});
  EXPECT_NE(r.err.find("--older-than \"13000000d\": expected a whole number from 0 to "),
            std::string::npos)
      << r.err;
}

// Item 7: a database whose schema version is newer than the binary's was used silently.
TEST(HardeningCli, ASchemaNewerThanTheProgramIsRefused) {
  TempDir dir;
  const std::string path = dir.file("new.db"), url = "sqlite://" + path;
  ASSERT_EQ(run_cli({"--storage-url", url, "init-db"}), kExitOk);
  sql(path, "INSERT INTO schema_version VALUES (99, 'from the future', '2030-01-01 00:00:00')");
  for (const auto& cmd : std::vector<std::vector<std::string>>{
           {"init-db"}, {"run", "--steps", "9-13"}, {"status"}, {"run", "--dry-run"}}) {
    std::vector<std::string> a = cmd;
    a.insert(a.begin(), {"--storage-url", url});
    const Result r = run_captured(a);
    EXPECT_EQ(r.rc, kExitUsage) << cmd[0] << "\n" << r.err;
    EXPECT_NE(r.err.find("has schema version 99, newer than this program's"), std::string::npos)
        << r.err;
  }
}

// Item 17: SQLite errors never named the file; read-only commands failed on a read-only file.
TEST(HardeningCli, SqliteErrorsNameTheFile) {
  TempDir dir;
  const std::string path = dir.file("not-a-db.db");
  std::ofstream(path) << std::string(4096, 'x');
  const Result r = run_captured({"--storage-url", "sqlite://" + path, "status"});
  EXPECT_EQ(r.rc, kExitFailed);
  EXPECT_NE(r.err.find(path + ": file is not a database"), std::string::npos) << r.err;
  // Item 2: the log's first lines name the store in use.
  EXPECT_NE(r.err.find("store: sqlite://" + path), std::string::npos) << r.err;
}

// A database this process may only read: its file and folder belong to root and are not
// writable by "nobody", who runs the program (setpriv, as root does in CI).
TEST(HardeningCli, StatusAndDryRunWorkOnADatabaseTheyCannotWrite) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to run the program as another user";
  TempDir dir;
  const std::string path = dir.file("ro.db"), url = "sqlite://" + path;
  ASSERT_EQ(run_cli({"--storage-url", url, "run", "--service-type", "REDIS"}), kExitOk);
  std::filesystem::permissions(dir.path(), std::filesystem::perms(0755));
  std::filesystem::permissions(path, std::filesystem::perms(0444));
  const auto before = std::filesystem::last_write_time(path);
  const std::vector<std::string> as_nobody = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
                                              "--clear-groups"};
  const std::string out = dir.file("out.txt");  // the folder is not writable for nobody
  for (const auto& cmd : std::vector<std::vector<std::string>>{
           {"status"}, {"run", "--dry-run", "--service-type", "REDIS"}}) {
    std::vector<std::string> args = {"--storage-url", url};
    args.insert(args.end(), cmd.begin(), cmd.end());
    test::Child child(args, {}, out, as_nobody);
    const int rc = child.wait();
    const std::string text = test::read_file(out);
    EXPECT_EQ(rc, kExitOk) << cmd[0] << "\n" << text;
    EXPECT_EQ(text.find("readonly"), std::string::npos) << text;
  }
  EXPECT_EQ(std::filesystem::last_write_time(path), before);
}

// Item 16: an unknown subcommand said only "A subcommand is required".
TEST(HardeningCli, AnUnknownSubcommandIsNamed) {
  const Result r = run_captured({"frobnicate"});
  EXPECT_EQ(r.rc, kExitUsage);
  EXPECT_NE(r.err.find("unknown subcommand \"frobnicate\"; expected one of: run, init-db"),
            std::string::npos)
      << r.err;
}

// Item 20: the archive refusal said "archive only before D" and refused D itself.
TEST(HardeningCli, TheArchiveRefusalNamesTheLatestDateItAccepts) {
  TempDir dir;
  const std::string url = "sqlite://" + dir.file("ar.db");
  const Day today = Day::from_unix_seconds(std::time(nullptr));
  const Result refused =
      run_captured({"--storage-url", url, "archive", "--before", (today - 59).str()});
  EXPECT_EQ(refused.rc, kExitUsage);
  const std::string latest = (today - 60).str();
  EXPECT_NE(refused.err.find("the latest --before accepted is " + latest), std::string::npos)
      << refused.err;
  EXPECT_EQ(run_captured({"--storage-url", url, "archive", "--before", latest}).rc, kExitOk);
}

// Items 13 and 18: a password inside PROMETHEUS_URL reached stderr and the step log; a label's
// newline or escape sequence could forge a log line.
TEST(HardeningCli, UrlCredentialsNeverReachTheLogOrTheStepLog) {
  TempDir dir;
  const std::string path = dir.file("cred.db");
  setenv("IM_SOURCE", "live", 1);
  setenv("PROMETHEUS_URL", "http://scraper:Sup3rS3cret@127.0.0.1:9", 1);
  setenv("IM_PIPELINE_MAX_RETRIES", "0", 1);
  const Result r =
      run_captured({"--storage-url", "sqlite://" + path, "run", "--service-type", "REDIS"});
  unsetenv("IM_SOURCE");
  unsetenv("PROMETHEUS_URL");
  unsetenv("IM_PIPELINE_MAX_RETRIES");
  EXPECT_EQ(r.rc, kExitFailed) << r.err;
  EXPECT_EQ((r.out + r.err).find("Sup3rS3cret"), std::string::npos) << r.out << r.err;
  EXPECT_NE(r.err.find("http://scraper:***@127.0.0.1:9"), std::string::npos) << r.err;
  std::string why;
  auto store = store::open_store(*parse_storage_url("sqlite://" + path, why));
  const Day yesterday = Day::from_unix_seconds(std::time(nullptr)) - 1;
  auto log = store->load_step_log(store->latest_run_id(yesterday));
  ASSERT_FALSE(log.empty());
  bool masked = false;
  for (const auto& row : log) {
    EXPECT_EQ(row.error_message.find("Sup3rS3cret"), std::string::npos) << row.error_message;
    masked |= row.error_message.find("scraper:***@") != std::string::npos;
  }
  EXPECT_TRUE(masked);
}

// Item 11: two runs started at once on a new SQLite file ended in "database is locked" (exit 1)
// or "table infra_fleet_inventory already exists"; init-db pairs failed the same way.
TEST(HardeningCli, TwoProcessesStartingOnANewDatabaseNeverFail) {
  for (const char* cmd : {"run", "init-db"}) {
    for (int pair = 0; pair < 8; ++pair) {
      TempDir dir;
      const std::string url = "sqlite://" + dir.file("race.db");
      std::vector<std::string> args = {"--storage-url", url, cmd};
      if (std::string(cmd) == "run") args.insert(args.end(), {"--steps", "1"});
      test::Child a(args, {}, dir.file("a.txt")), b(args, {}, dir.file("b.txt"));
      const int ra = a.wait(), rb = b.wait();
      for (const auto& [rc, file] : {std::pair{ra, "a.txt"}, std::pair{rb, "b.txt"}})
        EXPECT_TRUE(rc == kExitOk || rc == kExitLocked)
            << cmd << " pair " << pair << " exit " << rc << "\n"
            << test::read_file(dir.file(file));
      EXPECT_TRUE(ra == kExitOk || rb == kExitOk) << cmd << " pair " << pair;
      std::string why;
      auto store = store::open_store(*parse_storage_url(url, why));
      EXPECT_EQ(store->schema_version(), store->latest_schema_version());
    }
  }
}

// Item 10: SIGTERM/SIGINT left no trace (exit 143, no log line, no FAILED row, and `status` then
// reported the killed run as ok).
TEST(HardeningCli, ASignalStopsTheRunAtASafePointAndLeavesATrace) {
  for (int sig : {SIGTERM, SIGINT}) {
    TempDir dir;
    test::HangingServer prometheus;
    const std::string db = dir.file("sig.db"), url = "sqlite://" + db, out = dir.file("out.txt");
    test::Child child({"--storage-url", url, "run", "--service-type", "REDIS"},
                      {{"IM_SOURCE", "live"},
                       {"PROMETHEUS_URL", prometheus.url()},
                       {"IM_PROMETHEUS_TIMEOUT_SECONDS", "120"}},
                      out);
    // Wait until the run is inside step 1 (its discovery query hangs), then ask it to stop.
    test::wait_for_text(out, " started");
    usleep(300 * 1000);
    child.signal(sig);
    const auto t0 = std::chrono::steady_clock::now();
    const int rc = child.wait();
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const std::string text = test::read_file(out);
    EXPECT_EQ(rc, 128 + sig) << text;
    EXPECT_LT(secs, 10) << "the hanging request was not abandoned";  // not its 120 s timeout
    const std::string name = sig == SIGTERM ? "SIGTERM" : "SIGINT";
    EXPECT_NE(text.find("INTERRUPTED by " + name), std::string::npos) << text;
    std::string why;
    auto store = store::open_store(*parse_storage_url(url, why));
    const Day yesterday = Day::from_unix_seconds(std::time(nullptr)) - 1;
    auto log = store->load_step_log(store->latest_run_id(yesterday));
    ASSERT_EQ(log.size(), 1u) << text;  // the step in progress; nothing after it ran
    EXPECT_EQ(log[0].step_num, 1);
    EXPECT_EQ(log[0].status, StepStatus::FAILED);
    EXPECT_NE(log[0].error_message.find("interrupted by " + name), std::string::npos)
        << log[0].error_message;
    EXPECT_EQ(store->day_counts(yesterday)["infra_fleet_inventory"], 0);
    EXPECT_EQ(store->run_lock_holder(), "");  // released
    // status names the run that stopped.
    const Result st = run_captured({"--storage-url", url, "status"});
    EXPECT_EQ(st.rc, kExitFailed);
    EXPECT_NE(st.out.find("stopped after 1 of 14 steps"), std::string::npos) << st.out;
  }
}

// Item 10: `status` shows a run in progress and a run that never finished (SIGKILL).
TEST(HardeningCli, StatusShowsARunInProgressAndARunThatNeverFinished) {
  TempDir dir;
  const std::string url = "sqlite://" + dir.file("st.db");
  std::string why;
  auto store = store::open_store(*parse_storage_url(url, why));
  const Day yesterday = Day::from_unix_seconds(std::time(nullptr)) - 1;
  const std::string now = format_utc_timestamp(std::time(nullptr));
  store->begin();
  for (int step = 1; step <= 5; ++step)
    store->append_step_log(
        {"killed-run", yesterday, step, "s", StepStatus::SUCCESS, 1, 0.1, "", now});
  store->commit();
  Result r = run_captured({"--storage-url", url, "status"});
  EXPECT_NE(r.out.find("killed-run (day " + yesterday.str() + ") stopped after 5 of 14 steps"),
            std::string::npos)
      << r.out;
  {
    auto lock = store->acquire_run_lock("pid 42 on host-x");
    r = run_captured({"--storage-url", url, "status"});
    EXPECT_NE(r.out.find("run_in_progress"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("pid 42 on host-x since"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("stopped after 5"), std::string::npos) << r.out;  // that is the one
  }
}

}  // namespace
}  // namespace im::app
