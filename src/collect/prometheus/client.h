// A Prometheus HTTP API client (libcurl; answers read with simdjson): /-/ready, /api/v1/targets,
// /api/v1/query, /api/v1/query_range. Every failure names the request: unreachable, timed out and
// 5xx answers are TransientError (the pipeline re-runs the step with backoff); a refused query, an
// HTML page or a truncated body is SourceError.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/types.h"

namespace im::collect::prometheus {

// A query Prometheus refused because its answer would hold more samples than the server
// allows (--query.max-samples; errorType "execution"). The caller can ask for less at once.
struct QueryTooLargeError : SourceError {
  using SourceError::SourceError;
};

struct ClientOptions {
  std::string url;  // e.g. http://prom:9090 (no trailing slash needed)
  double timeout_seconds = 30;
  std::string username, password;  // basic auth (password is a secret)
  std::string bearer_token;        // Authorization: Bearer (a secret)
  std::string ca_file;             // CA bundle for https
};

using Labels = std::map<std::string, std::string>;

struct Target {
  Labels labels;                               // after relabelling: job, instance, ...
  std::string scrape_url, health, last_error;  // health: up | down | unknown
};

// One series of a range-vector result: the raw samples, timestamps in seconds (ms precision).
struct Series {
  Labels labels;
  std::vector<double> times, values;
};

// One element of an instant-vector result.
struct Sample {
  Labels labels;
  double time = 0, value = 0;
};

struct QueryResult {
  std::vector<Series> matrix;  // for range-vector expressions
  std::vector<Sample> vector;  // for instant-vector expressions
  std::vector<std::string> warnings;
  // Series refused for what they hold (a label or value of the wrong type), each as
  // "{labels}: reason"; the others are kept.
  std::vector<std::string> rejected;
};

class Client {
 public:
  explicit Client(ClientOptions opts);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Throws unless /-/ready answers 200.
  void ready();
  // The active targets (all jobs).
  std::vector<Target> targets();
  // An instant query evaluated at `time` (Unix seconds, ms precision).
  QueryResult query(const std::string& expr, double time);
  // A range query: `expr` evaluated every `step_seconds` from `start` to `end` (a matrix of at
  // most 11,000 points per series). Resampled at the step, not raw samples: the collector
  // reads days with range-vector instant queries instead.
  QueryResult query_range(const std::string& expr, double start, double end, double step_seconds);

  const std::string& url() const { return opts_.url; }
  int64_t requests() const { return requests_; }

 private:
  std::string get(const std::string& path, const std::string& what);
  std::string post_form(const std::string& path, const std::string& form, const std::string& what);
  std::string perform(const std::string& path, const std::string* form, const std::string& what);
  std::string form_query(const std::string& expr);  // "query=<url-encoded expr>"

  ClientOptions opts_;
  std::string shown_url_;  // opts_.url with its password masked, for messages
  void* curl_ = nullptr;   // CURL*, kept for connection reuse
  int64_t requests_ = 0;
};

// Parse Prometheus API answers (the JSON envelope, then a query's result or the active
// targets); `what` names the request in errors. Public for the tests (answer.cpp).
QueryResult parse_query_response(const std::string& body, const std::string& what);
std::vector<Target> parse_targets_response(const std::string& body, const std::string& what);

}  // namespace im::collect::prometheus
