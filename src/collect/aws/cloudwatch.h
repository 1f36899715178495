// Steps 4-5 from CloudWatch: GetMetricData for every (instance, catalog metric) of a service,
// the day's 5-minute Averages on the grid of [D 00:00, D+1 00:00). Up to 500 metric queries
// per request (CloudWatch's limit), every page read. Steps 6-7 then aggregate them like any
// other source, so a day's avg/min/max/p95 here are those of the 5-minute averages.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "collect/aws/client.h"
#include "collect/source.h"

namespace im::collect::aws {

struct CloudWatchOptions {
  int queries_per_request = 500;     // CloudWatch's limit
  int instances_per_request = 0;     // cloudwatch.batch_size; 0 = only the query limit
  double delay_between_batches = 0;  // seconds
  int period_seconds = 300;
};

class CloudWatchSource final : public SampleSource {
 public:
  CloudWatchSource(const AwsOptions& opts, CredentialsProvider& credentials, CloudWatchOptions co,
                   std::function<void(double)> sleep);
  std::vector<RawSeries> collect(Day day, ServiceType service,
                                 std::span<const Instance> instances) override;
  const Traffic& traffic() const { return client_.traffic(); }

 private:
  CloudWatchOptions co_;
  std::function<void(double)> sleep_;
  QueryClient client_;
};

// "2026-11-20T00:05:00Z" (or "+00:00") -> Unix seconds; nullopt when unreadable.
std::optional<int64_t> parse_iso8601(const std::string& text);

}  // namespace im::collect::aws
