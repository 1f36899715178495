// The fault matrix of issue #13 on MariaDB: the server restarted while a backfill writes. It
// starts a MariaDB of its own, so it runs alone (RUN_SERIAL): the load of a second server
// starting would only slow the other tests down.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <sstream>
#include <thread>

#include "app/app.h"
#include "app/store_digest.h"
#include "app/subprocess.h"
#include "mysql_test_util.h"
#include "store/mysql/connection.h"
#include "store/store.h"
#include "test_util.h"

namespace im::app {
namespace {

using Clock = std::chrono::steady_clock;
using test::digest;

const Day kDay = *Day::parse("2026-11-20");

// The fault matrix (issue #13): MariaDB restarted while a backfill writes. A server of the
// test's own (the harness script, on a port of its own) is stopped and started again on the
// same port; the step that lost its session is retried and the backfill completes, with the same
// data as an uninterrupted one.
TEST(MysqlRestart, ABackfillSurvivesAMariaDbRestart) {
  test::TempDir dir;
  const std::string harness = std::string(IM_SOURCE_DIR) + "/tests/harness/mariadb.sh";
  const std::string server = dir.file("server");
  ASSERT_EQ(std::system((harness + " start " + server + " >/dev/null").c_str()), 0);
  struct Stop {
    std::string cmd;
    ~Stop() { [[maybe_unused]] int rc = std::system(cmd.c_str()); }
  } stop{harness + " stop " + server + " >/dev/null"};
  std::map<std::string, std::string> env_file;
  {
    std::istringstream in(test::read_file(server + "/env"));
    for (std::string line; std::getline(in, line);)
      env_file[line.substr(0, line.find('='))] = line.substr(line.find('=') + 1);
  }
  const std::string port = env_file["IM_TEST_MYSQL_PORT"];
  const std::vector<std::string> backfill = {"run", "--start-date", (kDay - 24).str(), "--end-date",
                                             kDay.str()};
  std::map<std::string, std::string> env = {{"DB_PASSWORD", env_file["IM_TEST_MYSQL_PASSWORD"]},
                                            {"IM_STORAGE_URL", env_file["IM_TEST_MYSQL_URL"]},
                                            {"IM_SIMULATE_REDIS_INSTANCES", "10"},
                                            {"IM_SIMULATE_RDS_INSTANCES", "5"},
                                            {"IM_PIPELINE_RETRY_DELAY_SECONDS", "1"},
                                            {"IM_PIPELINE_MAX_RETRIES", "6"},
                                            {"IM_MYSQL_CONNECT_TIMEOUT", "2"}};
  std::string why;
  const StorageUrl url = *parse_storage_url(env_file["IM_TEST_MYSQL_URL"], why);
  store::MysqlOptions opts = test::mariadb_options();
  opts.password = env_file["IM_TEST_MYSQL_PASSWORD"];
  auto days_logged = [&]() -> int64_t {
    try {
      return std::stoll(store::mysql::Connection(url, opts).scalar(
          "SELECT COUNT(DISTINCT target_date) FROM infra_monitoring_pipeline_log"));
    } catch (const std::exception&) {
      return 0;
    }
  };
  test::Child run(backfill, env, dir.file("run.log"));
  auto deadline = Clock::now() + std::chrono::seconds(60);
  while (days_logged() < 8 && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(std::system((harness + " stop " + server + " >/dev/null").c_str()), 0);
  ASSERT_EQ(std::system((harness + " start " + server + " " + port + " >/dev/null").c_str()), 0);
  const int rc = run.wait();
  const std::string log = test::read_file(dir.file("run.log"));
  EXPECT_EQ(rc, kExitOk) << log;
  EXPECT_NE(log.find("retry 1/6"), std::string::npos) << log;  // it did lose the server

  test::ScratchDatabase reference;
  auto ref_env = env;
  ref_env["DB_PASSWORD"] = test::mariadb().password;
  ref_env["IM_STORAGE_URL"] = reference.url_text();
  ASSERT_EQ(test::Child(backfill, ref_env, dir.file("ref.log")).wait(), kExitOk);
  auto expected = digest(*reference.open(), kDay - 24, kDay);
  auto got = digest(*store::open_store(url, store::OpenMode::READ_WRITE, opts), kDay - 24, kDay);
  for (const auto& [table, v] : expected) {
    if (table == "infra_monitoring_pipeline_log") continue;
    EXPECT_EQ(v, got[table]) << table;
  }
}

}  // namespace
}  // namespace im::app
