#include "collect/aws/services.h"

namespace im::collect::aws {

const CloudWatchService* cloudwatch_service(ServiceType s) {
  using S = ServiceType;
  static const CloudWatchService kServices[] = {
      {S::RDS, "AWS/RDS", {"DBInstanceIdentifier"}, 60, ""},
      {S::DOCDB, "AWS/DocDB", {"DBInstanceIdentifier"}, 60, "CPUUtilization"},
      {S::EC2, "AWS/EC2", {"InstanceId"}, 300, ""},
      {S::EKS, "ContainerInsights", {"ClusterName"}, 60, "cluster_node_count"},
      {S::MSK, "AWS/Kafka", {"Cluster Name", "Broker ID"}, 60, "CpuUser"},
      {S::OPENSEARCH, "AWS/ES", {"DomainName", "ClientId"}, 60, "CPUUtilization"},
      {S::EMR, "AWS/ElasticMapReduce", {"JobFlowId"}, 300, "IsIdle"},
  };
  for (const auto& d : kServices)
    if (d.service == s) return &d;
  return nullptr;
}

std::vector<std::string> dimension_values(const CloudWatchService& def, const std::string& id) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t k = 0; k < def.dimensions.size(); ++k) {
    const bool last = k + 1 == def.dimensions.size();
    const size_t end = last ? id.size() : id.find('/', start);
    if (end == std::string::npos) return {};
    out.push_back(id.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace im::collect::aws
