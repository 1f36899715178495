// The AWS client layer against the moto server the harness started: the credential chain
// picks each source in the SDKs' order, Query calls are signed and parsed, errors are named.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <thread>

#include "collect/aws/client.h"
#include "collect/faulty_aws_proxy.h"
#include "core/day.h"
#include "core/types.h"
#include "moto_test_util.h"
#include "test_util.h"

namespace im::collect::aws {
namespace {

using test::moto_url;

// An environment with nothing of the real one: every source is off unless a test sets it.
AwsOptions options(Environment env) {
  env.emplace("HOME", "/nonexistent");
  env.emplace("AWS_EC2_METADATA_DISABLED", "true");
  AwsOptions o;
  o.timeout_seconds = 10;
  o.environment = std::move(env);
  return o;
}

// Keys in the environment, for the signed calls of the Query tests.
std::unique_ptr<CredentialsProvider> test_keys(const std::string& secret = "testsecret") {
  return default_credentials_chain(
      options({{"AWS_ACCESS_KEY_ID", "AKIDTEST"}, {"AWS_SECRET_ACCESS_KEY", secret}}));
}

// An RDS client of `endpoint`.
QueryClient rds_at(const std::string& endpoint, CredentialsProvider* credentials) {
  return QueryClient("rds", "RDS", "2014-10-31", options({{"AWS_ENDPOINT_URL", endpoint}}),
                     credentials);
}

AwsOptions at(const std::string& region, const std::string& endpoint, Environment env) {
  AwsOptions o;
  o.region = region;
  o.endpoint_url = endpoint;
  o.environment = std::move(env);
  return o;
}

TEST(AwsCredentials, EnvironmentComesFirst) {
  test::TempDir dir;
  test::write_file(dir.file("credentials"),
                   "[default]\naws_access_key_id = FROMFILE\n"
                   "aws_secret_access_key = filesecret\n");
  auto chain = default_credentials_chain(
      options({{"AWS_ACCESS_KEY_ID", "AKIDENV"},
               {"AWS_SECRET_ACCESS_KEY", "envsecret"},
               {"AWS_SESSION_TOKEN", "envtoken"},
               {"AWS_SHARED_CREDENTIALS_FILE", dir.file("credentials")}}));
  auto c = chain->get();
  EXPECT_EQ(c.access_key_id, "AKIDENV");
  EXPECT_EQ(c.session_token, "envtoken");
  EXPECT_EQ(chain->source(), "environment");
}

TEST(AwsCredentials, ThenTheProfileOfTheSharedFiles) {
  test::TempDir dir;
  test::write_file(
      dir.file("credentials"),
      "[default]\naws_access_key_id = DEFAULTKEY\naws_secret_access_key = d\n"
      "# a comment\n[ci]\naws_access_key_id = CIKEY\naws_secret_access_key = cisecret\n");
  test::write_file(dir.file("config"),
                   "[profile ops]\naws_access_key_id = OPSKEY\naws_secret_access_key = o\n");
  auto ci =
      default_credentials_chain(options({{"AWS_PROFILE", "ci"},
                                         {"AWS_SHARED_CREDENTIALS_FILE", dir.file("credentials")},
                                         {"AWS_CONFIG_FILE", dir.file("config")}}));
  EXPECT_EQ(ci->get().access_key_id, "CIKEY");
  EXPECT_NE(ci->source().find("profile ci"), std::string::npos);
  auto ops =
      default_credentials_chain(options({{"AWS_PROFILE", "ops"},
                                         {"AWS_SHARED_CREDENTIALS_FILE", dir.file("credentials")},
                                         {"AWS_CONFIG_FILE", dir.file("config")},
                                         {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/x"}}));
  EXPECT_EQ(ops->get().access_key_id, "OPSKEY");  // before web identity
}

TEST(AwsCredentials, ThenWebIdentityThroughSts) {
  test::TempDir dir;
  test::write_file(dir.file("token"), "eyJhbGciOiJSUzI1NiJ9.test.token\n");
  auto chain = default_credentials_chain(
      options({{"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/infra-monitor"},
               {"AWS_WEB_IDENTITY_TOKEN_FILE", dir.file("token")},
               {"AWS_ENDPOINT_URL_STS", moto_url()}}));
  auto c = chain->get();
  EXPECT_FALSE(c.access_key_id.empty());
  EXPECT_FALSE(c.secret_access_key.empty());
  EXPECT_FALSE(c.session_token.empty());
  EXPECT_NE(chain->source().find("web identity"), std::string::npos);
}

TEST(AwsCredentials, ThenTheInstanceMetadataService) {
  Environment env{{"AWS_EC2_METADATA_SERVICE_ENDPOINT", moto_url()}};
  AwsOptions o = options(env);
  o.environment.erase("AWS_EC2_METADATA_DISABLED");
  auto chain = default_credentials_chain(o);
  auto c = chain->get();
  EXPECT_FALSE(c.access_key_id.empty());
  EXPECT_FALSE(c.session_token.empty());
  EXPECT_NE(chain->source().find("instance metadata"), std::string::npos);
}

TEST(AwsCredentials, NoneFoundSaysWhatWasTried) {
  auto chain = default_credentials_chain(options({}));
  try {
    chain->get();
    FAIL() << "credentials out of nowhere";
  } catch (const SourceError& e) {
    std::string msg = e.what();
    for (const char* s : {"environment", "profile default", "web identity", "instance metadata"})
      EXPECT_NE(msg.find(s), std::string::npos) << msg;
  }
}

TEST(AwsQuery, SignedCallsReachMotoAndParse) {
  auto keys = test_keys();
  QueryClient rds = rds_at(moto_url(), keys.get());
  EXPECT_EQ(rds.endpoint(), moto_url());
  auto doc = rds.call("DescribeDBInstances", {{"MaxRecords", "100"}});
  EXPECT_TRUE(doc.select_node("//DescribeDBInstancesResult"));
  EXPECT_EQ(rds.traffic().requests, 1);
  EXPECT_GT(rds.traffic().bytes_received, 0);
}

// AWS keeps connections open and the client reuses them (no TCP or TLS setup per request);
// moto_server closes each one, the test proxy (cpp-httplib) keeps it for 5 requests.
TEST(AwsQuery, ReusesTheConnectionTheServerKeepsOpen) {
  FaultyAwsProxy proxy(moto_url(), [](int, const SeenRequest&) { return std::nullopt; });
  auto keys = test_keys();
  for (const auto& [url, connections] :
       std::vector<std::pair<std::string, int64_t>>{{proxy.url(), 1}, {moto_url(), 3}}) {
    QueryClient rds = rds_at(url, keys.get());
    for (int i = 0; i < 3; ++i) rds.call("DescribeDBInstances", {{"MaxRecords", "20"}});
    EXPECT_EQ(rds.traffic().requests, 3) << url;
    EXPECT_EQ(rds.traffic().connections, connections) << url;
  }
}

// A kept connection the server dropped while it idled (between batches, say) is noticed
// before it is used: the request goes out on a new one, with no error and no retry.
TEST(AwsQuery, AConnectionClosedWhileIdleIsReplaced) {
  FaultyAwsProxy proxy(moto_url(), [](int, const SeenRequest&) { return std::nullopt; });
  proxy.close_idle_connections_after(1);
  auto keys = test_keys();
  QueryClient rds = rds_at(proxy.url(), keys.get());
  rds.call("DescribeDBInstances", {{"MaxRecords", "20"}});
  std::this_thread::sleep_for(std::chrono::milliseconds(1600));
  auto doc = rds.call("DescribeDBInstances", {{"MaxRecords", "20"}});
  EXPECT_TRUE(doc.select_node("//DescribeDBInstancesResult"));
  EXPECT_EQ(rds.traffic().requests, 2);
  EXPECT_EQ(rds.traffic().connections, 2);
  EXPECT_EQ(rds.traffic().retries, 0);
}

// Credentials the test swaps between calls (as a refresh of temporary credentials does).
struct SwappableCredentials : CredentialsProvider {
  Credentials now;
  Credentials get() override { return now; }
  std::string source() const override { return "test"; }
};

// The client keeps the day's signing key: every request must still carry the signature the
// one-shot signer computes for its own date and credentials, across midnight and a change of
// credentials. The proxy records what reached the wire.
TEST(AwsQuery, EachRequestIsSignedForItsOwnDayAndCredentials) {
  FaultyAwsProxy proxy(moto_url(), [](int, const SeenRequest&) { return std::nullopt; });
  SwappableCredentials creds;
  creds.now = {"AKIDFIRST", "first-secret", ""};
  QueryClient rds = rds_at(proxy.url(), &creds);
  const int64_t midnight = Day::parse("2026-11-20")->start_unix();
  std::vector<std::pair<int64_t, Credentials>> calls = {
      {midnight - 1, creds.now},                                         // 2026-11-19 23:59:59
      {midnight + 1, creds.now},                                         // the next day: a new key
      {midnight + 2, {"AKIDSECOND", "second-secret", "session-token"}},  // new credentials
      {midnight + 3, {"AKIDSECOND", "second-secret", "session-token"}},
  };
  for (const auto& [when, c] : calls) {
    creds.now = c;
    rds.now_unix = [when = when] { return when; };
    rds.call("DescribeDBInstances", {{"MaxRecords", "20"}});
  }
  const auto seen = proxy.seen();
  ASSERT_EQ(seen.size(), calls.size());
  for (size_t i = 0; i < seen.size(); ++i) {
    auto header = [&](const std::string& name) {
      auto it = seen[i].headers.find(name);
      return it == seen[i].headers.end() ? std::string() : it->second;
    };
    const std::string auth = header("Authorization");
    const auto names_at = auth.find("SignedHeaders=") + 14;
    std::string names = auth.substr(names_at, auth.find(',', names_at) - names_at);
    SignableRequest r;
    r.body = seen[i].body;
    for (size_t start = 0; start <= names.size();) {
      size_t end = names.find(';', start);
      if (end == std::string::npos) end = names.size();
      const std::string name = names.substr(start, end - start);
      r.headers.emplace_back(name, header(name));
      start = end + 1;
    }
    EXPECT_EQ(header("X-Amz-Date"), amz_date(calls[i].first)) << i;
    EXPECT_EQ(auth, authorization(r, calls[i].second, "us-east-1", "rds", amz_date(calls[i].first)))
        << "request " << i;
  }
}

TEST(AwsQuery, AnErrorNamesServiceActionAndCodeButNoSecret) {
  auto keys = test_keys("very-secret-key");
  QueryClient rds = rds_at(moto_url(), keys.get());
  try {
    rds.call("DescribeDBInstances", {{"DBInstanceIdentifier", "no-such-db"}});
    FAIL() << "no error";
  } catch (const SourceError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("rds DescribeDBInstances"), std::string::npos) << msg;
    EXPECT_NE(msg.find("DBInstanceNotFound"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("very-secret-key"), std::string::npos) << msg;
  }
}

TEST(AwsQuery, EndpointsFollowTheSdkVariables) {
  EXPECT_EQ(resolve_endpoint("rds", "RDS", at("eu-west-1", "", {})),
            "https://rds.eu-west-1.amazonaws.com");
  EXPECT_EQ(
      resolve_endpoint("rds", "RDS", at("eu-west-1", "", {{"AWS_ENDPOINT_URL", "http://a:1/"}})),
      "http://a:1");
  EXPECT_EQ(resolve_endpoint("rds", "RDS",
                             at("eu-west-1", "http://cfg:2", {{"AWS_ENDPOINT_URL", "http://a:1"}})),
            "http://cfg:2");
  EXPECT_EQ(
      resolve_endpoint("rds", "RDS",
                       at("eu-west-1", "http://cfg:2", {{"AWS_ENDPOINT_URL_RDS", "http://b:3"}})),
      "http://b:3");
  EXPECT_EQ(amz_date(1440938160), "20150830T123600Z");
}

}  // namespace
}  // namespace im::collect::aws
