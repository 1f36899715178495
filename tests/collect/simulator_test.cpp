#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "collect/simulate/simulator.h"
#include "transform/transform.h"

namespace im::collect {
namespace {

const Day kDay = *Day::parse("2026-11-20");
const ServiceType kAll[] = {ServiceType::REDIS, ServiceType::RDS, ServiceType::EC2};

TEST(SimulatedFleet, HasTheGuidesCurrentScale) {
  SimulatedFleet f({});
  auto inv = f.discover(kDay, kAll);
  std::map<ServiceType, int> n;
  for (const auto& i : inv) n[i.service]++;
  EXPECT_EQ(n[ServiceType::REDIS], 76);
  EXPECT_EQ(n[ServiceType::RDS], 62);
  EXPECT_EQ(n[ServiceType::EC2], 20);
  std::set<std::string> ids;
  for (const auto& i : inv) ids.insert(i.id);
  EXPECT_EQ(ids.size(), inv.size());
}

TEST(SimulatedFleet, IsDeterministicPerSeedAndDay) {
  SimulatedFleet a({}), b({}), c({7, 76, 62, 20});
  auto inv = a.discover(kDay, kAll);
  auto sa = a.collect_series(kDay, ServiceType::RDS, inv);
  auto sb = b.collect_series(kDay, ServiceType::RDS, inv);
  auto sc = c.collect_series(kDay, ServiceType::RDS, inv);
  ASSERT_EQ(sa.size(), 62u * 14u);
  for (size_t i = 0; i < sa.size(); ++i)
    for (size_t k = 0; k < sa[i].values.size(); ++k)
      ASSERT_TRUE(sa[i].values[k] == sb[i].values[k] ||
                  (std::isnan(sa[i].values[k]) && std::isnan(sb[i].values[k])));
  int differ = 0;
  for (size_t i = 0; i < sa.size(); ++i) differ += sa[i].values[100] != sc[i].values[100];
  EXPECT_GT(differ, 0);
}

TEST(SimulatedFleet, SamplesCoverExactlyTheDayEveryFiveMinutes) {
  SimulatedFleet f({});
  auto inv = f.discover(kDay, kAll);
  for (const auto& s : f.collect_series(kDay, ServiceType::REDIS, inv)) {
    EXPECT_EQ(s.start_unix, kDay.start_unix());
    EXPECT_EQ(s.step_seconds, 300);
    EXPECT_EQ(s.values.size(), 288u);
  }
}

TEST(SimulatedFleet, ChurnsAYoungInstanceAndRetiresAnother) {
  SimulatedFleet f({});
  std::set<std::string> seen_before, seen_after;
  for (auto& i : f.discover(kDay - 30, kAll)) seen_before.insert(i.id);
  for (auto& i : f.discover(kDay, kAll)) seen_after.insert(i.id);
  int gone = 0, fresh = 0;
  for (auto& id : seen_before) gone += !seen_after.count(id);
  for (auto& id : seen_after) fresh += !seen_before.count(id);
  EXPECT_GE(gone, 1);
  EXPECT_GE(fresh, 1);
  // On any day one churn slot holds an instance younger than 14 days.
  for (int back = 0; back < 42; ++back) {
    Day d = kDay - back;
    std::set<std::string> now;
    for (auto& i : f.discover(d, kAll)) now.insert(i.id);
    std::set<std::string> then;
    for (auto& i : f.discover(d - 14, kAll)) then.insert(i.id);
    int young = 0;
    for (auto& id : now) young += !then.count(id);
    EXPECT_GE(young, 1) << d.str();
  }
}

TEST(SimulatedFleet, EveryDayHasAnEvictionStormSomewhere) {
  SimulatedFleet f({});
  for (Day d : {kDay, kDay + 1, kDay + 2}) {
    auto inv = f.discover(d, kAll);
    auto n = transform::normalize(f.collect_series(d, ServiceType::REDIS, inv), inv);
    auto daily = transform::aggregate(n.series, d);
    int storms = 0;
    for (const auto& m : daily) storms += m.metric == "evicted_keys_per_sec" && m.avg > 20;
    EXPECT_GE(storms, 1) << d.str();
  }
}

}  // namespace
}  // namespace im::collect
