#include "core/text_safety.h"

#include <gtest/gtest.h>

namespace im {
namespace {

TEST(Redact, ReplacesEveryOccurrenceOfALongSecret) {
  EXPECT_EQ(redact("user=a password=s3cret again s3cret", {"s3cret"}),
            "user=a password=*** again ***");
  EXPECT_EQ(redact("nothing here", {"", "x1y2"}), "nothing here");
  EXPECT_EQ(redact("tokenabcdef123xyz", {"abcdef123"}), "token***xyz");
}

// Issue #13, item 14: DB_PASSWORD=e turned "step 1 Inventory" into "st***p 1 Inv***ntory".
TEST(Redact, AShortSecretIsMaskedOnlyAsAWholeWord) {
  EXPECT_EQ(redact("step  1 Inventory Refresh", {"e"}), "step  1 Inventory Refresh");
  EXPECT_EQ(redact("password=e; user e logged in", {"e"}), "password=***; user *** logged in");
  EXPECT_EQ(redact("pw ab12 and ab123", {"ab12"}), "pw *** and ab123");
}

// Issue #13, item 13: credentials inside PROMETHEUS_URL or AWS_ENDPOINT_URL.
TEST(MaskUrlCredentials, MasksThePasswordOfEveryUrl) {
  EXPECT_EQ(mask_url_credentials("cannot reach http://admin:hunter2@prom:9090/api/v1/query"),
            "cannot reach http://admin:***@prom:9090/api/v1/query");
  EXPECT_EQ(mask_url_credentials("a https://u:p@h b http://x:y@z:1"),
            "a https://u:***@h b http://x:***@z:1");
  EXPECT_EQ(mask_url_credentials("pw with at: http://u:p@ss@host/x"),
            "pw with at: http://u:***@host/x");
  // Nothing to mask: no password, no user, no URL, already masked.
  EXPECT_EQ(mask_url_credentials("http://user@host/a:b@c"), "http://user@host/a:b@c");
  EXPECT_EQ(mask_url_credentials("http://host:9090/x@y"), "http://host:9090/x@y");
  EXPECT_EQ(mask_url_credentials("mail a:b@c.d"), "mail a:b@c.d");
  EXPECT_EQ(mask_url_credentials("http://u:***@h"), "http://u:***@h");
  EXPECT_EQ(redact("\"http://u:secretpw@h\"", {}), "\"http://u:***@h\"");
}

// Issue #13, item 18: a label with a newline or an ANSI/OSC escape must not forge a log line.
TEST(EscapeControl, KeepsALineOnOneLine) {
  EXPECT_EQ(escape_control("a\nb\r\tc"), "a\\nb\\r\\tc");
  EXPECT_EQ(escape_control("x\x1b[31mred\x1b]0;title\x07"), "x\\x1b[31mred\\x1b]0;title\\x07");
  EXPECT_EQ(escape_control(std::string_view("nul\0del\x7f", 8)), "nul\\x00del\\x7f");
  EXPECT_EQ(escape_control("caf\xc3\xa9 ok"), "caf\xc3\xa9 ok");  // UTF-8 passes through
  EXPECT_EQ(escape_control("bad\xff"
                           "byte"),
            "bad\\xffbyte");  // a stray byte does not
}

// Issue #13, items 4, 5 and 19: identifiers are checked where they enter.
TEST(IdentifierProblem, NamesWhatIsWrong) {
  EXPECT_EQ(identifier_problem("redis-cache-01:9121"), "");
  EXPECT_EQ(identifier_problem(std::string(255, 'x')), "");
  EXPECT_EQ(identifier_problem(std::string(256, 'x')), "it is 256 characters long (at most 255)");
  // 255 characters of two bytes each: within the limit (characters, as VARCHAR counts them).
  std::string accented;
  for (int i = 0; i < 255; ++i) accented += "\xc3\xa9";
  EXPECT_EQ(identifier_problem(accented), "");
  EXPECT_EQ(identifier_problem(""), "it is empty");
  EXPECT_EQ(identifier_problem(std::string("a\0b", 3)), "it holds a control character");
  EXPECT_EQ(identifier_problem("a\nb"), "it holds a control character");
  EXPECT_EQ(identifier_problem("a\x1b[2Jb"), "it holds a control character");
  EXPECT_EQ(identifier_problem("bad\xff"), "it is not valid UTF-8");
  EXPECT_EQ(identifier_problem("\xc0\xaf"), "it is not valid UTF-8");  // overlong '/'
  EXPECT_EQ(identifier_problem("was\xef\xbf\xbd"
                               "bad"),
            "it is not valid UTF-8");
}

TEST(ReplaceInvalidUtf8, MarksEachBadByteAndKeepsTheRest) {
  size_t n = 0;
  EXPECT_EQ(replace_invalid_utf8("ok \xe2\x82\xac", n), "ok \xe2\x82\xac");
  EXPECT_EQ(n, 0u);
  EXPECT_EQ(replace_invalid_utf8("a\xff"
                                 "b\xe2\x82",
                                 n),
            "a\xef\xbf\xbd"
            "b\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(n, 3u);
  EXPECT_EQ(invalid_utf8_at("abc\xed\xa0\x80"), 3u);  // a surrogate
}

}  // namespace
}  // namespace im
