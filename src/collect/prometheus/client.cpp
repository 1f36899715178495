#include "collect/prometheus/client.h"

#include <curl/curl.h>

#include <cmath>
#include <cstdlib>

#include "collect/curl_util.h"
#include "core/text_safety.h"
#include "core/types.h"

namespace im::collect::prometheus {

Client::Client(ClientOptions opts) : opts_(std::move(opts)) {
  while (!opts_.url.empty() && opts_.url.back() == '/') opts_.url.pop_back();
  shown_url_ = mask_url_credentials(opts_.url);
  curl_init_once();
  curl_ = curl_easy_init();
  if (!curl_) throw SourceError("prometheus: cannot initialize libcurl");
}

Client::~Client() {
  if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

std::string Client::perform(const std::string& path, const std::string* form,
                            const std::string& what) {
  CURL* c = static_cast<CURL*>(curl_);
  curl_easy_reset(c);
  std::string body;
  const std::string url = opts_.url + path;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append_to_string);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  abort_on_stop(c);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(opts_.timeout_seconds * 1000));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min(opts_.timeout_seconds, 10.0) * 1000));
  // No Accept-Encoding: Prometheus gzips a 20 MB answer in about 0.6 s of its CPU, more than
  // sending it takes on a LAN.
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  if (!opts_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, opts_.ca_file.c_str());
  if (!opts_.username.empty()) {
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(c, CURLOPT_USERNAME, opts_.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, opts_.password.c_str());
  }
  if (!opts_.bearer_token.empty()) {
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
    curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, opts_.bearer_token.c_str());
  }
  if (form) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, form->c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(form->size()));
  }
  ++requests_;
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    std::string text = "prometheus: " + what + " at " + shown_url_ + ": " + curl_easy_strerror(rc);
    switch (rc) {
      case CURLE_COULDNT_RESOLVE_HOST:
      case CURLE_COULDNT_CONNECT:
      case CURLE_OPERATION_TIMEDOUT:
      case CURLE_GOT_NOTHING:
      case CURLE_SEND_ERROR:
      case CURLE_RECV_ERROR:
      case CURLE_PARTIAL_FILE:
        throw TransientError(text);
      default:
        throw SourceError(text);
    }
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 500 || status == 429)
    throw TransientError("prometheus: " + what + " at " + shown_url_ + ": HTTP " +
                         std::to_string(status) + ": " + answer_excerpt(body));
  if (status == 401 || status == 403)
    throw SourceError("prometheus: " + what + " at " + shown_url_ + ": HTTP " +
                      std::to_string(status) +
                      " (check prometheus.username/password or bearer_token)");
  if (status != 200 && status != 400 && status != 422)  // 400/422 carry the API's error JSON
    throw SourceError("prometheus: " + what + " at " + shown_url_ + ": HTTP " +
                      std::to_string(status) + ": " + answer_excerpt(body));
  return body;
}

std::string Client::get(const std::string& path, const std::string& what) {
  return perform(path, nullptr, what);
}

std::string Client::post_form(const std::string& path, const std::string& form,
                              const std::string& what) {
  return perform(path, &form, what);
}

void Client::ready() {
  std::string body = get("/-/ready", "readiness check");
  if (body.find("Ready") == std::string::npos && body.find("ready") == std::string::npos)
    throw SourceError("prometheus: readiness check at " + shown_url_ + ": unexpected answer " +
                      answer_excerpt(body));
}

std::vector<Target> Client::targets() {
  const std::string what = "target list (/api/v1/targets)";
  return parse_targets_response(get("/api/v1/targets?state=active", what), what);
}

std::string Client::form_query(const std::string& expr) {
  char* q =
      curl_easy_escape(static_cast<CURL*>(curl_), expr.c_str(), static_cast<int>(expr.size()));
  std::string form = std::string("query=") + q;
  curl_free(q);
  return form;
}

namespace {
std::string seconds(double t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", t);
  return buf;
}
}  // namespace

QueryResult Client::query(const std::string& expr, double time) {
  const std::string what = "query `" + expr + "`";
  return parse_query_response(
      post_form("/api/v1/query", form_query(expr) + "&time=" + seconds(time), what), what);
}

QueryResult Client::query_range(const std::string& expr, double start, double end,
                                double step_seconds) {
  const std::string what = "range query `" + expr + "`";
  return parse_query_response(post_form("/api/v1/query_range",
                                        form_query(expr) + "&start=" + seconds(start) + "&end=" +
                                            seconds(end) + "&step=" + seconds(step_seconds),
                                        what),
                              what);
}

}  // namespace im::collect::prometheus
