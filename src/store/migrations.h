// Ordered schema migrations, compiled in from sql/<backend>/V<NNN>__<description>.sql.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace im::store {

struct Migration {
  int version;
  std::string_view description;
  std::string_view sql;
};

const std::vector<Migration>& sqlite_migrations();
const std::vector<Migration>& mysql_migrations();

// Splits a script into its statements at the semicolons that end them: semicolons inside
// quotes ('...', "...", `...`) and comments (-- ..., # ..., /* ... */) do not split. Comments
// are kept with the statement they precede; empty statements are dropped.
std::vector<std::string> split_sql_statements(std::string_view script);

}  // namespace im::store
