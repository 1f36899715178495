#include "collect/aws/client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <random>
#include <thread>

#include "collect/curl_util.h"
#include "core/types.h"

namespace im::collect::aws {

namespace {

std::string host_of(const std::string& url) {
  auto start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  auto end = url.find('/', start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// AWS error codes that mean "slow down".
bool throttling_code(const std::string& code) {
  return code == "Throttling" || code == "ThrottlingException" || code == "RequestLimitExceeded" ||
         code == "TooManyRequestsException" || code == "RequestThrottled" ||
         code == "ThrottledException" || code == "SlowDown";
}

// AWS error codes that mean "try again".
bool transient_code(const std::string& code) {
  return code == "ServiceUnavailable" || code == "InternalFailure" || code == "InternalError" ||
         code == "RequestTimeout";
}

// Codes that say the credentials are refused: retrying cannot help.
bool credential_code(const std::string& code) {
  return code == "AuthFailure" || code == "InvalidClientTokenId" ||
         code == "SignatureDoesNotMatch" || code == "UnrecognizedClientException" ||
         code == "ExpiredToken" || code == "AccessDenied" || code == "AccessDeniedException" ||
         code == "UnauthorizedOperation" || code == "MissingAuthenticationToken";
}

}  // namespace

std::string env_value(const Environment& env, const std::string& key, const std::string& def) {
  auto it = env.find(key);
  return it != env.end() && !it->second.empty() ? it->second : def;
}

std::string amz_date(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[20];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [k, v] : params)
    out += (out.empty() ? "" : "&") + uri_encode(k, false) + "=" + uri_encode(v, false);
  return out;
}

std::string resolve_endpoint(const std::string& service, const std::string& env_name,
                             const AwsOptions& opts) {
  std::string url = env_value(opts.environment, "AWS_ENDPOINT_URL_" + env_name);
  if (url.empty()) url = opts.endpoint_url;
  if (url.empty()) url = env_value(opts.environment, "AWS_ENDPOINT_URL");
  if (url.empty()) url = "https://" + service + "." + opts.region + ".amazonaws.com";
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

QueryClient::QueryClient(std::string service, std::string env_name, std::string version,
                         const AwsOptions& opts, CredentialsProvider* credentials)
    : service_(std::move(service)),
      version_(std::move(version)),
      region_(opts.region),
      endpoint_(resolve_endpoint(service_, env_name, opts)),
      timeout_(opts.timeout_seconds),
      max_attempts_(std::max(1, opts.max_attempts)),
      retry_base_(opts.retry_base_seconds),
      retry_cap_(opts.retry_cap_seconds),
      sleep_(opts.sleep),
      on_retry_(opts.on_retry),
      credentials_(credentials) {
  if (!sleep_)
    sleep_ = [](double s) { std::this_thread::sleep_for(std::chrono::duration<double>(s)); };
  curl_init_once();
  curl_ = curl_easy_init();
  if (!curl_) throw SourceError("aws: cannot initialize libcurl");
  now_unix = [] { return static_cast<int64_t>(std::time(nullptr)); };
}

QueryClient::~QueryClient() {
  if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

pugi::xml_document QueryClient::call(
    const std::string& action, const std::vector<std::pair<std::string, std::string>>& params) {
  static std::mt19937_64 rng{std::random_device{}()};
  for (int attempt = 1;; ++attempt) {
    try {
      return call_once(action, params);
    } catch (const TransientError& e) {
      if (dynamic_cast<const ThrottledError*>(&e)) ++traffic_.throttled;
      if (attempt >= max_attempts_) throw;
      const double ceiling = std::min(retry_cap_, retry_base_ * std::pow(2.0, attempt - 1));
      const double delay = std::uniform_real_distribution<double>(0.0, ceiling)(rng);
      ++traffic_.retries;
      if (on_retry_) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "; retry %d/%d in %.2fs", attempt, max_attempts_ - 1, delay);
        on_retry_(e.what() + std::string(buf));
      }
      sleep_(delay);
    }
  }
}

pugi::xml_document QueryClient::call_once(
    const std::string& action, const std::vector<std::pair<std::string, std::string>>& params) {
  std::vector<std::pair<std::string, std::string>> all = {{"Action", action},
                                                          {"Version", version_}};
  all.insert(all.end(), params.begin(), params.end());
  const std::string body = form_encode(all);
  const std::string what = "aws: " + service_ + " " + action + " at " + endpoint_;

  SignableRequest req;
  req.method = "POST";
  req.path = "/";
  req.body = body;
  req.headers = {{"Host", host_of(endpoint_)},
                 {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  std::vector<std::string> header_lines = {
      "Content-Type: application/x-www-form-urlencoded; charset=utf-8"};
  if (credentials_) {
    const Credentials c = credentials_->get();
    const std::string date = amz_date(now_unix());
    req.headers.emplace_back("X-Amz-Date", date);
    header_lines.push_back("X-Amz-Date: " + date);
    if (!c.session_token.empty()) {
      req.headers.emplace_back("X-Amz-Security-Token", c.session_token);
      header_lines.push_back("X-Amz-Security-Token: " + c.session_token);
    }
    header_lines.push_back("Authorization: " + authorization(req, c, region_, service_, date));
  }

  CURL* curl = static_cast<CURL*>(curl_);
  curl_easy_reset(curl);
  curl_slist* headers = nullptr;
  for (const auto& h : header_lines) headers = curl_slist_append(headers, h.c_str());
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  std::string answer;
  const std::string url = endpoint_ + "/";
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_to_string);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ * 1000));
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  ++traffic_.requests;
  traffic_.bytes_sent += static_cast<int64_t>(body.size());
  CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  traffic_.bytes_received += static_cast<int64_t>(answer.size());
  if (rc != CURLE_OK) {
    std::string text = what + ": " + curl_easy_strerror(rc);
    if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_GOT_NOTHING ||
        rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR || rc == CURLE_COULDNT_RESOLVE_HOST ||
        rc == CURLE_PARTIAL_FILE)
      throw TransientError(text);
    throw SourceError(text);
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);

  pugi::xml_document doc;
  const bool parsed = doc.load_buffer(answer.data(), answer.size());
  if (status == 200 && parsed) return doc;

  // <ErrorResponse><Error><Code/><Message/></Error></ErrorResponse> (EC2:
  // <Response><Errors><Error>...).
  std::string code, message;
  if (parsed) {
    auto err = doc.select_node("//Error").node();
    code = err.child_value("Code");
    message = err.child_value("Message");
  }
  std::string text = what + ": HTTP " + std::to_string(status);
  if (!code.empty())
    text += ": " + code + (message.empty() ? "" : ": " + message);
  else if (!parsed)
    text += ": the answer is not XML: " + answer.substr(0, 120);
  if (status == 429 || throttling_code(code)) throw ThrottledError(text);
  if (status >= 500 || transient_code(code)) throw TransientError(text);
  if (credential_code(code) || status == 401 || status == 403)
    throw SourceError(text + " (check the AWS credentials and the IAM policy)");
  throw SourceError(text);
}

}  // namespace im::collect::aws
