// Step 1 from AWS against the moto server: every page of RDS instances and EC2 reservations,
// a deleted instance DECOMMISSIONED the next day, operators' manual rows kept.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>

#include "moto_test_util.h"
#include "pipeline/pipeline.h"
#include "store/store.h"
#include "test_util.h"

namespace im::pipeline {
namespace {

using test::moto_url;

void seed(const std::string& region, const std::string& args) {
  const std::string cmd = "python3 " + test::data_dir().parent_path().string() +
                          "/harness/seed_moto.py " + moto_url() + " " + region + " " + args;
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

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

  Settings s;
  s.source = "live";
  s.cloudwatch.region = region;
  s.aws.endpoint_url = moto_url();
  s.aws.access_key_id = "AKIDTEST";
  s.aws.secret_access_key = "test-secret";
  s.features.enable_ec2 = true;
  s.pipeline.max_retries = 0;
  auto run_day = [&](Day d) {
    Pipeline p(s, *store, [d] { return (d + 1).start_unix() + 3600; });
    RunOptions o;
    o.days = {d};
    o.steps = {1};
    return p.run(o).days.at(0);
  };
  auto first = run_day(day);
  EXPECT_EQ(step(first, 1).status, StepStatus::SUCCESS) << step(first, 1).message;
  EXPECT_NE(step(first, 1).message.find("118 instances seen"), std::string::npos)
      << step(first, 1).message;

  std::map<std::string, store::InventoryRow> inv;
  for (auto& r : store->load_inventory()) inv[r.instance.id] = r;
  int rds = 0, ec2 = 0;
  for (const auto& [id, r] : inv) {
    if (r.instance.source != "aws") continue;
    rds += r.instance.service == ServiceType::RDS;
    ec2 += r.instance.service == ServiceType::EC2;
    EXPECT_EQ(r.instance.region, region);
  }
  EXPECT_EQ(rds, 112);  // 110 + the Aurora writer and reader
  EXPECT_EQ(ec2, 6);
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
  EXPECT_EQ(inv["rds-seed-042"].status, "DECOMMISSIONED");
  EXPECT_EQ(inv["rds-seed-042"].last_seen, day);
  EXPECT_EQ(inv["rds-seed-041"].status, "ACTIVE");
  EXPECT_EQ(inv["legacy-db-outside-aws"].status, "ACTIVE");  // manual rows are kept
  EXPECT_EQ(step(second, 4).status, StepStatus::SKIPPED);
}

}  // namespace
}  // namespace im::pipeline
