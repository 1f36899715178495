// Steps 4-5 under AWS faults, through a fault-injecting proxy written for the tests
// (tests/collect/faulty_aws_proxy.h) in front of the moto server: throttling and 503 are
// retried with backoff and shrink the batch; a refused key fails fast; a batch that never
// answers costs only its instances, and the step says which.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "collect/faulty_aws_proxy.h"
#include "log_capture.h"
#include "moto_test_util.h"
#include "pipeline/pipeline.h"
#include "pipeline/pipeline_fixture.h"
#include "store/store.h"
#include "test_util.h"

namespace im::pipeline {
namespace {

using collect::aws::aws_error;
using collect::aws::Fault;
using collect::aws::FaultyAwsProxy;
using collect::aws::SeenRequest;
using test::moto_url;

constexpr auto seed = test::seed_moto;

struct Run {
  DayResult day;
  std::vector<double> slept;
  std::unique_ptr<store::Store> store;
};

// Steps 1, 4, 6-8 of `day` in `region` through `proxy`.
Run run_through(FaultyAwsProxy& proxy, const std::string& region, Day day, int batch_size,
                int max_attempts, const std::string& db) {
  Settings s = test::live_aws(region, proxy.url());
  s.aws.secret_access_key = "fault-test-secret";
  s.aws.max_attempts = max_attempts;
  s.cloudwatch.batch_size = batch_size;
  s.cloudwatch.statistics = {"Average", "Maximum", "Minimum"};  // p95 from 5-min averages
  Run r;
  std::string why;
  r.store = store::open_store(*parse_storage_url("sqlite://" + db, why));
  auto p = pipeline::test_fixture::assemble(
      s, *r.store,
      pipeline::test_fixture::test_clock([day] { return (day + 1).start_unix() + 3600; },
                                         [&](double x) { r.slept.push_back(x); }));
  RunOptions o;
  o.days = {day};
  o.steps = {1, 4, 6, 7, 8};
  r.day = p.run(o).days.at(0);
  return r;
}

const StepResult& step(const DayResult& d, int num) {
  return d.steps.at(static_cast<size_t>(num - 1));
}

TEST(AwsFaults, ThrottlingBacksOffShrinksTheBatchAndCompletes) {
  const std::string region = "ap-southeast-1";
  const Day day = *Day::parse("2026-11-20");
  seed(region, "inventory 12 0");  // 14 instances x 14 metrics x 4 statistics = 784 queries
  seed(region, "metrics " + std::to_string(day.start_unix()) + " 1 6");
  int metric_requests = 0;
  FaultyAwsProxy proxy(moto_url(), [&](int, const SeenRequest& r) -> std::optional<Fault> {
    if (r.action != "GetMetricData") return std::nullopt;
    ++metric_requests;
    if (metric_requests <= 3) return aws_error(400, "Throttling", "Rate exceeded");
    if (metric_requests == 4) return aws_error(503, "ServiceUnavailable", "try again");
    return std::nullopt;
  });
  test::TempDir dir;
  test::LogCapture log;
  auto r = run_through(proxy, region, day, 50, 5, dir.file("t.db"));
  EXPECT_EQ(step(r.day, 4).status, StepStatus::SUCCESS) << step(r.day, 4).message;
  // The day's API traffic, for the bill: every attempt is a request; the test proxy keeps a
  // connection for 5 requests.
  EXPECT_NE(log.text().find("info [2026-11-20] CloudWatch: 8 requests over 2 new connections, "
                            "0.5 MB sent, 0.1 MB received, 4 retried (3 throttled)"),
            std::string::npos)
      << log.text();
  EXPECT_EQ(step(r.day, 8).status, StepStatus::SUCCESS) << step(r.day, 8).message;
  EXPECT_EQ(r.store->load_daily_metrics(day, day, {}).size(), 15u);  // the seeded instance

  // Four retries of the first request, each a full-jitter wait under its ceiling.
  ASSERT_EQ(r.slept.size(), 4u);
  const double ceiling[] = {1, 2, 4, 8};
  for (size_t k = 0; k < 4; ++k) {
    EXPECT_GE(r.slept[k], 0);
    EXPECT_LE(r.slept[k], ceiling[k]);
  }
  // The first request (500 queries, tried five times) was throttled: the next one carries
  // half as many, and each unthrottled request grows the batch again by 50.
  auto gmd = proxy.seen("GetMetricData");
  ASSERT_EQ(gmd.size(), 8u);
  for (size_t k = 0; k < 5; ++k) EXPECT_EQ(gmd[k].metric_queries, 500) << k;
  EXPECT_EQ(gmd[5].metric_queries, 250);
  EXPECT_EQ(gmd[6].metric_queries, 34);  // the rest of the 784
  EXPECT_EQ(gmd[7].metric_queries, 14);  // 5-minute averages of the seeded instance (p95)
}

TEST(AwsFaults, ARefusedKeyFailsFastWithAClearMessage) {
  const std::string region = "ap-southeast-2";
  seed(region, "inventory 0 0");  // the Aurora writer and reader
  FaultyAwsProxy proxy(moto_url(), [&](int, const SeenRequest& r) -> std::optional<Fault> {
    if (r.action != "GetMetricData") return std::nullopt;
    return aws_error(403, "AccessDenied",
                     "User: arn:aws:iam::123456789012:user/monitor is not authorized to perform: "
                     "cloudwatch:GetMetricData");
  });
  test::TempDir dir;
  auto r = run_through(proxy, region, *Day::parse("2026-11-20"), 50, 5, dir.file("f.db"));
  const auto& s4 = step(r.day, 4);
  EXPECT_EQ(s4.status, StepStatus::FAILED);
  EXPECT_FALSE(s4.partial);
  EXPECT_NE(s4.message.find("monitoring GetMetricData"), std::string::npos) << s4.message;
  EXPECT_NE(s4.message.find("HTTP 403: AccessDenied"), std::string::npos) << s4.message;
  EXPECT_NE(s4.message.find("check the AWS credentials and the IAM policy"), std::string::npos);
  EXPECT_EQ(s4.message.find("fault-test-secret"), std::string::npos);
  EXPECT_EQ(proxy.seen("GetMetricData").size(), 1u);  // no retry of a refusal
  EXPECT_TRUE(r.slept.empty());
}

TEST(AwsFaults, LostInstancesAreNamedAndTheOthersStored) {
  const std::string region = "ap-northeast-1";
  const Day day = *Day::parse("2026-11-20");
  seed(region, "inventory 2 0");  // rds-seed-000, -001 and the two Aurora instances
  seed(region, "metrics " + std::to_string(day.start_unix()) + " 2 6");
  // Every request that asks about rds-seed-001 fails: its batch is lost after 2 attempts.
  FaultyAwsProxy proxy(moto_url(), [&](int, const SeenRequest& r) -> std::optional<Fault> {
    if (r.action == "GetMetricData" && r.body.find("rds-seed-001") != std::string::npos)
      return aws_error(503, "ServiceUnavailable", "try again");
    return std::nullopt;
  });
  test::TempDir dir;
  auto r = run_through(proxy, region, day, 1, 2, dir.file("m.db"));  // one instance a request
  const auto& s4 = step(r.day, 4);
  EXPECT_EQ(s4.status, StepStatus::FAILED);
  EXPECT_TRUE(s4.partial);
  EXPECT_NE(s4.message.find("1 of 4 instances missing (RDS/rds-seed-001)"), std::string::npos)
      << s4.message;
  EXPECT_NE(s4.message.find("ServiceUnavailable"), std::string::npos) << s4.message;
  // The others went on to be stored; the day is FAILED (exit 1), never silently partial.
  EXPECT_EQ(step(r.day, 8).status, StepStatus::SUCCESS) << step(r.day, 8).message;
  auto rows = r.store->load_daily_metrics(day, day, {});
  EXPECT_EQ(rows.size(), 15u);
  for (const auto& m : rows) EXPECT_EQ(m.instance_id, "rds-seed-000");
  EXPECT_TRUE(r.day.failed());
}

}  // namespace
}  // namespace im::pipeline
