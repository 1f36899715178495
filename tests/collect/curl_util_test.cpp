// What the HTTP clients share: the excerpt of an answer that error messages quote.
#include "collect/curl_util.h"

#include <gtest/gtest.h>

#include <string>

namespace im::collect {
namespace {

TEST(AnswerExcerpt, IsOneLineWithoutTheIndentation) {
  EXPECT_EQ(
      answer_excerpt("<!doctype html>\n<html lang=en>\n  <title>500 Internal Server "
                     "Error</title>\r\n\t<h1>Internal</h1>"),
      "<!doctype html> <html lang=en> <title>500 Internal Server Error</title> <h1>Internal</h1>");
  EXPECT_EQ(answer_excerpt("  \n{\"a\":\x01 1}"), "{\"a\": 1}");
  EXPECT_EQ(answer_excerpt("ok \n\n"), "ok");
  EXPECT_EQ(answer_excerpt(""), "");
}

TEST(AnswerExcerpt, SaysWhereItCuts) {
  EXPECT_EQ(answer_excerpt(std::string(120, 'x')), std::string(120, 'x'));
  EXPECT_EQ(answer_excerpt(std::string(121, 'x')), std::string(120, 'x') + "...");
  EXPECT_EQ(answer_excerpt("abcdef", 3), "abc...");
  EXPECT_EQ(answer_excerpt("abc   \n", 3), "abc");  // nothing but spaces was left out
}

}  // namespace
}  // namespace im::collect
