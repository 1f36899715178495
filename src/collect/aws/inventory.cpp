#include "collect/aws/inventory.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <map>

#include "collect/aws/services.h"

namespace im::collect::aws {

namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

// Calls `action` page after page: each request is `params` plus `token_param` (Marker or
// NextToken) set to the token the previous answer held at `token_path`, until an answer
// holds none; `page` reads each answer.
void each_page(QueryClient& client, const std::string& action, const Params& params,
               const std::string& token_param, const char* token_path,
               const std::function<void(const pugi::xml_document&)>& page) {
  std::string token;
  do {
    Params request = params;
    if (!token.empty()) request.emplace_back(token_param, token);
    auto doc = client.call(action, request);
    page(doc);
    token = doc.select_node(token_path).node().child_value();
  } while (!token.empty());
}

}  // namespace

AwsInventory::AwsInventory(const AwsOptions& opts, CredentialsProvider& credentials,
                           InventoryOptions io)
    : region_(opts.region),
      io_(io),
      rds_("rds", "RDS", "2014-10-31", opts, &credentials),
      ec2_("ec2", "EC2", "2016-11-15", opts, &credentials),
      monitoring_("monitoring", "CLOUDWATCH", "2010-08-01", opts, &credentials),
      elasticache_("elasticache", "ELASTICACHE", "2015-02-02", opts, &credentials) {}

Traffic AwsInventory::traffic() const {
  Traffic t;
  for (const QueryClient* c : {&rds_, &ec2_, &monitoring_, &elasticache_}) t += c->traffic();
  return t;
}

void read_cluster_members(const pugi::xml_document& doc, ClusterMembers& out) {
  for (auto x : doc.select_nodes("//DBClusters/DBCluster")) {
    const std::string cluster = x.node().child_value("DBClusterIdentifier");
    for (auto m : x.node().child("DBClusterMembers").children("DBClusterMember"))
      out[m.child_value("DBInstanceIdentifier")] = {
          cluster, std::string(m.child_value("IsClusterWriter")) == "true"};
  }
}

void read_db_instances(const pugi::xml_document& doc, const std::string& region,
                       const ClusterMembers& clusters, std::vector<Instance>& out) {
  for (auto x : doc.select_nodes("//DBInstances/DBInstance")) {
    pugi::xml_node n = x.node();
    // DescribeDBInstances also lists DocumentDB and Neptune instances: they publish no
    // AWS/RDS metrics (DocumentDB is found from its own, see from_metrics).
    const std::string engine = n.child_value("Engine");
    if (engine == "docdb" || engine == "neptune") continue;
    Instance i;
    i.service = ServiceType::RDS;
    i.id = n.child_value("DBInstanceIdentifier");
    i.name = i.id;
    i.instance_class = n.child_value("DBInstanceClass");
    i.engine = std::string(n.child_value("Engine")) + " " + n.child_value("EngineVersion");
    i.region = region;
    i.allocated_storage_gb = std::atof(n.child_value("AllocatedStorage"));
    if (!std::isfinite(i.allocated_storage_gb) || i.allocated_storage_gb < 0)
      i.allocated_storage_gb = 0;  // not a size: unknown
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
}

void read_ec2_instances(const pugi::xml_document& doc, const std::string& region,
                        std::vector<Instance>& out) {
  for (auto x : doc.select_nodes("//reservationSet/item/instancesSet/item")) {
    pugi::xml_node n = x.node();
    const std::string state = n.child("instanceState").child_value("name");
    if (state == "terminated" || state == "shutting-down") continue;  // gone
    Instance i;
    i.service = ServiceType::EC2;
    i.id = n.child_value("instanceId");
    i.name = i.id;
    i.instance_class = n.child_value("instanceType");
    i.region = region;
    i.source = "aws";
    i.tags["state"] = state;
    for (auto t : n.child("tagSet").children("item"))
      if (std::string(t.child_value("key")) == "Name") i.name = t.child_value("value");
    if (!i.id.empty()) out.push_back(std::move(i));
  }
}

// Aurora: cluster membership and role of each member instance (DescribeDBClusters).
ClusterMembers AwsInventory::cluster_members() {
  ClusterMembers out;
  Params params = {{"MaxRecords", std::to_string(io_.page_size)}};
  each_page(rds_, "DescribeDBClusters", params, "Marker", "//DescribeDBClustersResult/Marker",
            [&](const pugi::xml_document& doc) { read_cluster_members(doc, out); });
  return out;
}

std::vector<Instance> AwsInventory::rds() {
  const auto clusters = cluster_members();
  std::vector<Instance> out;
  Params params = {{"MaxRecords", std::to_string(io_.page_size)}};
  each_page(rds_, "DescribeDBInstances", params, "Marker", "//DescribeDBInstancesResult/Marker",
            [&](const pugi::xml_document& doc) { read_db_instances(doc, region_, clusters, out); });
  return out;
}

std::vector<Instance> AwsInventory::ec2() {
  std::vector<Instance> out;
  Params params = {{"MaxResults", std::to_string(std::max(5, io_.page_size))}};
  each_page(ec2_, "DescribeInstances", params, "NextToken", "/DescribeInstancesResponse/nextToken",
            [&](const pugi::xml_document& doc) { read_ec2_instances(doc, region_, out); });
  return out;
}

std::vector<Instance> AwsInventory::from_metrics(ServiceType service) {
  const CloudWatchService& def = *cloudwatch_service(service);
  std::map<std::string, Instance> found;  // by id: a metric may be listed more than once
  Params params = {{"Namespace", std::string(def.ns)},
                   {"MetricName", std::string(def.discover_metric)}};
  for (size_t d = 0; d < def.dimensions.size(); ++d)
    params.emplace_back("Dimensions.member." + std::to_string(d + 1) + ".Name",
                        std::string(def.dimensions[d]));
  auto page = [&](const pugi::xml_document& doc) {
    for (auto x : doc.select_nodes("//ListMetricsResult/Metrics/member")) {
      std::map<std::string, std::string> dims;
      for (auto d : x.node().child("Dimensions").children("member"))
        dims[d.child_value("Name")] = d.child_value("Value");
      if (dims.size() != def.dimensions.size()) continue;  // a finer-grained series
      std::string id;
      bool complete = true;
      for (auto name : def.dimensions) {
        auto it = dims.find(std::string(name));
        if (it == dims.end() || it->second.empty())
          complete = false;
        else
          id += (id.empty() ? "" : "/") + it->second;
      }
      if (!complete) continue;
      Instance i;
      i.service = service;
      i.id = id;
      i.name = id;
      i.region = region_;
      i.source = "aws";
      for (const auto& [k, v] : dims) i.tags[k] = v;
      found.emplace(id, std::move(i));
    }
  };
  each_page(monitoring_, "ListMetrics", params, "NextToken", "//ListMetricsResult/NextToken", page);
  std::vector<Instance> out;
  for (auto& [id, i] : found) out.push_back(std::move(i));
  return out;
}

std::vector<Instance> AwsInventory::elasticache() {
  std::vector<Instance> out;
  Params params = {{"ShowCacheNodeInfo", "true"}, {"MaxRecords", std::to_string(io_.page_size)}};
  auto page = [&](const pugi::xml_document& doc) {
    for (auto x : doc.select_nodes("//CacheClusters/CacheCluster")) {
      pugi::xml_node n = x.node();
      const std::string engine = n.child_value("Engine");
      if (engine != "redis" && engine != "valkey") continue;  // memcached is not Redis
      const std::string cluster = n.child_value("CacheClusterId");
      Instance base;
      base.service = ServiceType::REDIS;
      base.name = cluster;
      base.instance_class = n.child_value("CacheNodeType");
      base.engine =
          engine + (*n.child_value("EngineVersion") ? " " : "") + n.child_value("EngineVersion");
      base.region = region_;
      base.source = "aws";
      base.tags["cluster"] = cluster;
      base.tags["status"] = n.child_value("CacheClusterStatus");
      if (*n.child_value("ReplicationGroupId"))
        base.tags["replication_group"] = n.child_value("ReplicationGroupId");
      bool any_node = false;
      for (auto node : n.child("CacheNodes").children("CacheNode")) {
        const std::string address = node.child("Endpoint").child_value("Address");
        const std::string port = node.child("Endpoint").child_value("Port");
        if (address.empty()) continue;
        Instance i = base;
        i.id = address + ":" + (port.empty() ? "6379" : port);
        i.tags["node"] = node.child_value("CacheNodeId");
        out.push_back(std::move(i));
        any_node = true;
      }
      if (!any_node && !cluster.empty()) {  // no endpoint yet (creating) or not reported
        base.id = cluster;
        out.push_back(std::move(base));
      }
    }
  };
  each_page(elasticache_, "DescribeCacheClusters", params, "Marker",
            "//DescribeCacheClustersResult/Marker", page);
  return out;
}

std::vector<Instance> AwsInventory::discover(Day, std::span<const ServiceType> services) {
  auto wants = [&](ServiceType s) {
    return std::find(services.begin(), services.end(), s) != services.end();
  };
  std::vector<Instance> out;
  auto add = [&](std::vector<Instance> more) {
    out.insert(out.end(), std::make_move_iterator(more.begin()),
               std::make_move_iterator(more.end()));
  };
  if (wants(ServiceType::RDS)) add(rds());
  if (wants(ServiceType::REDIS)) {
    // Permission to list ElastiCache is not needed for anything else: its refusal is a note,
    // not a failed inventory (a transient failure still fails it, so nothing is retired).
    try {
      add(elasticache());
    } catch (const TransientError&) {
      throw;
    } catch (const SourceError& e) {
      notes_.push_back(std::string("ElastiCache not listed: ") + e.what());
    }
  }
  if (wants(ServiceType::EC2)) add(ec2());
  for (ServiceType svc : services)
    if (const CloudWatchService* def = cloudwatch_service(svc);
        def && !def->discover_metric.empty())
      add(from_metrics(svc));
  return out;
}

}  // namespace im::collect::aws
