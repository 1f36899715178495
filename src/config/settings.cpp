#include "config/settings.h"

#include <algorithm>

namespace im {

std::vector<std::string> Settings::secrets() const {
  std::vector<std::string> out;
  for (const std::string* s : {&mysql.password, &aws.access_key_id, &aws.secret_access_key,
                               &aws.session_token, &prometheus.password, &prometheus.bearer_token})
    if (!s->empty()) out.push_back(*s);
  return out;
}

std::vector<ServiceType> cloudwatch_services(const Settings& s) {
  std::vector<ServiceType> out;
  for (const auto& name : s.cloudwatch.services)
    if (auto t = parse_service_type(name); t && std::find(out.begin(), out.end(), *t) == out.end())
      out.push_back(*t);
  if (s.features.enable_ec2) out.push_back(ServiceType::EC2);
  return out;
}

}  // namespace im
