// Faults of the production database in the middle of a step: the data session is killed
// from a second session (KILL CONNECTION) while step 8 writes its rows.
#include <gtest/gtest.h>

#include "mysql_test_util.h"
#include "pipeline/pipeline.h"
#include "pipeline/pipeline_fixture.h"
#include "store/forwarding_store.h"

namespace im::pipeline {
namespace {

const Day kDay = *Day::parse("2026-11-20");
int64_t fixed_now() {
  return (kDay + 1).start_unix() + 6 * 3600;
}

// Writes the first part of step 8's rows, kills its own session from the admin session,
// then writes the rest (which fails: the server dropped the session and its transaction).
class KillMidStep8 : public store::ForwardingStore {
 public:
  KillMidStep8(store::Store& inner, test::ScratchDatabase& db, int kills)
      : ForwardingStore(inner), db_(db), kills_left_(kills) {}

  size_t upsert_daily_metrics(std::span<const DailyMetric> rows) override {
    ++calls;
    if (kills_left_ == 0 || rows.size() < 700) return in_.upsert_daily_metrics(rows);
    --kills_left_;
    in_.upsert_daily_metrics(rows.subspan(0, 600));  // two batches written, not committed
    // The data session: on this database, neither ours nor the one holding the run lock.
    // (INNODB_TRX would be simpler, but the server caches it for 0.1 s.)
    auto ids = db_.admin().query(
        "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND ID <> "
        "CONNECTION_ID() AND ID <> COALESCE(IS_USED_LOCK(CONCAT('infra_monitor:run:', "
        "DATABASE())), 0) AND COMMAND <> 'Killed'");
    if (ids.size() != 1) throw std::runtime_error("test: expected one data session");
    db_.admin().query("KILL CONNECTION " + *ids[0][0]);

    ++killed;
    return in_.upsert_daily_metrics(rows.subspan(600));
  }
  int calls = 0, killed = 0;

 private:
  test::ScratchDatabase& db_;
  int kills_left_;
};

Settings small_fleet(int max_retries) {
  Settings s;
  s.simulate.redis_instances = 40;
  s.simulate.rds_instances = 30;
  s.pipeline.max_retries = max_retries;
  s.pipeline.retry_delay_seconds = 0.5;
  return s;
}

const StepResult& step(const DayResult& d, int num) {
  return d.steps.at(static_cast<size_t>(num - 1));
}

TEST(MysqlFaults, KilledConnectionInStep8IsRetriedAndTheDayIsWhole) {
  test::ScratchDatabase db;
  auto real = db.open();
  KillMidStep8 store(*real, db, 1);
  Settings settings = small_fleet(3);
  std::vector<double> sleeps;
  auto p = pipeline::test_fixture::assemble(
      settings, store,
      pipeline::test_fixture::test_clock(fixed_now, [&](double s) { sleeps.push_back(s); }));
  RunOptions o;
  o.days = {kDay};
  auto r = p.run(o);
  const DayResult& d = r.days.at(0);
  EXPECT_EQ(store.killed, 1);
  EXPECT_EQ(store.calls, 2);
  ASSERT_EQ(sleeps.size(), 1u);
  EXPECT_GE(sleeps[0], 0);  // full jitter: in [0, delay]
  EXPECT_LE(sleeps[0], 0.5);
  EXPECT_EQ(step(d, 8).status, StepStatus::SUCCESS) << step(d, 8).message;
  EXPECT_FALSE(r.failed());
  // Every row of the day once: the killed attempt left nothing behind.
  EXPECT_EQ(db.count("SELECT COUNT(*) FROM infra_metric_daily WHERE metric_date = '2026-11-20'"),
            step(d, 8).rows);
  EXPECT_GT(step(d, 8).rows, 700);
  EXPECT_EQ(db.count("SELECT COUNT(*) FROM infra_anomaly_scores"), step(d, 8).rows);
}

TEST(MysqlFaults, WhenRetriesRunOutTheStepFailsAndWritesNothing) {
  test::ScratchDatabase db;
  auto real = db.open();
  KillMidStep8 store(*real, db, 5);
  Settings settings = small_fleet(1);
  auto p = pipeline::test_fixture::assemble(
      settings, store, pipeline::test_fixture::test_clock(fixed_now, [](double) {}));
  RunOptions o;
  o.days = {kDay};
  auto r = p.run(o);
  const DayResult& d = r.days.at(0);
  EXPECT_TRUE(r.failed());
  EXPECT_EQ(store.killed, 2);  // the first attempt and its one retry
  EXPECT_EQ(step(d, 8).status, StepStatus::FAILED);
  const std::string& msg = step(d, 8).message;
  EXPECT_NE(msg.find("gave up after 2 attempts"), std::string::npos) << msg;
  EXPECT_NE(msg.find("mysql:"), std::string::npos) << msg;
  EXPECT_EQ(msg.find(test::mariadb().password), std::string::npos) << msg;
  EXPECT_EQ(step(d, 9).status, StepStatus::SKIPPED);
  EXPECT_EQ(db.count("SELECT COUNT(*) FROM infra_metric_daily"), 0);
  // The step log still records the failure (written after the data session came back).
  EXPECT_EQ(db.count("SELECT COUNT(*) FROM infra_monitoring_pipeline_log WHERE step_num = 8 AND "
                     "status = 'FAILED'"),
            1);
}

}  // namespace
}  // namespace im::pipeline
