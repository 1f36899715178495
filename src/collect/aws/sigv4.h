// AWS Signature Version 4 (HMAC-SHA256 over a canonical request), for the Query-protocol
// calls of the AWS collector. Verified against AWS's published test vectors
// (tests/data/sigv4). Keys never leave this module's inputs: nothing here logs.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace im::collect::aws {

struct Credentials {
  std::string access_key_id, secret_access_key, session_token;  // all secrets
};

struct SignableRequest {
  std::string method = "POST";
  std::string path = "/";                                    // raw path, without the query
  std::string query;                                         // raw query string, without '?'
  std::vector<std::pair<std::string, std::string>> headers;  // must include Host
  std::string_view body;  // not owned: a 500-query request body is ~100 KB
};

// The pieces, exposed for the test vectors.
std::string canonical_request(const SignableRequest& r);
std::string string_to_sign(const std::string& amz_date, const std::string& scope,
                           const std::string& canonical);
std::string signed_headers(const SignableRequest& r);  // "host;x-amz-date"

// The Authorization header value for `r` (which must already carry X-Amz-Date, and
// X-Amz-Security-Token when the credentials have one), at `amz_date` ("20150830T123600Z").
std::string authorization(const SignableRequest& r, const Credentials& c, const std::string& region,
                          const std::string& service, const std::string& amz_date);
// The same in two parts, for a client signing many requests: the signing key (four HMACs
// over the secret, the date "20150830", the region and the service) changes once a day and
// can be kept; each request then costs one HMAC.
std::string signing_key(const std::string& secret_access_key, const std::string& date,
                        const std::string& region, const std::string& service);
std::string authorization(const SignableRequest& r, const std::string& access_key_id,
                          const std::string& key, const std::string& region,
                          const std::string& service, const std::string& amz_date);

std::string sha256_hex(std::string_view data);
// RFC 3986 percent-encoding of everything but A-Z a-z 0-9 - _ . ~ (and '/' when keep_slash).
std::string uri_encode(const std::string& s, bool keep_slash);
// The same, appended to `out`.
void uri_encode_to(std::string& out, std::string_view s, bool keep_slash);

}  // namespace im::collect::aws
