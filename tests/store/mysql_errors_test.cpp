#include <gtest/gtest.h>

#include "store/mysql/connection.h"

namespace im::store::mysql {
namespace {

// Which server and client errors the pipeline retries (issue: lost 2006/2013, refused 2003)
// and which fail at once (a bad login, bad SQL, a missing table).
TEST(MysqlErrors, RetriesOnlyWhatCanPassOnItsOwn) {
  for (unsigned code : {2002u, 2003u, 2006u, 2013u, 2055u, 1040u, 1053u, 1205u, 1213u, 1927u})
    EXPECT_TRUE(is_transient_error(code)) << code;
  for (unsigned code : {1045u, 1044u, 1049u, 1064u, 1146u, 1406u, 1062u, 2005u})
    EXPECT_FALSE(is_transient_error(code)) << code;
}

}  // namespace
}  // namespace im::store::mysql
