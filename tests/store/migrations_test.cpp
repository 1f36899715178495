#include <gtest/gtest.h>

#include "store/migrations.h"

namespace im::store {
namespace {

TEST(SplitSql, SplitsAtStatementEndsOnly) {
  auto parts = split_sql_statements(
      "-- a comment; not a split\n"
      "CREATE TABLE t (a VARCHAR(8) DEFAULT ';');\n"
      "/* block; comment */ INSERT INTO t VALUES ('it''s; fine'), (\"x;y\"), ('a\\';b');\n"
      "# hash comment;\n"
      "SELECT `odd;name` FROM t\n"
      ";\n  \n-- trailing comment only\n");
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_NE(parts[0].find("DEFAULT ';')"), std::string::npos);
  EXPECT_NE(parts[1].find("('a\\';b')"), std::string::npos);
  EXPECT_NE(parts[2].find("`odd;name`"), std::string::npos);
}

TEST(SplitSql, EveryShippedMigrationSplitsIntoCompleteStatements) {
  for (const auto* list : {&sqlite_migrations(), &mysql_migrations()})
    for (const Migration& m : *list)
      for (const auto& stmt : split_sql_statements(m.sql)) {
        int depth = 0;
        for (char c : stmt) depth += c == '(' ? 1 : c == ')' ? -1 : 0;
        EXPECT_EQ(depth, 0) << "migration " << m.version << ": " << stmt;
      }
  EXPECT_EQ(mysql_migrations().front().version, 1);
}

}  // namespace
}  // namespace im::store
