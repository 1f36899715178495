// The AWS Query protocol (form-encoded POST, XML answers) over libcurl, signed with SigV4:
// RDS, EC2, ElastiCache, CloudWatch and STS all speak it. Endpoints follow the AWS SDKs:
// AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL (or aws.endpoint_url), then the public
// regional endpoint. Errors name the service, the action and AWS's error code: throttling, 5xx
// and unreachable endpoints are TransientError; refused credentials and the rest SourceError.
#pragma once

#include <pugixml.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "collect/aws/sigv4.h"
#include "core/backoff.h"
#include "core/types.h"

namespace im::collect::aws {

using Environment = std::map<std::string, std::string>;

// Throttling ("slow down": Throttling, ThrottlingException, RequestLimitExceeded, HTTP 429):
// a TransientError that also tells a batching caller to send less per request.
struct ThrottledError : TransientError {
  using TransientError::TransientError;
};

struct AwsOptions {
  std::string region = "us-east-1";
  std::string endpoint_url;     // aws.endpoint_url: all services (AWS_ENDPOINT_URL is read too)
  double timeout_seconds = 60;  // per request, as the AWS SDKs' default read timeout
  Environment environment;      // the process environment (injected for tests)
  // Retries of a transient failure (throttling, 5xx, a lost connection), as the AWS SDKs do:
  // at most `max_attempts` tries in all, sleeping a uniform random time in
  // [0, min(retry_cap_seconds, retry_base_seconds × 2^retry)] ("full jitter") between them.
  int max_attempts = 5;
  double retry_base_seconds = 1.0;
  double retry_cap_seconds = 20.0;
  std::function<void(double seconds)> sleep;         // default: really sleep
  std::function<void(const std::string&)> on_retry;  // a line for the log, per retry
};

// Where the keys come from, in the AWS SDKs' order (see credentials.cpp). `get()` returns
// fresh credentials (temporary ones are renewed 5 minutes before they expire) or throws
// SourceError saying which sources were tried.
class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  virtual Credentials get() = 0;
  virtual std::string source() const = 0;  // "environment", "profile default", ...
};
std::unique_ptr<CredentialsProvider> default_credentials_chain(const AwsOptions& opts);

// Counters of one client: the benchmark prints them, the pipeline logs a day's share.
struct Traffic {
  int64_t requests = 0, bytes_sent = 0, bytes_received = 0;
  int64_t retries = 0, throttled = 0;  // retried requests; answers that were throttling
  int64_t connections = 0;             // opened: the others were reused (the server kept them open)
  Traffic& operator+=(const Traffic& o) { return add(o, 1); }
  Traffic& operator-=(const Traffic& o) { return add(o, -1); }

 private:
  Traffic& add(const Traffic& o, int sign) {
    requests += sign * o.requests, bytes_sent += sign * o.bytes_sent;
    bytes_received += sign * o.bytes_received, retries += sign * o.retries;
    throttled += sign * o.throttled, connections += sign * o.connections;
    return *this;
  }
};

class QueryClient {
 public:
  // `service`: the signing name and endpoint prefix (rds, ec2, elasticache, monitoring,
  // sts); `env_name`: the AWS_ENDPOINT_URL_<env_name> suffix (RDS, EC2, ELASTICACHE,
  // CLOUDWATCH, STS); `version`: the API version (2014-10-31 for RDS, ...).
  QueryClient(std::string service, std::string env_name, std::string version,
              const AwsOptions& opts, CredentialsProvider* credentials);
  ~QueryClient();
  QueryClient(const QueryClient&) = delete;
  QueryClient& operator=(const QueryClient&) = delete;

  // Calls `action` with the form parameters; returns the answer's XML. Unsigned when the
  // client has no credentials provider (STS AssumeRoleWithWebIdentity). A transient failure
  // is retried as AwsOptions says; the last one is thrown (ThrottledError when throttled).
  pugi::xml_document call(const std::string& action,
                          const std::vector<std::pair<std::string, std::string>>& params);
  // The same with the parameters already form-encoded ("a=1&b=2", without Action and
  // Version): a caller sending large requests builds them without a vector of pairs.
  pugi::xml_document call_form(const std::string& action, std::string_view form);
  // The AWS JSON 1.0 protocol: POSTs `json` with X-Amz-Target `target`
  // ("GraniteServiceVersion20100801.GetMetricData") and returns the answer's JSON text
  // (valid until the next call). Retries and errors as call().
  const std::string& call_json(const std::string& target, std::string_view json);

  const std::string& endpoint() const { return endpoint_; }
  const Traffic& traffic() const { return traffic_; }
  // Injected clock for signing (tests); default: the system clock.
  std::function<int64_t()> now_unix;

 private:
  std::string service_, version_, region_, endpoint_;
  std::string shown_endpoint_;  // endpoint_ with its password masked, for messages
  std::string host_;            // endpoint_'s host[:port], the signed Host header
  double timeout_;
  int max_attempts_;
  Backoff backoff_;
  std::function<void(double)> sleep_;
  std::function<void(const std::string&)> on_retry_;
  CredentialsProvider* credentials_;
  void* curl_ = nullptr;
  std::string body_, answer_;  // reused from request to request (their capacity stays)
  // The day's signing key, for the credentials of key_access_key_id_ (sigv4.h: signing_key).
  std::string key_, key_date_, key_access_key_id_;

  void retrying(const std::function<void()>& once);
  pugi::xml_document call_once(const std::string& action, std::string_view form);
  // Signs and sends `body` (not copied); the answer goes to answer_. Returns the HTTP status;
  // throws on a transport failure.
  long send(const std::string& what, const std::string& content_type, const std::string& target,
            std::string_view body);
  // Throws the error of an answer: ThrottledError, TransientError or SourceError.
  [[noreturn]] void raise(const std::string& what, long status, const std::string& code,
                          const std::string& message, const std::string& unreadable_as);
  Traffic traffic_;
};

// The endpoint a service resolves to (exposed for the tests).
std::string resolve_endpoint(const std::string& service, const std::string& env_name,
                             const AwsOptions& opts);
// The value of `key` in `env`, or `def` when it is absent or empty.
std::string env_value(const Environment& env, const std::string& key, const std::string& def = "");
// "a&b" form encoding of parameters (RFC 3986, as SigV4 wants them).
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& params);
// "20150830T123600Z" for a Unix time.
std::string amz_date(int64_t unix_seconds);

}  // namespace im::collect::aws
