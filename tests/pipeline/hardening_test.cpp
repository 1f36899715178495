// Regression tests of issue #13 (hardening) at the pipeline level: a bad sample or a bad
// identifier costs only itself, a recompute after `archive` equals the original, and an
// unreachable configured source fails the run.
#include <gtest/gtest.h>

#include <cmath>

#include "collect/source.h"
#include "core/text_safety.h"
#include "pipeline/pipeline.h"
#include "pipeline/pipeline_fixture.h"
#include "pipeline/steps.h"
#include "test_util.h"

namespace im::pipeline {
namespace {

using test::TempDir;

using namespace test_fixture;

StorageUrl url(const std::string& path) {
  return sqlite_url(path);
}

StepFn original_step(int num) {
  for (const auto& d : step_definitions())
    if (d.num == num) return d.fn;
  throw std::logic_error("no step " + std::to_string(num));
}

class Hardening : public testing::Test {
 protected:
  TempDir dir;
  Settings settings = [] {
    Settings s;
    s.simulate.redis_instances = 6;
    s.simulate.rds_instances = 4;
    s.simulate.ec2_instances = 0;
    return s;
  }();
  std::unique_ptr<store::Store> store = store::open_store(url(dir.file("h.db")));

  DayResult run_one(Pipeline& p, Day day, std::set<int> steps = {}) {
    RunOptions o;
    o.days = {day};
    o.steps = std::move(steps);
    return p.run(o).days.at(0);
  }
};

// Item 1: one +Inf, -Inf, a negative value or values whose sum overflows in one series made
// step 8 fail on NOT NULL and lost the whole fleet's day.
TEST_F(Hardening, ImpossibleSamplesCostOnlyTheirOwnSlots) {
  auto clean = pipeline::test_fixture::assemble(settings, *store,
                                                pipeline::test_fixture::test_clock(fixed_now));
  const DayResult reference = run_one(clean, kDay - 1);
  const int64_t rows_per_day = step(reference, 8).rows;
  ASSERT_GT(rows_per_day, 0);

  auto p = pipeline::test_fixture::assemble(settings, *store,
                                            pipeline::test_fixture::test_clock(fixed_now));
  const StepFn collect_redis = original_step(3);
  p.override_step(3, [&](Context& c) {
    StepOutcome o = collect_redis(c);
    EXPECT_TRUE(c.collected);
    auto& raw = c.collected->series;
    EXPECT_GE(raw.size(), 4u);
    raw[0].values[5] = INFINITY;
    raw[1].values[6] = -INFINITY;
    raw[2].values[7] = -3;
    for (double& v : raw[3].values) v = 1e308;  // finite, but their sum is not
    return o;
  });
  const DayResult d = run_one(p, kDay);
  EXPECT_FALSE(step(d, 6).partial);
  EXPECT_EQ(step(d, 8).status, StepStatus::SUCCESS) << step(d, 8).message;
  EXPECT_EQ(step(d, 8).rows, rows_per_day);
  EXPECT_NE(step(d, 6).message.find("3 sample(s) not finite or negative dropped"),
            std::string::npos)
      << step(d, 6).message;
  for (const auto& m : store->load_daily_metrics(kDay, kDay, {})) {
    EXPECT_TRUE(std::isfinite(m.avg)) << m.instance_id << " " << m.metric;
    EXPECT_GE(m.min, 0) << m.instance_id << " " << m.metric;
  }
  EXPECT_EQ(store->day_counts(kDay)["infra_anomaly_scores"], rows_per_day);
}

// Items 4 and 5: a 300-character label failed step 1 on MariaDB (the day's Redis data lost);
// a NUL made a phantom instance with a truncated id on SQLite.
class WithBadIds final : public collect::InventorySource {
 public:
  explicit WithBadIds(collect::InventorySource& inner) : inner_(inner) {}
  std::vector<Instance> discover(Day day, std::span<const ServiceType> services) override {
    auto out = inner_.discover(day, services);
    for (std::string id :
         {std::string(300, 'x'), std::string("nul\0byte", 8), std::string("new\nline"),
          std::string("bad\xff utf8"), std::string("redis-ok-extra")}) {
      Instance i;
      i.service = ServiceType::REDIS;
      i.id = i.name = id;
      i.source = "simulate";
      out.push_back(i);
    }
    return out;
  }

 private:
  collect::InventorySource& inner_;
};

TEST_F(Hardening, AnInstanceWithAnImpossibleIdIsRefusedAloneWithTheReason) {
  // The sources are injected: the simulator's inventory, wrapped.
  const Clock clock = pipeline::test_fixture::test_clock(fixed_now);
  Sources sources = app::build_sources(settings, process_environment(), clock);
  WithBadIds wrapper(*sources.bindings.at(0).inventory);
  sources.bindings.at(0).inventory = &wrapper;
  Pipeline p(settings, *store, std::move(sources), clock);
  const DayResult d = run_one(p, kDay);
  EXPECT_EQ(step(d, 1).status, StepStatus::SUCCESS) << step(d, 1).message;
  const std::string& msg = step(d, 1).message;
  EXPECT_NE(msg.find("it is 300 characters long (at most 255)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("\"nul\\x00byte\" (it holds a control character)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("\"new\\nline\" (it holds a control character)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("\"bad\\xff utf8\" (it is not valid UTF-8)"), std::string::npos) << msg;
  EXPECT_EQ(step(d, 8).status, StepStatus::SUCCESS);
  size_t redis = 0;
  for (const auto& row : store->load_inventory()) {
    EXPECT_TRUE(identifier_problem(row.instance.id).empty()) << row.instance.id;
    EXPECT_NE(row.instance.id, "nul");  // the truncated phantom of "nul\0byte"
    redis += row.instance.service == ServiceType::REDIS;
  }
  EXPECT_EQ(redis, 7u);  // the 6 simulated and the one good extra
}

// Item 3: `archive --before D` at the latest date it accepts, then a recompute of the kept days
// rewrote three weeks of scores (scored days became baseline days) and deleted alerts.
TEST_F(Hardening, ARecomputeOfEveryKeptDayAfterAnArchiveEqualsTheOriginal) {
  auto p = pipeline::test_fixture::assemble(settings, *store,
                                            pipeline::test_fixture::test_clock(fixed_now));
  const Day first = kDay - 49, cut = kDay - 20;
  RunOptions all;
  for (Day d = first; d <= kDay; ++d) all.days.push_back(d);
  ASSERT_FALSE(p.run(all).failed());
  auto scores = store->load_anomaly_scores(cut, kDay);
  auto health = store->load_health_scores(cut, kDay);
  std::map<Day, std::vector<Alert>> alerts;
  size_t alert_count = 0;
  for (Day d = cut; d <= kDay; ++d) alert_count += (alerts[d] = store->load_alerts(d)).size();
  ASSERT_GT(alert_count, 0u);
  size_t scored = 0;
  for (const auto& s : scores) scored += s.score_status == ScoreStatus::SCORED;
  ASSERT_GT(scored, 0u);

  store->begin();
  for (const auto& t : store::Store::archivable_tables()) store->archive_rows(t, cut);
  store->commit();
  ASSERT_EQ(store->day_counts(cut - 1)["infra_metric_daily"], 0);

  RunOptions recompute = all;
  recompute.days.clear();
  for (Day d = cut; d <= kDay; ++d) recompute.days.push_back(d);
  recompute.steps = {9, 10, 11, 12, 13};
  ASSERT_FALSE(p.run(recompute).failed());

  auto again = store->load_anomaly_scores(cut, kDay);
  ASSERT_EQ(again.size(), scores.size());
  for (size_t i = 0; i < scores.size(); ++i) {
    SCOPED_TRACE(scores[i].instance_id + " " + scores[i].metric + " " + scores[i].date.str());
    EXPECT_EQ(again[i].score_status, scores[i].score_status);
    EXPECT_EQ(again[i].baseline_days, scores[i].baseline_days);
    EXPECT_EQ(again[i].mean, scores[i].mean);
    EXPECT_EQ(again[i].z, scores[i].z);
    EXPECT_EQ(again[i].we_rules, scores[i].we_rules);
    EXPECT_EQ(again[i].severity, scores[i].severity);
  }
  auto health_again = store->load_health_scores(cut, kDay);
  ASSERT_EQ(health_again.size(), health.size());
  for (size_t i = 0; i < health.size(); ++i) {
    EXPECT_EQ(health_again[i].health_score, health[i].health_score);
    EXPECT_EQ(health_again[i].trend, health[i].trend);
  }
  for (Day d = cut; d <= kDay; ++d) {
    auto now = store->load_alerts(d);
    ASSERT_EQ(now.size(), alerts[d].size()) << d.str();
    for (size_t i = 0; i < now.size(); ++i) {
      EXPECT_EQ(now[i].id, alerts[d][i].id);
      EXPECT_EQ(now[i].severity, alerts[d][i].severity);
      EXPECT_EQ(now[i].message, alerts[d][i].message);
      EXPECT_EQ(now[i].consecutive_days, alerts[d][i].consecutive_days);
    }
  }
}

// Item 9: with AWS unreachable and nothing stored, a live RDS run reported 11 succeeded and
// exited 0 with 0 rows.
TEST_F(Hardening, AnUnreachableConfiguredSourceFailsTheRun) {
  Settings live = settings;
  live.source = Settings::Source::LIVE;
  live.aws.endpoint_url = "http://proxy-user:Pr0xyS3cret@127.0.0.1:9";  // nothing listens
  live.aws.access_key_id = "AKIDEXAMPLE";
  live.aws.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  live.aws.max_attempts = 1;
  live.pipeline.max_retries = 0;
  auto p =
      pipeline::test_fixture::assemble(live, *store, pipeline::test_fixture::test_clock(fixed_now));
  const DayResult d = run_one(p, kDay);
  EXPECT_TRUE(d.failed());
  EXPECT_EQ(step(d, 1).status, StepStatus::FAILED);
  EXPECT_NE(step(d, 1).message.find("aws unavailable"), std::string::npos) << step(d, 1).message;
  // Item 13: a password inside AWS_ENDPOINT_URL never reaches a message.
  for (const auto& r : d.steps)
    EXPECT_EQ(r.message.find("Pr0xyS3cret"), std::string::npos) << r.message;
  EXPECT_NE(step(d, 1).message.find("proxy-user:***@127.0.0.1:9"), std::string::npos)
      << step(d, 1).message;
}

}  // namespace
}  // namespace im::pipeline
