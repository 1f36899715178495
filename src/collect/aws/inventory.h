// Step 1 from AWS (guide 6.4): RDS instances (DescribeDBInstances, with their Aurora cluster
// and role from DescribeDBClusters) and, with ENABLE_EC2, EC2 instances (DescribeInstances),
// every page.
#pragma once

#include <map>
#include <string>
#include <utility>

#include "collect/aws/client.h"
#include "collect/source.h"

namespace im::collect::aws {

struct InventoryOptions {
  int page_size = 100;  // MaxRecords / MaxResults
};

class AwsInventory final : public InventorySource {
 public:
  AwsInventory(const AwsOptions& opts, CredentialsProvider& credentials, InventoryOptions io = {});
  std::vector<Instance> discover(Day day, std::span<const ServiceType> services) override;
  Traffic traffic() const;

 private:
  std::vector<Instance> rds();
  std::map<std::string, std::pair<std::string, bool>> cluster_members();
  std::vector<Instance> ec2();
  std::string region_;
  InventoryOptions io_;
  QueryClient rds_, ec2_;
};

}  // namespace im::collect::aws
