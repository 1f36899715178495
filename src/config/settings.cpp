#include "config/settings.h"

#include <algorithm>

namespace im {

std::vector<ServiceType> cloudwatch_services(const Settings& s) {
  std::vector<ServiceType> out;
  for (const auto& name : s.cloudwatch.services)
    if (auto t = parse_service_type(name); t && std::find(out.begin(), out.end(), *t) == out.end())
      out.push_back(*t);
  if (s.features.enable_ec2) out.push_back(ServiceType::EC2);
  return out;
}

}  // namespace im
