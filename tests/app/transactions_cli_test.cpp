// Issue #14, item 3: a step's network I/O happens outside its write transaction, so an operator's
// `ack` from another process is not kept waiting by a run stuck on a slow source.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <csignal>

#include "app/hanging_server.h"
#include "app/subprocess.h"
#include "store/store.h"
#include "test_util.h"

namespace im::app {
namespace {

using test::TempDir;

TEST(ShortTransactions, AnAckCompletesWhileARunWaitsOnASlowSource) {
  TempDir dir;
  test::HangingServer prometheus;  // accepts, never answers
  const std::string url = "sqlite://" + dir.file("tx.db");
  std::string why;
  const Day today = Day::from_unix_seconds(std::time(nullptr));
  {
    auto store = store::open_store(*parse_storage_url(url, why));
    Alert a;
    a.date = today - 2;
    a.instance_id = "redis-a";
    a.metric = "cpu_user_pct";
    a.alert_type = AlertType::ZSCORE;
    a.severity = Severity::WARNING;
    a.message = "WARNING redis-a";
    store::Transaction tx(*store);
    store->upsert_alerts(std::vector<Alert>{a});
    tx.commit();
  }
  const std::string run_out = dir.file("run.txt");
  test::Child run({"--storage-url", url, "run", "--service-type", "REDIS"},
                  {{"IM_SOURCE", "live"},
                   {"PROMETHEUS_URL", prometheus.url()},
                   {"IM_PROMETHEUS_TIMEOUT_SECONDS", "120"}},
                  run_out);
  // Wait until the run is inside step 1, whose discovery query to Prometheus hangs.
  ASSERT_TRUE(test::wait_for_text(run_out, " started")) << test::read_file(run_out);
  usleep(500 * 1000);

  const auto t0 = std::chrono::steady_clock::now();
  const std::string ack_out = dir.file("ack.txt");
  test::Child ack({"--storage-url", url, "ack", "--instance", "redis-a", "--by", "ops-jane"}, {},
                  ack_out);
  const int ack_rc = ack.wait();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(ack_rc, 0) << test::read_file(ack_out);
  EXPECT_NE(test::read_file(ack_out).find("1 alert"), std::string::npos)
      << test::read_file(ack_out);
  // Not the store's 10 s busy timeout: nothing held the database while the source hung.
  EXPECT_LT(secs, 5) << test::read_file(ack_out);
  // The run was still waiting on Prometheus all along.
  EXPECT_EQ(test::read_file(run_out).find(" step  1 "), std::string::npos)
      << test::read_file(run_out);

  run.signal(SIGTERM);
  EXPECT_EQ(run.wait(), 128 + SIGTERM) << test::read_file(run_out);
  auto store = store::open_store(*parse_storage_url(url, why));
  const auto alerts = store->load_alerts(today - 2);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_TRUE(alerts[0].acknowledged);
  EXPECT_EQ(alerts[0].acknowledged_by, "ops-jane");
}

}  // namespace
}  // namespace im::app
