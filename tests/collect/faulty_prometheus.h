// A fault injector written for the tests, never a real Prometheus: an HTTP server on a
// loopback port that answers the API paths the client uses the way the test tells it to
// (garbage, HTML, truncated JSON, 5xx, a hang, or a scripted sequence).
#pragma once

#include <httplib.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "collect/prometheus/client.h"

namespace im::collect::prometheus {

class FaultyPrometheus {
 public:
  explicit FaultyPrometheus(std::function<void(const httplib::Request&, httplib::Response&)> fn) {
    server_.Post("/api/v1/query", fn);
    server_.Get("/api/v1/targets", fn);
    server_.Get("/-/ready", fn);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 200 && !server_.is_running(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ~FaultyPrometheus() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  Client client(double timeout = 5) {
    return Client(ClientOptions{url(), timeout, "", "", "", ""});
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace im::collect::prometheus
