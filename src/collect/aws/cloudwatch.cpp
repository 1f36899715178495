#include "collect/aws/cloudwatch.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "core/catalog.h"
#include "core/day.h"
#include "core/types.h"

namespace im::collect::aws {

namespace {

struct Dim {
  const char* ns;
  const char* dimension;
};

std::optional<Dim> dimension_of(ServiceType s) {
  switch (s) {
    case ServiceType::RDS:
      return Dim{"AWS/RDS", "DBInstanceIdentifier"};
    case ServiceType::EC2:
      return Dim{"AWS/EC2", "InstanceId"};
    default:
      return std::nullopt;
  }
}

std::string iso(int64_t unix_seconds) {
  std::string t = format_utc_timestamp(unix_seconds);  // "YYYY-MM-DD HH:MM:SS"
  t[10] = 'T';
  return t + "Z";
}

}  // namespace

std::optional<int64_t> parse_iso8601(const std::string& text) {
  if (text.size() < 19) return std::nullopt;
  return parse_utc_timestamp(text.substr(0, 10) + " " + text.substr(11, 8));
}

CloudWatchSource::CloudWatchSource(const AwsOptions& opts, CredentialsProvider& credentials,
                                   CloudWatchOptions co, std::function<void(double)> sleep)
    : co_(co),
      sleep_(std::move(sleep)),
      client_("monitoring", "CLOUDWATCH", "2010-08-01", opts, &credentials) {}

std::vector<RawSeries> CloudWatchSource::collect(Day day, ServiceType service,
                                                 std::span<const Instance> instances) {
  std::vector<RawSeries> out;
  const auto dim = dimension_of(service);
  if (!dim) return out;
  std::set<std::string> inputs;  // the CloudWatch metric names the catalog reads
  for (const MetricDef& d : metric_catalog())
    if (d.service == service) inputs.insert(std::string(d.input));
  struct Query {
    std::string instance, metric;
  };
  std::vector<Query> queries;
  for (const auto& i : instances)
    for (const auto& m : inputs) queries.push_back({i.id, m});

  const int slots = static_cast<int>(Day::kSecondsPerDay / co_.period_seconds);
  size_t per = static_cast<size_t>(std::max(1, co_.queries_per_request));
  if (co_.instances_per_request > 0)
    per = std::min(per, static_cast<size_t>(co_.instances_per_request) * inputs.size());
  for (size_t first = 0; first < queries.size(); first += per) {
    if (first > 0 && co_.delay_between_batches > 0) sleep_(co_.delay_between_batches);
    const size_t n = std::min(per, queries.size() - first);
    std::vector<std::pair<std::string, std::string>> params = {{"StartTime", iso(day.start_unix())},
                                                               {"EndTime", iso(day.end_unix())},
                                                               {"ScanBy", "TimestampAscending"}};
    for (size_t k = 0; k < n; ++k) {
      const Query& q = queries[first + k];
      const std::string p = "MetricDataQueries.member." + std::to_string(k + 1) + ".";
      params.insert(params.end(),
                    {{p + "Id", "q" + std::to_string(first + k)},
                     {p + "MetricStat.Metric.Namespace", dim->ns},
                     {p + "MetricStat.Metric.MetricName", q.metric},
                     {p + "MetricStat.Metric.Dimensions.member.1.Name", dim->dimension},
                     {p + "MetricStat.Metric.Dimensions.member.1.Value", q.instance},
                     {p + "MetricStat.Period", std::to_string(co_.period_seconds)},
                     {p + "MetricStat.Stat", "Average"},
                     {p + "ReturnData", "true"}});
    }
    std::map<size_t, RawSeries> series;  // query index -> series, across pages
    std::string token;
    do {
      auto page = params;
      if (!token.empty()) page.emplace_back("NextToken", token);
      auto doc = client_.call("GetMetricData", page);
      for (auto r : doc.select_nodes("//MetricDataResults/member")) {
        const std::string id = r.node().child_value("Id");
        if (id.size() < 2 || id[0] != 'q') continue;
        const size_t index = std::stoul(id.substr(1));
        if (index < first || index >= first + n) continue;
        std::vector<std::string> times, values;
        for (auto t : r.node().child("Timestamps").children("member"))
          times.push_back(t.child_value());
        for (auto v : r.node().child("Values").children("member"))
          values.push_back(v.child_value());
        if (times.size() != values.size())
          throw SourceError("aws: monitoring GetMetricData: " + id + " has " +
                            std::to_string(times.size()) + " timestamps but " +
                            std::to_string(values.size()) + " values");
        if (times.empty()) continue;  // no datapoint: no row, never a zero
        auto [it, fresh] = series.try_emplace(index);
        RawSeries& rs = it->second;
        if (fresh) {
          rs.service = service;
          rs.instance_id = queries[index].instance;
          rs.source_metric = queries[index].metric;
          rs.start_unix = day.start_unix();
          rs.step_seconds = co_.period_seconds;
          rs.values.assign(static_cast<size_t>(slots), NAN);
        }
        for (size_t k = 0; k < times.size(); ++k) {
          auto t = parse_iso8601(times[k]);
          if (!t) throw SourceError("aws: monitoring GetMetricData: bad timestamp " + times[k]);
          const int64_t offset = *t - day.start_unix();
          if (offset < 0 || offset >= Day::kSecondsPerDay) continue;
          rs.values[static_cast<size_t>(offset / co_.period_seconds)] = std::stod(values[k]);
        }
      }
      token = doc.select_node("//GetMetricDataResult/NextToken").node().child_value();
    } while (!token.empty());
    for (auto& [index, rs] : series) out.push_back(std::move(rs));
  }
  return out;
}

}  // namespace im::collect::aws
