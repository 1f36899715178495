#include "config/settings.h"

namespace im {

std::vector<std::string> Settings::secrets() const {
  std::vector<std::string> out;
  for (const std::string* s : {&mysql.password, &aws.access_key_id, &aws.secret_access_key,
                               &aws.session_token, &prometheus.password, &prometheus.bearer_token})
    if (!s->empty()) out.push_back(*s);
  return out;
}

}  // namespace im
