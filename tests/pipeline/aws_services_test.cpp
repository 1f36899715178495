// The services a user switches on in cloudwatch.services, against moto: DocumentDB instances,
// EKS clusters and MSK brokers from the dimensions of their metrics in ListMetrics
// (finer-grained series ignored), and their daily statistics collected in step 5.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <map>

#include "moto_test_util.h"
#include "pipeline/pipeline.h"
#include "pipeline/pipeline_fixture.h"
#include "store/store.h"
#include "test_util.h"

namespace im::pipeline {
namespace {

// seed_moto.py's value formula, and the day's mean of a series it put every 6th slot.
double day_mean(int base) {
  double sum = 0;
  int n = 0;
  for (int slot = 0; slot < 288; slot += 6, ++n) sum += 10 + base * 3 + (slot % 17) * 0.5;
  return sum / n;
}

TEST(AwsServices, DocdbEksAndMskAreDiscoveredAndCollected) {
  const std::string region = "eu-central-1";
  const Day day = *Day::parse("2026-11-20");
  test::seed_moto(region, "others " + std::to_string(day.start_unix()));

  Settings s = test::live_aws(region);
  s.aws.max_attempts = 1;
  s.cloudwatch.services = {"RDS", "DOCDB", "EKS", "MSK"};
  test::TempDir dir;
  std::string why;
  auto store = store::open_store(*parse_storage_url("sqlite://" + dir.file("o.db"), why));
  auto p = pipeline::test_fixture::assemble(s, *store, pipeline::test_fixture::test_clock([day] {
                                              return (day + 1).start_unix() + 3600;
                                            }));
  RunOptions o;
  o.days = {day};
  o.steps = {1, 4, 5, 6, 7, 8};
  auto d = p.run(o).days.at(0);
  for (int n : {1, 5, 8})
    EXPECT_EQ(d.steps.at(n - 1).status, StepStatus::SUCCESS) << n << d.steps.at(n - 1).message;
  EXPECT_EQ(d.steps.at(3).status, StepStatus::SUCCESS) << d.steps.at(3).message;  // no RDS here

  std::map<std::string, ServiceType> inv;
  for (const auto& r : store->load_inventory()) inv[r.instance.id] = r.instance.service;
  const std::map<std::string, ServiceType> expected = {{"docdb-orders-0", ServiceType::DOCDB},
                                                       {"shop-eks", ServiceType::EKS},
                                                       {"orders-kafka/1", ServiceType::MSK},
                                                       {"orders-kafka/2", ServiceType::MSK}};
  EXPECT_EQ(inv, expected);  // no topic- or node-level "instance"

  std::map<std::string, double> avg;
  for (const auto& m : store->load_daily_metrics(day, day, {}))
    avg[std::string(to_string(m.service)) + " " + m.instance_id + " " + m.metric] = m.avg;
  const std::map<std::string, double> want = {
      {"DOCDB docdb-orders-0 cpu_utilization", day_mean(1)},
      {"MSK orders-kafka/1 cpu_user", day_mean(3)},
      {"MSK orders-kafka/2 cpu_user", day_mean(4)},
      {"MSK orders-kafka/1 kafka_data_logs_disk_used", day_mean(6)},
      {"MSK orders-kafka/2 kafka_data_logs_disk_used", day_mean(7)},
      {"EKS shop-eks cluster_node_count", day_mean(10)},
      {"EKS shop-eks node_cpu_utilization", day_mean(11)}};
  ASSERT_EQ(avg.size(), want.size());
  for (const auto& [k, v] : want) {
    ASSERT_TRUE(avg.count(k)) << k;
    EXPECT_NEAR(avg[k], v, 1e-9 * v) << k;
  }
}

}  // namespace
}  // namespace im::pipeline
