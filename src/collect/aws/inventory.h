// Step 1 from AWS (guide 6.4), every page of each API:
// - RDS instances: DescribeDBInstances (without its DocumentDB and Neptune instances), with
//   their Aurora cluster and role from DescribeDBClusters;
// - EC2 instances (ENABLE_EC2): DescribeInstances;
// - ElastiCache Redis nodes (DescribeCacheClusters): service REDIS, instance_id the node's
//   endpoint "address:port" (the cluster id when the API gives no endpoint), so a node that is
//   also a Prometheus target is one instance; memcached clusters are not Redis and are left out;
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

// Aurora cluster membership: instance id -> (cluster id, is the writer).
using ClusterMembers = std::map<std::string, std::pair<std::string, bool>>;

// The readers of one page of the describe APIs' XML answers, whatever the XML holds (a missing
// element reads as empty; instances without an id are left out). Exposed for the fuzz targets.
void read_cluster_members(const pugi::xml_document& page, ClusterMembers& out);
void read_db_instances(const pugi::xml_document& page, const std::string& region,
                       const ClusterMembers& clusters, std::vector<Instance>& out);
void read_ec2_instances(const pugi::xml_document& page, const std::string& region,
                        std::vector<Instance>& out);

struct InventoryOptions {
  int page_size = 100;  // MaxRecords / MaxResults
};

class AwsInventory final : public InventorySource {
 public:
  AwsInventory(const AwsOptions& opts, CredentialsProvider& credentials, InventoryOptions io = {});
  std::vector<Instance> discover(Day day, std::span<const ServiceType> services) override;
  std::vector<std::string> take_notes() override { return std::move(notes_); }
  Traffic traffic() const;

 private:
  std::vector<Instance> rds();
  ClusterMembers cluster_members();
  std::vector<Instance> ec2();
  std::vector<Instance> from_metrics(ServiceType service);
  std::vector<Instance> elasticache();
  std::string region_;
  InventoryOptions io_;
  QueryClient rds_, ec2_, monitoring_, elasticache_;
  std::vector<std::string> notes_;
};

}  // namespace im::collect::aws
