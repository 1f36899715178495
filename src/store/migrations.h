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

// The tables the migrations create. A database with none of our schema_version rows that
// already holds one of them holds someone else's tables: a migration would half-create ours
// around them, so it is refused.
const std::vector<std::string>& own_tables();
// The ConfigError for those foreign tables, naming them.
[[noreturn]] void throw_foreign_tables(const std::string& where,
                                       const std::vector<std::string>& found);

// A statement on one line for an error message: comments dropped, then answer_excerpt
// (core/text_safety.h).
std::string statement_summary(std::string_view stmt, size_t max_chars = 80);

}  // namespace im::store
