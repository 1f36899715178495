// Step 1 from AWS (guide 6.4), every page of each API:
// - RDS instances: DescribeDBInstances (without its DocumentDB and Neptune instances), with
//   their Aurora cluster and role from DescribeDBClusters;
// - EC2 instances (ENABLE_EC2): DescribeInstances;
// - DocumentDB instances, EKS clusters, MSK brokers, OpenSearch domains and EMR clusters: the
//   dimension values of one of their metrics in CloudWatch ListMetrics (metrics with data in
//   the last two weeks), so these need no API of their own and no IAM beyond CloudWatch's.
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
  std::vector<Instance> from_metrics(ServiceType service);
  std::string region_;
  InventoryOptions io_;
  QueryClient rds_, ec2_, monitoring_;
};

}  // namespace im::collect::aws
