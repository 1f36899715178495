// The replay of steps 9-13 over a range (backtest): from the day rows alone it must give what
// the pipeline stored day by day from the same data.
#include <gtest/gtest.h>

#include <map>
#include <tuple>

#include "backtest/backtest.h"
#include "pipeline/pipeline_fixture.h"
#include "test_util.h"

namespace im::backtest {
namespace {

using pipeline::test_fixture::kDay;

TEST(Replay, GivesWhatThePipelineStoredDayByDay) {
  test::TempDir dir;
  Settings s;
  s.simulate.redis_instances = 10;
  s.simulate.rds_instances = 6;
  auto store = store::open_store(pipeline::test_fixture::sqlite_url(dir.file("s.db")));
  auto p = pipeline::test_fixture::assemble(
      s, *store, pipeline::test_fixture::test_clock(pipeline::test_fixture::fixed_now));
  pipeline::RunOptions o;
  const Day first = kDay - 29;
  for (Day d = first; !(kDay < d); d = d + 1) o.days.push_back(d);
  ASSERT_FALSE(p.run(o).failed());

  const auto daily = store->load_daily_metrics(first, kDay, {});
  const auto inventory = store->load_inventory();
  const Replayed got = replay(s, daily, inventory, kDay);
  EXPECT_EQ(got.unknown_metrics, 0);

  auto stored = store->load_anomaly_scores(first, kDay);
  ASSERT_EQ(got.scores.size(), stored.size());
  std::map<std::pair<Day, SeriesKey>, const AnomalyScoreRow*> by_key;
  for (const auto& r : stored) by_key[{r.date, r.key()}] = &r;
  size_t alerting = 0;
  for (const auto& r : got.scores) {
    const AnomalyScoreRow& want = *by_key.at({r.date, r.key()});
    SCOPED_TRACE(r.date.str() + " " + r.instance_id + " " + r.metric);
    EXPECT_EQ(r.score_status, want.score_status);
    EXPECT_EQ(r.z, want.z);
    EXPECT_EQ(r.severity, want.severity);
    EXPECT_EQ(r.we_rules, want.we_rules);
    alerting += r.severity && *r.severity >= Severity::WARNING;
  }
  EXPECT_GT(alerting, 10u);  // the comparison covers rule firings, not only quiet days

  using AlertId = std::tuple<Day, AlertKey, Severity>;
  std::set<AlertId> want_alerts, got_alerts;
  for (Day d = first; !(kDay < d); d = d + 1)
    for (const auto& a : store->load_alerts(d)) want_alerts.insert({a.date, a.key(), a.severity});
  for (const auto& a : got.alerts) got_alerts.insert({a.date, a.key(), a.severity});
  EXPECT_EQ(got_alerts, want_alerts);
  EXPECT_GT(got_alerts.size(), 20u);

  const auto health = store->load_health_scores(first, kDay);
  ASSERT_EQ(got.health.size(), health.size());
  std::map<std::pair<Day, InstanceKey>, const HealthRow*> health_by;
  for (const auto& h : health) health_by[{h.date, h.key()}] = &h;
  for (const auto& h : got.health) {
    const HealthRow& want = *health_by.at({h.date, h.key()});
    EXPECT_EQ(h.health_score, want.health_score) << h.date.str() << " " << h.instance_id;
    EXPECT_EQ(h.grade, want.grade);
    EXPECT_EQ(h.trend, want.trend);
  }
}

TEST(Replay, StartsEarlyEnoughForTheWholeHistoryOfTheFirstDay) {
  Settings s;  // a 14-day window: its history reaches 28 days back, and that day's 28 more
  EXPECT_EQ(replay_start(s, kDay), kDay - 56);
  EXPECT_TRUE(replay(s, {}, {}, kDay).scores.empty());
}

}  // namespace
}  // namespace im::backtest
