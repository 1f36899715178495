#include "collect/aws/inventory.h"

#include <algorithm>
#include <cstdlib>
#include <map>

namespace im::collect::aws {

AwsInventory::AwsInventory(const AwsOptions& opts, CredentialsProvider& credentials,
                           InventoryOptions io)
    : region_(opts.region),
      io_(io),
      rds_("rds", "RDS", "2014-10-31", opts, &credentials),
      ec2_("ec2", "EC2", "2016-11-15", opts, &credentials) {}

Traffic AwsInventory::traffic() const {
  Traffic t = rds_.traffic();
  t.requests += ec2_.traffic().requests;
  t.bytes_sent += ec2_.traffic().bytes_sent;
  t.bytes_received += ec2_.traffic().bytes_received;
  return t;
}

// Aurora: cluster membership and role of each member instance (DescribeDBClusters).
std::map<std::string, std::pair<std::string, bool>> AwsInventory::cluster_members() {
  std::map<std::string, std::pair<std::string, bool>> out;  // instance -> (cluster, writer)
  std::string marker;
  do {
    std::vector<std::pair<std::string, std::string>> params = {
        {"MaxRecords", std::to_string(io_.page_size)}};
    if (!marker.empty()) params.emplace_back("Marker", marker);
    auto doc = rds_.call("DescribeDBClusters", params);
    for (auto x : doc.select_nodes("//DBClusters/DBCluster")) {
      const std::string cluster = x.node().child_value("DBClusterIdentifier");
      for (auto m : x.node().child("DBClusterMembers").children("DBClusterMember"))
        out[m.child_value("DBInstanceIdentifier")] = {
            cluster, std::string(m.child_value("IsClusterWriter")) == "true"};
    }
    marker = doc.select_node("//DescribeDBClustersResult/Marker").node().child_value();
  } while (!marker.empty());
  return out;
}

std::vector<Instance> AwsInventory::rds() {
  const auto clusters = cluster_members();
  std::vector<Instance> out;
  std::string marker;
  do {
    std::vector<std::pair<std::string, std::string>> params = {
        {"MaxRecords", std::to_string(io_.page_size)}};
    if (!marker.empty()) params.emplace_back("Marker", marker);
    auto doc = rds_.call("DescribeDBInstances", params);
    for (auto x : doc.select_nodes("//DBInstances/DBInstance")) {
      pugi::xml_node n = x.node();
      Instance i;
      i.service = ServiceType::RDS;
      i.id = n.child_value("DBInstanceIdentifier");
      i.name = i.id;
      i.instance_class = n.child_value("DBInstanceClass");
      i.engine = std::string(n.child_value("Engine")) + " " + n.child_value("EngineVersion");
      i.region = region_;
      i.allocated_storage_gb = std::atof(n.child_value("AllocatedStorage"));
      i.source = "aws";
      i.tags["status"] = n.child_value("DBInstanceStatus");
      for (auto t : n.child("TagList").children("Tag"))
        if (std::string(t.child_value("Key")) == "Name") i.name = t.child_value("Value");
      if (auto c = clusters.find(i.id); c != clusters.end()) {
        i.tags["cluster"] = c->second.first;
        i.tags["role"] = c->second.second ? "writer" : "reader";
      }
      if (!i.id.empty()) out.push_back(std::move(i));
    }
    marker = doc.select_node("//DescribeDBInstancesResult/Marker").node().child_value();
  } while (!marker.empty());
  return out;
}

std::vector<Instance> AwsInventory::ec2() {
  std::vector<Instance> out;
  std::string token;
  do {
    std::vector<std::pair<std::string, std::string>> params = {
        {"MaxResults", std::to_string(std::max(5, io_.page_size))}};
    if (!token.empty()) params.emplace_back("NextToken", token);
    auto doc = ec2_.call("DescribeInstances", params);
    for (auto x : doc.select_nodes("//reservationSet/item/instancesSet/item")) {
      pugi::xml_node n = x.node();
      const std::string state = n.child("instanceState").child_value("name");
      if (state == "terminated" || state == "shutting-down") continue;  // gone
      Instance i;
      i.service = ServiceType::EC2;
      i.id = n.child_value("instanceId");
      i.name = i.id;
      i.instance_class = n.child_value("instanceType");
      i.region = region_;
      i.source = "aws";
      i.tags["state"] = state;
      for (auto t : n.child("tagSet").children("item"))
        if (std::string(t.child_value("key")) == "Name") i.name = t.child_value("value");
      if (!i.id.empty()) out.push_back(std::move(i));
    }
    token = doc.select_node("/DescribeInstancesResponse/nextToken").node().child_value();
  } while (!token.empty());
  return out;
}

std::vector<Instance> AwsInventory::discover(Day, std::span<const ServiceType> services) {
  auto wants = [&](ServiceType s) {
    return std::find(services.begin(), services.end(), s) != services.end();
  };
  std::vector<Instance> out;
  if (wants(ServiceType::RDS)) out = rds();
  if (wants(ServiceType::EC2)) {
    auto e = ec2();
    out.insert(out.end(), std::make_move_iterator(e.begin()), std::make_move_iterator(e.end()));
  }
  return out;
}

}  // namespace im::collect::aws
