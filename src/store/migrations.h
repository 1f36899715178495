// Ordered schema migrations, compiled in from sql/<backend>/V<NNN>__<description>.sql.
#pragma once

#include <string_view>
#include <vector>

namespace im::store {

struct Migration {
  int version;
  std::string_view description;
  std::string_view sql;
};

const std::vector<Migration>& sqlite_migrations();

}  // namespace im::store
