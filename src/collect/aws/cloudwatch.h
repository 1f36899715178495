// Steps 4-5 from CloudWatch (GetMetricData), for every (instance, catalog metric) of a
// service (collect/aws/services.h says where its metrics live).
//
// With period_seconds 86400 (the default) a day is CloudWatch's own statistics over exactly
// [D 00:00, D+1 00:00): Average, Minimum, Maximum and SampleCount in one pass, then p95 in
// passes of its own. Where CloudWatch refuses percentiles (moto answers HTTP 500) or has no
// p95 for a metric, p95 comes from the day's 5-minute averages instead, and each row says
// which (DailyMetric::p95_method). With a shorter period the day's period averages go on the
// grid and steps 6-7 aggregate them like any other source.
//
// Requests carry at most 500 queries (CloudWatch's limit) and `instances_per_request`
// instances, `delay_between_batches` apart; every NextToken page is read. Throttling halves the
// queries per request (the client has already backed off and retried); each unthrottled
// request grows it again by a tenth of the limit. A batch still failing after the client's
// retries costs only its own instances: they are reported as missing, the rest is returned.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "collect/aws/client.h"
#include "collect/source.h"

namespace im::collect::aws {

struct CloudWatchService;  // collect/aws/services.h

struct CloudWatchOptions {
  int queries_per_request = 500;       // CloudWatch's limit
  int instances_per_request = 50;      // cloudwatch.batch_size; 0 = only the query limit
  double delay_between_batches = 1.0;  // seconds (waits go through the source's `sleep`)
  int period_seconds = 86400;          // 86400: the day's statistics; less: period averages
  bool percentiles = true;             // ask CloudWatch for p95 (else: from 5-minute averages)
  int fallback_period_seconds = 300;
  // The AWS JSON 1.0 protocol (bodies ~2.5 times smaller than the Query protocol's form);
  // false: the Query protocol, for an endpoint that speaks only that.
  bool json_protocol = true;
  // CloudWatch metric names per service; a service listed here collects only these.
  std::map<ServiceType, std::set<std::string>> only;
};

class CloudWatchSource final : public SampleSource {
 public:
  CloudWatchSource(const AwsOptions& opts, CredentialsProvider& credentials, CloudWatchOptions co,
                   std::function<void(double)> sleep);
  Collected collect(Day day, ServiceType service, std::span<const Instance> instances) override;
  const Traffic& traffic() const { return client_.traffic(); }
  // "CloudWatch: N requests over ..." for the traffic since the last take; "" when none.
  std::string take_usage() override;
  int queries_per_request_now() const { return limit_; }  // after adaptive shrinking

  struct Plan;
  struct Query;
  struct Batches;

 private:
  Batches run(Day day, const Plan& plan, const std::vector<Query>& queries,
              const std::function<void(size_t query, const std::vector<int64_t>& times,
                                       const std::vector<double>& values)>& on_result);
  using AddResult =
      std::function<void(const std::string& id, std::vector<int64_t>&&, std::vector<double>&&)>;
  // One batch, queries[first, first + n), every page; each result goes to `add`.
  void fetch_query(Day day, const Plan& plan, const std::vector<Query>& queries, size_t first,
                   size_t n, const AddResult& add);
  void fetch_json(Day day, const Plan& plan, const std::vector<Query>& queries, size_t first,
                  size_t n, const AddResult& add);
  CloudWatchOptions co_;
  std::function<void(double)> sleep_;
  QueryClient client_;
  int limit_;                         // queries per request now
  bool percentiles_refused_ = false;  // once refused, p95 comes from averages for the run
  bool first_request_ = true;
  std::string body_;  // the request being built (its capacity is kept)
  Traffic reported_;  // the traffic already reported by take_usage()
};

// "2026-11-20T00:05:00Z" (or "+00:00") -> Unix seconds; nullopt when unreadable.
std::optional<int64_t> parse_iso8601(const std::string& text);

}  // namespace im::collect::aws
