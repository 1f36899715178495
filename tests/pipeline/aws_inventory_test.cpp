// Step 1 from AWS against the moto server: every page of RDS instances and EC2 reservations,
// a deleted instance DECOMMISSIONED the next day, operators' manual rows kept.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <set>

#include <algorithm>
#include <cmath>
#include "moto_test_util.h"

#include "collect/aws/cloudwatch.h"
#include "collect/aws/inventory.h"
#include "core/catalog.h"
#include "pipeline/pipeline.h"
#include "pipeline/pipeline_fixture.h"
#include "store/store.h"
#include "test_util.h"

namespace im::pipeline {
namespace {

using test::moto_url;

using test::live_aws;
constexpr auto seed = test::seed_moto;

const StepResult& step(const DayResult& d, int num) {
  return d.steps.at(static_cast<size_t>(num - 1));
}

TEST(AwsInventory, EveryPageIsReadAndDeletedInstancesAreRetired) {
  const std::string region = "eu-west-3";  // moto keeps regions apart: this test's own
  seed(region, "inventory 110 3");  // RDS: two pages of 100 + Aurora; EC2: 3 reservations of 2
  test::TempDir dir;
  std::string why;
  auto store = store::open_store(*parse_storage_url("sqlite://" + dir.file("a.db"), why));
  const Day day = *Day::parse("2026-11-20");
  Instance manual;
  manual.service = ServiceType::RDS;
  manual.id = manual.name = "legacy-db-outside-aws";
  manual.source = "manual";
  store->begin();
  store->upsert_inventory(std::vector<Instance>{manual}, day - 10);
  store->commit();

  Settings s = live_aws(region);
  s.features.enable_ec2 = true;
  auto run_day = [&](Day d) {
    auto p = pipeline::test_fixture::assemble(
        s, *store, pipeline::test_fixture::test_clock([d] { return (d + 1).start_unix() + 3600; }));
    RunOptions o;
    o.days = {d};
    o.steps = {1};
    return p.run(o).days.at(0);
  };
  auto first = run_day(day);
  EXPECT_EQ(step(first, 1).status, StepStatus::SUCCESS) << step(first, 1).message;
  EXPECT_NE(step(first, 1).message.find("120 instances seen"), std::string::npos)
      << step(first, 1).message;

  std::map<std::string, store::InventoryRow> inv;
  for (auto& r : store->load_inventory()) inv[r.instance.id] = r;
  int rds = 0, ec2 = 0, redis = 0;
  for (const auto& [id, r] : inv) {
    if (r.instance.source != "aws") continue;
    rds += r.instance.service == ServiceType::RDS;
    ec2 += r.instance.service == ServiceType::EC2;
    redis += r.instance.service == ServiceType::REDIS;
    EXPECT_EQ(r.instance.region, region);
  }
  EXPECT_EQ(rds, 112);  // 110 + the Aurora writer and reader
  EXPECT_EQ(ec2, 6);
  EXPECT_EQ(redis, 2);  // the Redis clusters; memcached is not Redis
  // moto reports no node endpoints: the cluster id names the instance.
  EXPECT_EQ(inv["sessions-001"].instance.instance_class, "cache.r6g.large");
  EXPECT_EQ(inv["sessions-001"].instance.tags["cluster"], "sessions-001");
  EXPECT_FALSE(inv.count("pages-memcached"));
  EXPECT_EQ(inv["rds-seed-007"].instance.instance_class, "db.r6g.large");
  EXPECT_EQ(inv["rds-seed-007"].instance.allocated_storage_gb, 107);
  EXPECT_EQ(inv["rds-seed-007"].instance.name, "orders-007");
  EXPECT_EQ(inv["aurora-orders-0"].instance.tags["cluster"], "aurora-orders");
  EXPECT_EQ(inv["aurora-orders-0"].instance.tags["role"], "writer");
  EXPECT_EQ(inv["aurora-orders-1"].instance.tags["role"], "reader");
  EXPECT_FALSE(inv["rds-seed-007"].instance.tags.count("cluster"));

  seed(region, "delete-rds rds-seed-042");
  auto second = run_day(day + 1);
  EXPECT_EQ(step(second, 1).status, StepStatus::SUCCESS) << step(second, 1).message;
  inv.clear();
  for (auto& r : store->load_inventory()) inv[r.instance.id] = r;
  EXPECT_EQ(inv["rds-seed-042"].status, InstanceStatus::DECOMMISSIONED);
  EXPECT_EQ(inv["rds-seed-042"].last_seen, day);
  EXPECT_EQ(inv["rds-seed-041"].status, InstanceStatus::ACTIVE);
  EXPECT_EQ(inv["legacy-db-outside-aws"].status, InstanceStatus::ACTIVE);  // manual rows are kept
  EXPECT_EQ(step(second, 4).status, StepStatus::SKIPPED);
}

// The values seed_moto.py puts (the same formula): exact in binary.
double seeded(int instance, int metric_index, int slot) {
  return 10 + instance * 3 + metric_index + (slot % 17) * 0.5;
}

// The 14 AWS/RDS metrics as seed_moto.py numbers them (sorted).
const std::vector<std::string> kRdsMetrics = {"CPUUtilization",
                                              "DatabaseConnections",
                                              "DiskQueueDepth",
                                              "FreeStorageSpace",
                                              "FreeableMemory",
                                              "NetworkReceiveThroughput",
                                              "NetworkTransmitThroughput",
                                              "ReadIOPS",
                                              "ReadLatency",
                                              "ReadThroughput",
                                              "SwapUsage",
                                              "WriteIOPS",
                                              "WriteLatency",
                                              "WriteThroughput"};

bool close(double a, double b) {
  return std::fabs(a - b) <= 1e-9 * std::fabs(b) + 1e-15;
}

// Every stored row of the seeded instances equals what the test computes from what it put:
// one value every 30 minutes (6 slots), a day of 48. Returns the rows checked.
int check_seeded_rows(store::Store& store, Day day, const std::string& p95_method) {
  int checked = 0;
  const std::vector<ServiceType> rds = {ServiceType::RDS};
  for (const auto& m : store.load_daily_metrics(day, day, rds)) {
    EXPECT_TRUE(m.instance_id == "rds-seed-000" || m.instance_id == "rds-seed-001")
        << m.instance_id;
    const int inst = m.instance_id.back() - '0';
    const MetricDef* def = find_metric(ServiceType::RDS, m.metric);
    if (!def) {
      ADD_FAILURE() << m.metric;
      continue;
    }
    const int mi = static_cast<int>(
        std::find(kRdsMetrics.begin(), kRdsMetrics.end(), std::string(def->input)) -
        kRdsMetrics.begin());
    double factor = def->scale;
    if (def->derivation == Derivation::STORAGE_PCT)
      factor = 100.0 / ((100.0 + inst) * double(1ULL << 30));  // allocated 100 + i GiB
    std::vector<double> v;
    for (int slot = 0; slot < 288; slot += 6) v.push_back(seeded(inst, mi, slot) * factor);
    std::sort(v.begin(), v.end());
    double sum = 0;
    for (double x : v) sum += x;
    const double pos = 0.95 * static_cast<double>(v.size() - 1);
    const size_t lo = static_cast<size_t>(pos);
    const double p95 = v[lo] + (pos - static_cast<double>(lo)) * (v[lo + 1] - v[lo]);
    EXPECT_TRUE(close(m.avg, sum / static_cast<double>(v.size())))
        << m.instance_id << " " << m.metric << " " << m.avg;
    EXPECT_TRUE(close(m.min, v.front())) << m.metric;
    EXPECT_TRUE(close(m.max, v.back())) << m.metric;
    EXPECT_TRUE(close(m.p95, p95)) << m.metric << " " << m.p95 << " vs " << p95;
    EXPECT_EQ(m.p95_method, p95_method) << m.metric;
    EXPECT_EQ(m.sample_count, 48);
    EXPECT_EQ(m.source, "cloudwatch");
    ++checked;
  }
  return checked;
}

TEST(AwsCloudWatch, DailyStatisticsEqualWhatWasPut) {
  const std::string region = "us-west-2";
  const Day day = *Day::parse("2026-11-20");
  seed(region, "inventory 8 0");  // 8 + 2 Aurora = 10 instances x 14 metrics
  seed(region, "metrics " + std::to_string(day.start_unix()) + " 2 6");
  test::TempDir dir;
  std::string why;
  auto store = store::open_store(*parse_storage_url("sqlite://" + dir.file("c.db"), why));
  Settings s = live_aws(region);
  s.aws.max_attempts = 2;  // moto refuses p95 with HTTP 500: tried twice, then the fallback
  std::vector<double> slept;
  auto p = pipeline::test_fixture::assemble(
      s, *store,
      pipeline::test_fixture::test_clock([day] { return (day + 1).start_unix() + 3600; },
                                         [&](double x) { slept.push_back(x); }));
  RunOptions o;
  o.days = {day};
  o.steps = {1, 4, 5, 6, 7, 8};
  auto d = p.run(o).days.at(0);
  EXPECT_EQ(step(d, 4).status, StepStatus::SUCCESS) << step(d, 4).message;
  EXPECT_NE(step(d, 4).message.find("RDS: 10 instances, 28 daily statistics, 1344 samples"),
            std::string::npos)
      << step(d, 4).message;
  EXPECT_EQ(step(d, 5).status, StepStatus::SKIPPED);
  EXPECT_EQ(step(d, 5).message.rfind("ENABLE_EC2 is false", 0), 0u) << step(d, 5).message;
  EXPECT_EQ(step(d, 8).status, StepStatus::SUCCESS) << step(d, 8).message;
  // 15 catalog metrics (free_storage_pct derived) per instance with data.
  EXPECT_EQ(check_seeded_rows(*store, day, "averages_300s"), 2 * 15);
  for (const auto& m : store->load_daily_metrics(day, day, {}))
    EXPECT_EQ(m.expected_samples, 1440);  // RDS publishes once a minute
  ASSERT_EQ(slept.size(), 1u);            // the one retry of the refused p95
  EXPECT_LE(slept[0], 1.0);               // full jitter: up to the 1 s base
}

TEST(AwsCloudWatch, QueriesSplitAt500AndP95FallsBackOnce) {
  const std::string region = "ca-central-1";
  const Day day = *Day::parse("2026-11-20");
  seed(region, "inventory 8 0");
  seed(region, "metrics " + std::to_string(day.start_unix()) + " 2 6");
  collect::aws::AwsOptions ao;
  ao.region = region;
  ao.endpoint_url = moto_url();
  ao.environment = {{"AWS_ACCESS_KEY_ID", "a"}, {"AWS_SECRET_ACCESS_KEY", "b"}};
  ao.max_attempts = 1;
  auto creds = collect::aws::default_credentials_chain(ao);
  collect::aws::AwsInventory inventory(ao, *creds);
  const std::vector<ServiceType> rds = {ServiceType::RDS};
  auto instances = inventory.discover(day, rds);
  ASSERT_EQ(instances.size(), 10u);

  collect::aws::CloudWatchSource cw(ao, *creds, {}, [](double) {});
  auto got = cw.collect(day, ServiceType::RDS, instances);
  EXPECT_EQ(got.daily.size(), 28u);  // no datapoint, no row: never a zero
  EXPECT_TRUE(got.missing.empty());
  // 10 x 14 x 4 = 560 statistics in 2 requests, 28 p95 in 1 (refused), 28 averages in 1.
  EXPECT_EQ(cw.traffic().requests, 4);
  ASSERT_EQ(got.notes.size(), 1u);
  EXPECT_NE(got.notes[0].find("p95 comes from the day's 300-second averages"), std::string::npos)
      << got.notes[0];
  // The refusal is remembered for the run: no p95 request the second time.
  auto again = cw.collect(day, ServiceType::RDS, instances);
  EXPECT_EQ(again.daily.size(), 28u);
  EXPECT_EQ(cw.traffic().requests, 4 + 3);
  EXPECT_TRUE(again.notes.empty());

  // The Query protocol (form and XML) gets the same numbers in as many requests.
  collect::aws::CloudWatchOptions qo;
  qo.json_protocol = false;
  collect::aws::CloudWatchSource query(ao, *creds, qo, [](double) {});
  auto same = query.collect(day, ServiceType::RDS, instances);
  ASSERT_EQ(same.daily.size(), got.daily.size());
  for (size_t k = 0; k < got.daily.size(); ++k) {
    EXPECT_EQ(same.daily[k].instance_id, got.daily[k].instance_id);
    EXPECT_EQ(same.daily[k].source_metric, got.daily[k].source_metric);
    EXPECT_DOUBLE_EQ(same.daily[k].avg, got.daily[k].avg);
    EXPECT_DOUBLE_EQ(same.daily[k].p95, got.daily[k].p95);
    EXPECT_EQ(same.daily[k].sample_count, got.daily[k].sample_count);
  }
  EXPECT_EQ(query.traffic().requests, 4);

  // cloudwatch.metrics restricts a service to the metrics it lists.
  collect::aws::CloudWatchOptions two;
  two.percentiles = false;
  two.only[ServiceType::RDS] = {"CPUUtilization", "FreeStorageSpace"};
  collect::aws::CloudWatchSource some(ao, *creds, two, [](double) {});
  auto few = some.collect(day, ServiceType::RDS, instances);
  std::set<std::string> metrics;
  for (const auto& d : few.daily) metrics.insert(d.source_metric);
  EXPECT_EQ(metrics, (std::set<std::string>{"CPUUtilization", "FreeStorageSpace"}));
  EXPECT_EQ(few.daily.size(), 4u);
  EXPECT_EQ(some.traffic().requests, 2);  // 10 x 2 x 4 statistics, then 4 x 5-minute averages

  // With period_seconds 300 the day's 5-minute averages come as series instead.
  collect::aws::CloudWatchOptions co;
  co.period_seconds = 300;
  collect::aws::CloudWatchSource five(ao, *creds, co, [](double) {});
  auto series = five.collect(day, ServiceType::RDS, instances);
  EXPECT_EQ(series.series.size(), 28u);
  EXPECT_TRUE(series.daily.empty());
  EXPECT_EQ(five.traffic().requests, 1);  // 140 queries
}

}  // namespace
}  // namespace im::pipeline
