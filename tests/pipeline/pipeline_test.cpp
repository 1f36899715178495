#include <gtest/gtest.h>

#include "pipeline/pipeline.h"
#include "pipeline/pipeline_fixture.h"
#include "pipeline/steps.h"
#include "test_util.h"

namespace im::pipeline {
namespace {

using test::TempDir;

using namespace test_fixture;

Settings small_fleet() {
  Settings s;
  s.simulate.redis_instances = 12;
  s.simulate.rds_instances = 6;
  s.simulate.ec2_instances = 3;
  return s;
}

StorageUrl url(const std::string& path) {
  return sqlite_url(path);
}

class PipelineTest : public testing::Test {
 protected:
  TempDir dir;
  Settings settings = small_fleet();
  std::unique_ptr<store::Store> store = store::open_store(url(dir.file("p.db")));

  RunReport run(Pipeline& p, std::vector<Day> days, std::set<int> steps = {},
                std::vector<ServiceType> services = {}) {
    RunOptions o;
    o.days = std::move(days);
    o.steps = std::move(steps);
    o.services = std::move(services);
    return p.run(o);
  }
};

TEST_F(PipelineTest, AFullRunLogsFourteenStepsAndWritesTheDay) {
  auto p = pipeline::test_fixture::assemble(settings, *store,
                                            pipeline::test_fixture::test_clock(fixed_now));
  auto r = run(p, {kDay});
  ASSERT_EQ(r.days.size(), 1u);
  const DayResult& d = r.days[0];
  EXPECT_FALSE(r.failed());
  ASSERT_EQ(d.steps.size(), 14u);
  EXPECT_EQ(step(d, 1).status, StepStatus::SUCCESS);
  EXPECT_EQ(step(d, 2).status, StepStatus::SKIPPED);
  EXPECT_EQ(step(d, 5).status, StepStatus::SKIPPED);
  EXPECT_EQ(step(d, 5).message.rfind("ENABLE_EC2 is false, and cloudwatch.services", 0), 0u)
      << step(d, 5).message;
  EXPECT_EQ(step(d, 8).status, StepStatus::SUCCESS);
  auto counts = store->day_counts(kDay);
  EXPECT_EQ(counts["infra_metric_daily"], step(d, 8).rows);
  EXPECT_EQ(counts["infra_anomaly_scores"], counts["infra_metric_daily"]);
  EXPECT_EQ(counts["infra_monitoring_pipeline_log"], 14);
  auto log = store->load_step_log(d.run_id);
  ASSERT_EQ(log.size(), 14u);
  EXPECT_EQ(log[13].rows_affected, 14);
  EXPECT_EQ(log[1].error_message, "source is simulate: there is no Prometheus to check");
}

TEST_F(PipelineTest, AFailedStepSkipsItsDependantsButNotIndependentSteps) {
  auto p = pipeline::test_fixture::assemble(settings, *store,
                                            pipeline::test_fixture::test_clock(fixed_now));
  p.override_step(
      4, [](Context&) -> StepOutcome { throw SourceError("CloudWatch: ThrottlingException"); });
  auto d = run(p, {kDay}).days[0];
  EXPECT_TRUE(d.failed());
  EXPECT_EQ(step(d, 4).status, StepStatus::FAILED);
  EXPECT_EQ(step(d, 4).message, "CloudWatch: ThrottlingException");
  EXPECT_EQ(step(d, 3).status, StepStatus::SUCCESS);  // Redis still collected
  EXPECT_EQ(step(d, 6).status, StepStatus::SUCCESS);  // and still processed
  EXPECT_EQ(step(d, 8).status, StepStatus::SUCCESS);
  const ServiceType rds[] = {ServiceType::RDS};
  EXPECT_TRUE(store->load_daily_metrics(kDay, kDay, rds).empty());
  auto log = store->load_step_log(d.run_id);
  EXPECT_EQ(log[3].status, StepStatus::FAILED);
  EXPECT_EQ(log[3].error_message, "CloudWatch: ThrottlingException");
}

TEST_F(PipelineTest, TransientFailuresAreRetriedWithBackoffThenSucceed) {
  settings.pipeline.max_retries = 3;
  settings.pipeline.retry_delay_seconds = 10;
  std::vector<double> slept;
  auto p = pipeline::test_fixture::assemble(
      settings, *store,
      pipeline::test_fixture::test_clock(fixed_now, [&](double s) { slept.push_back(s); }));
  int calls = 0;
  p.override_step(8, [&](Context& c) -> StepOutcome {
    StepOutcome o;
    c.write([&] {
      c.out.upsert_daily_metrics(*c.daily);  // written, then lost with the connection
      if (++calls <= 2) throw TransientError("Lost connection to server during query (2013)");
      o.rows = static_cast<int64_t>(c.out.upsert_daily_metrics(*c.daily));
    });
    return o;
  });
  auto d = run(p, {kDay}).days[0];
  EXPECT_EQ(step(d, 8).status, StepStatus::SUCCESS);
  EXPECT_EQ(calls, 3);
  ASSERT_EQ(slept.size(), 2u);
  EXPECT_GE(slept[0], 0);  // full jitter: up to 10 s × 2^0
  EXPECT_LE(slept[0], 10);
  EXPECT_GE(slept[1], 0);  // up to 10 s × 2^1
  EXPECT_LE(slept[1], 20);
  EXPECT_EQ(store->day_counts(kDay)["infra_metric_daily"], step(d, 8).rows);
}

TEST_F(PipelineTest, RetriesRunOutThenTheStepFailsAndNothingIsWritten) {
  settings.pipeline.max_retries = 2;
  settings.pipeline.retry_delay_seconds = 0;  // the real sleep, for 0 s
  auto p = pipeline::test_fixture::assemble(settings, *store,
                                            pipeline::test_fixture::test_clock(fixed_now));
  int calls = 0;
  p.override_step(8, [&](Context& c) -> StepOutcome {
    ++calls;
    c.write([&] {
      c.out.upsert_daily_metrics(*c.daily);
      throw TransientError("Can't connect to server (2003)");
    });
    return {};
  });
  auto d = run(p, {kDay}).days[0];
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(step(d, 8).status, StepStatus::FAILED);
  EXPECT_EQ(step(d, 8).message, "Can't connect to server (2003) (gave up after 3 attempts)");
  EXPECT_EQ(store->day_counts(kDay)["infra_metric_daily"], 0);
}

TEST_F(PipelineTest, PermanentFailuresAreNotRetried) {
  auto p = pipeline::test_fixture::assemble(
      settings, *store,
      pipeline::test_fixture::test_clock(fixed_now, [](double) { FAIL() << "no sleep expected"; }));
  int calls = 0;
  p.override_step(4, [&](Context&) -> StepOutcome {
    ++calls;
    throw SourceError("AccessDenied");
  });
  run(p, {kDay});
  EXPECT_EQ(calls, 1);
}

TEST_F(PipelineTest, InventoryFailureSkipsEverythingThatNeedsIt) {
  auto p = pipeline::test_fixture::assemble(settings, *store,
                                            pipeline::test_fixture::test_clock(fixed_now));
  p.override_step(1, [](Context&) -> StepOutcome { throw SourceError("describe failed"); });
  auto d = run(p, {kDay}).days[0];
  EXPECT_EQ(step(d, 1).status, StepStatus::FAILED);
  for (int n : {3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}) {
    EXPECT_EQ(step(d, n).status, StepStatus::SKIPPED) << n;
    EXPECT_TRUE(step(d, n).skipped_by_failure) << n;
  }
  EXPECT_EQ(step(d, 3).message, "step 1 (Inventory Refresh) failed");
  EXPECT_EQ(step(d, 2).status, StepStatus::SKIPPED);
  EXPECT_FALSE(step(d, 2).skipped_by_failure);
  EXPECT_EQ(step(d, 14).status, StepStatus::SUCCESS);
  EXPECT_EQ(store->load_step_log(d.run_id).size(), 14u);
}

TEST_F(PipelineTest, AFailedStepLeavesNoHalfWrittenData) {
  auto p = pipeline::test_fixture::assemble(settings, *store,
                                            pipeline::test_fixture::test_clock(fixed_now));
  p.override_step(8, [](Context& c) -> StepOutcome {
    c.write([&] {
      c.out.upsert_daily_metrics(*c.daily);
      throw StoreError("disk full");
    });
    return {};
  });
  auto d = run(p, {kDay}).days[0];
  EXPECT_EQ(step(d, 8).status, StepStatus::FAILED);
  EXPECT_EQ(store->day_counts(kDay)["infra_metric_daily"], 0);
  EXPECT_EQ(step(d, 9).status, StepStatus::SKIPPED);
}

TEST_F(PipelineTest, ReRunningADayIsIdempotent) {
  auto p = pipeline::test_fixture::assemble(settings, *store,
                                            pipeline::test_fixture::test_clock(fixed_now));
  run(p, {kDay - 1, kDay});
  auto before = store->day_counts(kDay);
  auto scores_before = store->load_anomaly_scores(kDay, kDay);
  run(p, {kDay});
  auto after = store->day_counts(kDay);
  EXPECT_EQ(before["infra_metric_daily"], after["infra_metric_daily"]);
  EXPECT_EQ(before["infra_anomaly_scores"], after["infra_anomaly_scores"]);
  EXPECT_EQ(before["infra_fleet_inventory"], after["infra_fleet_inventory"]);
  auto scores_after = store->load_anomaly_scores(kDay, kDay);
  ASSERT_EQ(scores_before.size(), scores_after.size());
  for (size_t i = 0; i < scores_before.size(); ++i)
    EXPECT_EQ(scores_before[i].value, scores_after[i].value);
}

TEST_F(PipelineTest, RecomputingStepsNineToThirteenGivesTheSameScores) {
  auto p = pipeline::test_fixture::assemble(settings, *store,
                                            pipeline::test_fixture::test_clock(fixed_now));
  run(p, {kDay - 2, kDay - 1, kDay});
  auto original = store->load_anomaly_scores(kDay, kDay);
  auto d = run(p, {kDay}, {9, 10, 11, 12, 13}).days[0];
  EXPECT_EQ(step(d, 1).message, "not selected (--steps)");
  EXPECT_EQ(step(d, 11).status, StepStatus::SUCCESS);
  auto again = store->load_anomaly_scores(kDay, kDay);
  ASSERT_EQ(original.size(), again.size());
  for (size_t i = 0; i < original.size(); ++i) {
    EXPECT_EQ(original[i].value, again[i].value);
    EXPECT_EQ(original[i].mean, again[i].mean);
    EXPECT_EQ(original[i].baseline_days, again[i].baseline_days);
    EXPECT_EQ(original[i].z, again[i].z);
  }
}

TEST_F(PipelineTest, ServiceTypeRestrictsTheRun) {
  auto p = pipeline::test_fixture::assemble(settings, *store,
                                            pipeline::test_fixture::test_clock(fixed_now));
  auto d = run(p, {kDay}, {}, {ServiceType::REDIS}).days[0];
  EXPECT_EQ(step(d, 4).status, StepStatus::SKIPPED);
  EXPECT_EQ(step(d, 4).message, "RDS is not selected for this run");
  const ServiceType rds[] = {ServiceType::RDS};
  EXPECT_TRUE(store->load_daily_metrics(kDay, kDay, rds).empty());
  EXPECT_GT(store->day_counts(kDay)["infra_metric_daily"], 0);
}

TEST_F(PipelineTest, Ec2IsCollectedOnlyWhenEnabled) {
  settings.features.enable_ec2 = true;
  auto p = pipeline::test_fixture::assemble(settings, *store,
                                            pipeline::test_fixture::test_clock(fixed_now));
  auto d = run(p, {kDay}).days[0];
  EXPECT_EQ(step(d, 5).status, StepStatus::SUCCESS);
  const ServiceType ec2[] = {ServiceType::EC2};
  EXPECT_EQ(store->load_daily_metrics(kDay, kDay, ec2).size(), 3u * 8u);
}

TEST_F(PipelineTest, LiveSourceWithoutCollectorsSkipsCollectionWithTheReason) {
  settings.source = Settings::Source::LIVE;
  // No AWS credentials anywhere (and no metadata service to ask).
  for (const char* v : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ROLE_ARN"}) unsetenv(v);
  setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
  setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
  setenv("AWS_CONFIG_FILE", "/nonexistent/config", 1);
  auto p = pipeline::test_fixture::assemble(settings, *store,
                                            pipeline::test_fixture::test_clock(fixed_now));
  auto d = run(p, {kDay}).days[0];
  EXPECT_FALSE(d.failed());
  EXPECT_EQ(step(d, 2).message, "prometheus.url (PROMETHEUS_URL) is not set");
  EXPECT_EQ(step(d, 3).status, StepStatus::SKIPPED);
  EXPECT_NE(step(d, 4).message.find("no AWS credentials found"), std::string::npos)
      << step(d, 4).message;
  EXPECT_EQ(step(d, 1).status, StepStatus::SKIPPED);  // no source at all
  EXPECT_EQ(step(d, 6).message, "no samples were collected in this run");
}

TEST_F(PipelineTest, DryRunWritesNothingAndSaysWhatItWouldWrite) {
  settings.pipeline.dry_run = true;
  auto dry_store = store::open_store(url(dir.file("p.db")), store::OpenMode::DRY_RUN);
  auto p = pipeline::test_fixture::assemble(settings, *dry_store,
                                            pipeline::test_fixture::test_clock(fixed_now));
  auto d = run(p, {kDay}).days[0];
  EXPECT_FALSE(d.failed());
  EXPECT_GT(step(d, 8).writes.at("infra_metric_daily"), 0);
  EXPECT_EQ(step(d, 14).writes.at("infra_monitoring_pipeline_log"), 1);
  auto counts = store->day_counts(kDay);
  EXPECT_EQ(counts["infra_metric_daily"], 0);
  EXPECT_EQ(counts["infra_monitoring_pipeline_log"], 0);
  EXPECT_EQ(counts["infra_fleet_inventory"], 0);
}

TEST_F(PipelineTest, ASecondRunOnTheSameDatabaseIsRefused) {
  auto held = store->acquire_run_lock("pid 1 on test-host");
  auto p = pipeline::test_fixture::assemble(settings, *store,
                                            pipeline::test_fixture::test_clock(fixed_now));
  EXPECT_THROW(run(p, {kDay}), LockBusyError);
  EXPECT_EQ(store->day_counts(kDay)["infra_metric_daily"], 0);
}

TEST_F(PipelineTest, BackfillRunsDaysInOrderEachWithItsOwnRun) {
  auto p = pipeline::test_fixture::assemble(settings, *store,
                                            pipeline::test_fixture::test_clock(fixed_now));
  auto r = run(p, {kDay - 2, kDay - 1, kDay});
  ASSERT_EQ(r.days.size(), 3u);
  EXPECT_EQ(r.days[0].day, kDay - 2);
  EXPECT_EQ(r.days[2].day, kDay);
  EXPECT_NE(r.days[0].run_id, r.days[1].run_id);
  for (Day d : {kDay - 2, kDay - 1, kDay})
    EXPECT_EQ(store->day_counts(d)["infra_monitoring_pipeline_log"], 14);
}

}  // namespace
}  // namespace im::pipeline
