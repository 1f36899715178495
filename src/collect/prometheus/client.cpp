#include "collect/prometheus/client.h"

#include <curl/curl.h>

#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "collect/curl_util.h"
#include "core/text_safety.h"
#include "core/types.h"

namespace im::collect::prometheus {

namespace {

using nlohmann::json;

// Prometheus encodes sample values as strings: "1.5", "NaN", "+Inf".
double parse_value(const json& v) {
  if (!v.is_string()) throw SourceError("a sample value is not a string: " + v.dump());
  const std::string& s = v.get_ref<const std::string&>();
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0')
    throw SourceError("bad sample value '" + escape_control(s.substr(0, 40)) + "'");
  return d;
}

Labels parse_labels(const json& m) {
  Labels out;
  if (m.is_object())
    for (auto& [k, v] : m.items())
      if (v.is_string()) out[k] = v.get<std::string>();
  return out;
}

// The JSON envelope of every API answer: {"status": "success"|"error", "data": ..., ...}.
// Bytes that are not UTF-8 (a hostile or broken label) would make the whole answer unreadable:
// they become U+FFFD, the series holding them are refused where their labels are checked, and
// `replaced` says how many there were.
json parse_envelope(const std::string& body, const std::string& what, size_t* replaced = nullptr) {
  size_t bad = 0;
  json doc = json::parse(replace_invalid_utf8(body, bad), nullptr, false);
  if (replaced) *replaced = bad;
  if (doc.is_discarded())
    throw SourceError("prometheus: " + what +
                      ": the answer is not JSON (truncated, or not a "
                      "Prometheus server?): " +
                      answer_excerpt(body));
  if (!doc.is_object() || !doc.contains("status"))
    throw SourceError("prometheus: " + what +
                      ": the answer has no \"status\": " + answer_excerpt(body));
  if (doc["status"] != "success") {
    auto text = [&](const char* key, const char* def) {
      return doc.contains(key) && doc[key].is_string() ? doc[key].get<std::string>()
                                                       : std::string(def);
    };
    const std::string type = text("errorType", "unknown"), error = text("error", "");
    const std::string message =
        "prometheus: " + what + " was refused (" + type + "): " + answer_excerpt(error);
    // Prometheus gives no code for this one: its error text is the only mark, read here once.
    if (type == "execution" && error.find("too many samples") != std::string::npos)
      throw QueryTooLargeError(message);
    throw SourceError(message);
  }
  return doc;
}

// {k="v", ...} for a message, control characters escaped and cut at 160 characters.
std::string describe_labels(const json& metric) {
  std::string out;
  if (metric.is_object())
    for (auto& [k, v] : metric.items())
      out += (out.empty() ? "" : ", ") + k + "=" +
             (v.is_string() ? "\"" + v.get<std::string>() + "\"" : v.dump());
  out = escape_control(out);
  if (out.size() > 160) out = out.substr(0, 160) + "...";
  return "{" + out + "}";
}

// A series' labels: every value must be a string (the API's own form).
Labels series_labels(const json& metric) {
  if (!metric.is_object()) throw SourceError("its \"metric\" is not an object of labels");
  Labels out;
  for (auto& [k, v] : metric.items()) {
    if (!v.is_string()) throw SourceError("label " + escape_control(k) + " is not a string");
    out[k] = v.get<std::string>();
  }
  return out;
}

}  // namespace

QueryResult parse_query_response(const std::string& body, const std::string& what) {
  size_t not_utf8 = 0;
  json doc = parse_envelope(body, what, &not_utf8);
  QueryResult r;
  if (not_utf8)
    r.warnings.push_back(std::to_string(not_utf8) +
                         " byte(s) of the answer are not UTF-8 (read as U+FFFD)");
  if (doc.contains("warnings") && doc["warnings"].is_array())
    for (const auto& w : doc["warnings"])
      if (w.is_string()) r.warnings.push_back(w.get<std::string>());
  const json& data = doc["data"];
  if (!data.is_object() || !data.contains("resultType") || !data["resultType"].is_string() ||
      !data.contains("result") || !data["result"].is_array())
    throw SourceError("prometheus: " + what +
                      ": the answer has no data.resultType string and data.result list");
  const std::string type = data["resultType"].get<std::string>();
  if (type != "matrix" && type != "vector")
    throw SourceError("prometheus: " + what + ": unexpected result type '" + escape_control(type) +
                      "'");
  auto sample = [&](const json& p, double& t, double& v) {
    if (!p.is_array() || p.size() != 2 || !p[0].is_number())
      throw SourceError("a sample is not [time, \"value\"]");
    t = p[0].get<double>();
    v = parse_value(p[1]);
  };
  // A malformed series is refused alone, named with its labels; the others are kept.
  for (const auto& item : data["result"]) {
    try {
      if (!item.is_object()) throw SourceError("it is not an object");
      const Labels labels =
          series_labels(item.contains("metric") ? item["metric"] : json::object());
      if (type == "matrix") {
        Series s;
        s.labels = labels;
        const json& values = item.contains("values") ? item["values"] : json::array();
        if (!values.is_array()) throw SourceError("its \"values\" is not a list");
        s.times.resize(values.size());
        s.values.resize(values.size());
        for (size_t k = 0; k < values.size(); ++k) sample(values[k], s.times[k], s.values[k]);
        r.matrix.push_back(std::move(s));
      } else {
        Sample v;
        v.labels = labels;
        sample(item.contains("value") ? item["value"] : json(), v.time, v.value);
        r.vector.push_back(std::move(v));
      }
    } catch (const std::exception& e) {  // SourceError, or a json type error
      r.rejected.push_back(describe_labels(item.is_object() && item.contains("metric")
                                               ? item["metric"]
                                               : json::object()) +
                           ": " + e.what());
    }
  }
  return r;
}

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
  json doc = parse_envelope(get("/api/v1/targets?state=active", what), what);
  std::vector<Target> out;
  const json& active =
      doc["data"].contains("activeTargets") ? doc["data"]["activeTargets"] : json::array();
  try {
    for (const auto& t : active)
      out.push_back({parse_labels(t.value("labels", json::object())), t.value("scrapeUrl", ""),
                     t.value("health", "unknown"), t.value("lastError", "")});
  } catch (const json::exception& e) {
    throw SourceError("prometheus: " + what + ": a target is malformed: " + e.what());
  }
  return out;
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
