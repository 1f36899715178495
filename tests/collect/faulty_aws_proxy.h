// A fault injector written for the tests, never a real AWS endpoint: an HTTP proxy on a
// loopback port in front of the moto server. For each Query-protocol request the test's rule
// either answers with a fault (throttling, 503, 403, ...) or lets it through to moto, and the
// proxy records every request it saw (action, number of metric queries, headers and body).
#pragma once

#include <httplib.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace im::collect::aws {

struct SeenRequest {
  std::string action;
  int metric_queries = 0;  // GetMetricData: MetricDataQueries members
  std::string body;
  httplib::Headers headers;
};

struct Fault {
  int status;
  std::string code, message;  // answered in the request's protocol (XML or JSON)
};

inline Fault aws_error(int status, const std::string& code, const std::string& message) {
  return {status, code, message};
}

class FaultyAwsProxy {
 public:
  // `rule(request number from 0, request)`: a fault to answer, or nullopt to forward.
  FaultyAwsProxy(std::string upstream,
                 std::function<std::optional<Fault>(int, const SeenRequest&)> rule)
      : upstream_(std::move(upstream)), rule_(std::move(rule)) {
    // A content reader: cpp-httplib refuses form bodies over 8 KB (HTTP 413) otherwise.
    server_.Post("/", [this](const httplib::Request& req, httplib::Response& res,
                             const httplib::ContentReader& read) {
      SeenRequest seen;
      seen.headers = req.headers;
      read([&](const char* data, size_t n) {
        seen.body.append(data, n);
        return true;
      });
      const std::string target = req.get_header_value("X-Amz-Target");
      const bool json = !target.empty();
      if (json) {  // AWS JSON 1.0: the action names itself in X-Amz-Target
        seen.action = target.substr(target.rfind('.') + 1);
        for (size_t at = seen.body.find("\"Id\":"); at != std::string::npos;
             at = seen.body.find("\"Id\":", at + 1))
          ++seen.metric_queries;
      } else {
        auto params = httplib::Params{};
        httplib::detail::parse_query_text(seen.body, params);
        if (auto it = params.find("Action"); it != params.end()) seen.action = it->second;
        for (const auto& [k, v] : params)
          if (k.size() > 3 && k.compare(k.size() - 3, 3, ".Id") == 0 &&
              k.rfind("MetricDataQueries.member.", 0) == 0)
            ++seen.metric_queries;
      }
      int n;
      {
        std::lock_guard<std::mutex> lock(mu_);
        n = static_cast<int>(seen_.size());
        seen_.push_back(seen);
      }
      if (auto fault = rule_(n, seen)) {
        res.status = fault->status;
        if (json)
          res.set_content("{\"__type\":\"com.amazonaws.cloudwatch#" + fault->code +
                              "\",\"message\":\"" + fault->message + "\"}",
                          "application/x-amz-json-1.0");
        else
          res.set_content("<ErrorResponse><Error><Type>Sender</Type><Code>" + fault->code +
                              "</Code><Message>" + fault->message +
                              "</Message></Error><RequestId>fault-injector</RequestId>"
                              "</ErrorResponse>",
                          "text/xml");
        return;
      }
      httplib::Client up(upstream_);
      up.set_read_timeout(120, 0);
      httplib::Headers headers;
      for (const auto& [k, v] : req.headers)
        if (k != "Content-Length" && k != "Host" && k != "REMOTE_ADDR" && k != "REMOTE_PORT" &&
            k != "LOCAL_ADDR" && k != "LOCAL_PORT")
          headers.emplace(k, v);
      auto r = up.Post("/", headers, seen.body, req.get_header_value("Content-Type"));
      if (!r) {
        res.status = 502;
        return;
      }
      res.status = r->status;
      res.set_content(r->body, r->get_header_value("Content-Type"));
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 200 && !server_.is_running(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ~FaultyAwsProxy() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Closes a kept connection after it idled `seconds` (cpp-httplib: 5 s), without a word to
  // the client, as servers and load balancers do. Call before the first request.
  void close_idle_connections_after(time_t seconds) { server_.set_keep_alive_timeout(seconds); }
  std::vector<SeenRequest> seen() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }
  std::vector<SeenRequest> seen(const std::string& action) {
    std::vector<SeenRequest> out;
    for (auto& r : seen())
      if (r.action == action) out.push_back(r);
    return out;
  }

 private:
  std::string upstream_;
  std::function<std::optional<Fault>(int, const SeenRequest&)> rule_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<SeenRequest> seen_;
};

}  // namespace im::collect::aws
