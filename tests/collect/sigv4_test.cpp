// AWS's SigV4 test vectors (tests/data/sigv4): canonical request, string to sign and
// Authorization header, byte for byte.
#include <gtest/gtest.h>

#include <filesystem>

#include "collect/aws/sigv4.h"
#include "test_util.h"

namespace im::collect::aws {
namespace {

namespace fs = std::filesystem;

struct Vector {
  std::string name;
  fs::path dir;
};

std::vector<Vector> vectors() {
  std::vector<Vector> out;
  for (const auto& e : fs::recursive_directory_iterator(test::data_dir() / "sigv4"))
    if (e.path().extension() == ".req")
      out.push_back({e.path().stem().string(), e.path().parent_path()});
  std::sort(out.begin(), out.end(),
            [](const Vector& a, const Vector& b) { return a.name < b.name; });
  return out;
}

// "METHOD URI HTTP/1.1", then "Name:value" lines, then a blank line and the body (kept in
// `body`, which the request views).
SignableRequest parse_req(std::string text, std::string& body) {
  // post-sts-header-before.req starts with a UTF-8 byte order mark: not part of the request.
  if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);
  SignableRequest r;
  size_t eol = text.find('\n');
  std::string first = text.substr(0, eol);
  r.method = first.substr(0, first.find(' '));
  std::string uri = first.substr(first.find(' ') + 1, first.rfind(" HTTP/") - first.find(' ') - 1);
  auto q = uri.find('?');
  r.path = uri.substr(0, q);
  if (q != std::string::npos) r.query = uri.substr(q + 1);
  size_t pos = eol == std::string::npos ? text.size() : eol + 1;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty()) {
      body = pos < text.size() ? text.substr(pos) : "";
      r.body = body;
      break;
    }
    auto colon = line.find(':');
    r.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  return r;
}

void PrintTo(const Vector& v, std::ostream* os) {
  *os << v.name;
}

class SigV4 : public testing::TestWithParam<Vector> {};

TEST_P(SigV4, MatchesAwsTestVector) {
  const Vector& v = GetParam();
  auto file = [&](const char* ext) { return test::read_file((v.dir / (v.name + ext)).string()); };
  std::string body;
  const SignableRequest r = parse_req(file(".req"), body);
  const std::string creq = canonical_request(r);
  EXPECT_EQ(creq, file(".creq"));
  EXPECT_EQ(string_to_sign("20150830T123600Z", "20150830/us-east-1/service/aws4_request", creq),
            file(".sts"));
  const Credentials c{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
  EXPECT_EQ(authorization(r, c, "us-east-1", "service", "20150830T123600Z"), file(".authz"));
}

INSTANTIATE_TEST_SUITE_P(Aws, SigV4, testing::ValuesIn(vectors()), [](const auto& info) {
  std::string n = info.param.name;
  std::replace(n.begin(), n.end(), '-', '_');
  return n;
});

TEST(SigV4Vectors, AllFourteenArePresent) {
  EXPECT_EQ(vectors().size(), 14u);
}

TEST(SigV4, UriEncodingKeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(uri_encode("a b/c~d_e.f-g", false), "a%20b%2Fc~d_e.f-g");
  EXPECT_EQ(uri_encode("/a b/", true), "/a%20b/");
  EXPECT_EQ(uri_encode("\xE1\x88\xB4", false), "%E1%88%B4");
}

}  // namespace
}  // namespace im::collect::aws
