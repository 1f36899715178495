// The readers of the AWS describe APIs' XML answers (RDS DescribeDBClusters and
// DescribeDBInstances, EC2 DescribeInstances): any XML pugixml accepts must read as instances
// or nothing; never a crash.
#include <cstdint>
#include <pugixml.hpp>

#include "collect/aws/inventory.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pugi::xml_document doc;
  if (!doc.load_buffer(data, size)) return 0;
  im::collect::aws::ClusterMembers clusters;
  im::collect::aws::read_cluster_members(doc, clusters);
  std::vector<im::Instance> out;
  im::collect::aws::read_db_instances(doc, "us-east-1", clusters, out);
  im::collect::aws::read_ec2_instances(doc, "us-east-1", out);
  return 0;
}
