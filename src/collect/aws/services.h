// Where each service's metrics live in CloudWatch: namespace, the dimensions that name one
// instance, and how often the service publishes a datapoint (the day's expected sample count).
// The metrics themselves are the catalog's (core/catalog.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/types.h"

namespace im::collect::aws {

struct CloudWatchService {
  ServiceType service;
  std::string_view ns;
  // The dimensions of one instance, in order; instance_id is their values joined with "/"
  // ("orders-kafka/1" for MSK's Cluster Name and Broker ID).
  std::vector<std::string_view> dimensions;
  int resolution_seconds;  // 60: one datapoint a minute; 300: basic monitoring
  // How step 1 finds the instances: the dimension values of this metric in ListMetrics;
  // empty: a describe API (RDS, EC2).
  std::string_view discover_metric;
};

// nullptr for a service CloudWatch does not serve (REDIS comes from Prometheus).
const CloudWatchService* cloudwatch_service(ServiceType s);

// "a/b" -> {"a", "b"}; the values of an instance_id for its service's dimensions (nullopt-like
// empty vector when the count does not match).
std::vector<std::string> dimension_values(const CloudWatchService& def, const std::string& id);

}  // namespace im::collect::aws
