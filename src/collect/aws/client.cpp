#include "collect/aws/client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <thread>

#include <nlohmann/json.hpp>

#include "collect/curl_util.h"
#include "core/text_safety.h"
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

void form_encode_to(std::string& out,
                    const std::vector<std::pair<std::string, std::string>>& params) {
  size_t size = out.size();
  for (const auto& [k, v] : params) size += k.size() + v.size() + 2;
  out.reserve(size + size / 8);  // room for a few escapes without a reallocation
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += '&';
    uri_encode_to(out, k, false);
    out += '=';
    uri_encode_to(out, v, false);
  }
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  form_encode_to(out, params);
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
      shown_endpoint_(mask_url_credentials(endpoint_)),
      host_(host_of(endpoint_)),
      timeout_(opts.timeout_seconds),
      max_attempts_(std::max(1, opts.max_attempts)),
      backoff_(opts.retry_base_seconds, opts.retry_cap_seconds),
      sleep_(opts.sleep),
      on_retry_(opts.on_retry),
      credentials_(credentials) {
  if (!sleep_)
    sleep_ = [](double s) { std::this_thread::sleep_for(std::chrono::duration<double>(s)); };
  curl_init_once();
  curl_ = curl_easy_init();
  if (!curl_) throw SourceError("aws: cannot initialize libcurl");
  // What every request of this client shares is set once: the handle keeps it (and its
  // buffers) from request to request.
  CURL* curl = static_cast<CURL*>(curl_);
  curl_easy_setopt(curl, CURLOPT_URL, (endpoint_ + "/").c_str());  // curl keeps a copy
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_to_string);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer_);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  abort_on_stop(curl);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ * 1000));
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  // A 500-query request (~106 KB) in one send, its answer (~55 KB) in one read.
  curl_easy_setopt(curl, CURLOPT_UPLOAD_BUFFERSIZE, 256L * 1024);
  curl_easy_setopt(curl, CURLOPT_BUFFERSIZE, 128L * 1024);
  // curl's 200 ms default wakes the process once more in every request longer than that,
  // even on a single-address host, and each wake-up costs ~0.3 ms of CPU on the 2-core VM
  // (docs/performance.md). 1 s is within RFC 8305's bound (2 s) and is the longest curl sleeps
  // in a transfer anyway.
  curl_easy_setopt(curl, CURLOPT_HAPPY_EYEBALLS_TIMEOUT_MS, 1000L);
  now_unix = [] { return static_cast<int64_t>(std::time(nullptr)); };
}

QueryClient::~QueryClient() {
  if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

pugi::xml_document QueryClient::call(
    const std::string& action, const std::vector<std::pair<std::string, std::string>>& params) {
  return call_form(action, form_encode(params));
}

void QueryClient::retrying(const std::function<void()>& once) {
  for (int attempt = 1;; ++attempt) {
    try {
      once();
      return;
    } catch (const TransientError& e) {
      if (dynamic_cast<const ThrottledError*>(&e)) ++traffic_.throttled;
      if (attempt >= max_attempts_) throw;
      const double delay = backoff_.delay(attempt - 1);
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

pugi::xml_document QueryClient::call_form(const std::string& action, std::string_view form) {
  pugi::xml_document doc;
  retrying([&] { doc = call_once(action, form); });
  return doc;
}

const std::string& QueryClient::call_json(const std::string& target, std::string_view json) {
  const std::string what =
      "aws: " + service_ + " " + target.substr(target.rfind('.') + 1) + " at " + shown_endpoint_;
  retrying([&] {
    const long status = send(what, "application/x-amz-json-1.0", target, json);
    if (status == 200) return;
    // {"__type": "com.amazonaws.cloudwatch#ThrottlingException", "message": "..."}; a proxy
    // may still answer in XML.
    std::string code, message;
    bool parsed = false;
    auto j = nlohmann::json::parse(answer_, nullptr, false);
    if (j.is_object()) {
      parsed = true;
      code = j.value("__type", std::string());
      code = code.substr(code.rfind('#') + 1);
      message = j.value("message", j.value("Message", std::string()));
    } else {
      pugi::xml_document doc;
      if (doc.load_buffer(answer_.data(), answer_.size())) {
        parsed = true;
        auto err = doc.select_node("//Error").node();
        code = err.child_value("Code");
        message = err.child_value("Message");
      }
    }
    raise(what, status, code, message, parsed ? "" : "JSON");
  });
  return answer_;
}

pugi::xml_document QueryClient::call_once(const std::string& action, std::string_view form) {
  body_.clear();
  body_.reserve(form.size() + 64);
  form_encode_to(body_, {{"Action", action}, {"Version", version_}});
  if (!form.empty()) (body_ += '&').append(form);
  const std::string what = "aws: " + service_ + " " + action + " at " + shown_endpoint_;
  const long status = send(what, "application/x-www-form-urlencoded; charset=utf-8", "", body_);

  pugi::xml_document doc;
  const bool parsed = doc.load_buffer(answer_.data(), answer_.size());
  if (status == 200 && parsed) return doc;
  // <ErrorResponse><Error><Code/><Message/></Error></ErrorResponse> (EC2:
  // <Response><Errors><Error>...).
  std::string code, message;
  if (parsed) {
    auto err = doc.select_node("//Error").node();
    code = err.child_value("Code");
    message = err.child_value("Message");
  }
  raise(what, status, code, message, parsed ? "" : "XML");
}

long QueryClient::send(const std::string& what, const std::string& content_type,
                       const std::string& target, std::string_view body) {
  SignableRequest req;
  req.method = "POST";
  req.path = "/";
  req.body = body;

  req.headers = {{"Host", host_}, {"Content-Type", content_type}};
  if (!target.empty()) req.headers.emplace_back("X-Amz-Target", target);
  std::string authorization_line;
  if (credentials_) {
    const Credentials c = credentials_->get();
    const std::string date = amz_date(now_unix());
    req.headers.emplace_back("X-Amz-Date", date);
    if (!c.session_token.empty()) req.headers.emplace_back("X-Amz-Security-Token", c.session_token);
    // An access key id names one secret: new credentials come with a new id.
    if (key_date_ != std::string_view(date).substr(0, 8) || key_access_key_id_ != c.access_key_id) {
      key_date_ = date.substr(0, 8);
      key_access_key_id_ = c.access_key_id;
      key_ = signing_key(c.secret_access_key, key_date_, region_, service_);
    }
    authorization_line =
        "Authorization: " + authorization(req, c.access_key_id, key_, region_, service_, date);
  }

  CURL* curl = static_cast<CURL*>(curl_);
  curl_slist* headers = nullptr;
  for (const auto& [name, value] : req.headers)
    if (name != "Host")  // curl writes Host from the URL: the same value
      headers = curl_slist_append(headers, (name + ": " + value).c_str());
  if (!authorization_line.empty()) headers = curl_slist_append(headers, authorization_line.c_str());
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  answer_.clear();
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  ++traffic_.requests;
  traffic_.bytes_sent += static_cast<int64_t>(body.size());
  CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  traffic_.bytes_received += static_cast<int64_t>(answer_.size());
  long connections = 0;  // 0 when the handle's open connection was reused
  curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &connections);
  traffic_.connections += connections;
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
  return status;
}

void QueryClient::raise(const std::string& what, long status, const std::string& code,
                        const std::string& message, const std::string& unreadable_as) {
  std::string text = what + ": HTTP " + std::to_string(status);
  if (!code.empty())
    text += ": " + code + (message.empty() ? "" : ": " + message);
  else if (!unreadable_as.empty())
    text += ": the answer is not " + unreadable_as + ": " + answer_excerpt(answer_);
  if (status == 429 || throttling_code(code)) throw ThrottledError(text);
  if (status >= 500 || transient_code(code)) throw TransientError(text);
  if (credential_code(code) || status == 401 || status == 403)
    throw SourceError(text + " (check the AWS credentials and the IAM policy)");
  throw SourceError(text);
}

}  // namespace im::collect::aws
