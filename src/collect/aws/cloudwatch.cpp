#include "collect/aws/cloudwatch.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cmath>
#include <map>
#include <set>

#include "collect/aws/services.h"
#include "core/catalog.h"
#include "core/day.h"

namespace im::collect::aws {

// One (instance, CloudWatch metric) of the day.
struct CloudWatchSource::Pair {
  std::string instance;
  std::vector<std::string> dimension_values;
  std::string metric;
};

// One metric query: a statistic of a pair at a period.
struct CloudWatchSource::Query {
  size_t pair;
  std::string stat;  // Average, Minimum, Maximum, SampleCount, p95
  int period;
};

// What a run of batches could not get.
struct CloudWatchSource::Batches {
  std::vector<size_t> failed;  // queries whose request failed after the client's retries
  std::string error;           // the last such failure
};

namespace {

std::string iso(int64_t unix_seconds) {
  std::string t = format_utc_timestamp(unix_seconds);  // "YYYY-MM-DD HH:MM:SS"
  t[10] = 'T';
  return t + "Z";
}

constexpr const char* kDailyStats[] = {"Average", "Minimum", "Maximum", "SampleCount"};

}  // namespace

std::optional<int64_t> parse_iso8601(const std::string& text) {
  if (text.size() < 19) return std::nullopt;
  return parse_utc_timestamp(text.substr(0, 10) + " " + text.substr(11, 8));
}

CloudWatchSource::CloudWatchSource(const AwsOptions& opts, CredentialsProvider& credentials,
                                   CloudWatchOptions co, std::function<void(double)> sleep)
    : co_(co),
      sleep_(std::move(sleep)),
      client_("monitoring", "CLOUDWATCH", "2010-08-01", opts, &credentials),
      limit_(std::clamp(co.queries_per_request, 1, 500)) {}

CloudWatchSource::Batches CloudWatchSource::run(
    Day day, const CloudWatchService& def, const std::vector<Pair>& pairs,
    const std::vector<Query>& queries,
    const std::function<void(size_t, const std::vector<int64_t>&, const std::vector<double>&)>&
        on_result) {
  Batches out;
  const size_t max_instances =
      co_.instances_per_request > 0 ? static_cast<size_t>(co_.instances_per_request) : SIZE_MAX;
  const int max_limit = std::clamp(co_.queries_per_request, 1, 500);
  for (size_t first = 0; first < queries.size();) {
    // A batch: up to limit_ queries and max_instances instances (queries come grouped by
    // instance).
    size_t n = 0, instances = 0;
    const std::string* last_instance = nullptr;
    while (first + n < queries.size() && n < static_cast<size_t>(limit_)) {
      const std::string& inst = pairs[queries[first + n].pair].instance;
      if (!last_instance || *last_instance != inst) {
        if (instances == max_instances) break;
        ++instances;
        last_instance = &inst;
      }
      ++n;
    }
    if (!first_request_ && co_.delay_between_batches > 0) sleep_(co_.delay_between_batches);
    first_request_ = false;

    std::vector<std::pair<std::string, std::string>> params = {{"StartTime", iso(day.start_unix())},
                                                               {"EndTime", iso(day.end_unix())},
                                                               {"ScanBy", "TimestampAscending"}};
    for (size_t k = 0; k < n; ++k) {
      const Query& q = queries[first + k];
      const Pair& p = pairs[q.pair];
      const std::string m = "MetricDataQueries.member." + std::to_string(k + 1) + ".";
      params.insert(params.end(), {{m + "Id", "q" + std::to_string(first + k)},
                                   {m + "MetricStat.Metric.Namespace", std::string(def.ns)},
                                   {m + "MetricStat.Metric.MetricName", p.metric}});
      for (size_t d = 0; d < def.dimensions.size(); ++d) {
        const std::string dm = m + "MetricStat.Metric.Dimensions.member." + std::to_string(d + 1);
        params.emplace_back(dm + ".Name", std::string(def.dimensions[d]));
        params.emplace_back(dm + ".Value", p.dimension_values[d]);
      }
      params.insert(params.end(), {{m + "MetricStat.Period", std::to_string(q.period)},
                                   {m + "MetricStat.Stat", q.stat},
                                   {m + "ReturnData", "true"}});
    }

    const int64_t throttled_before = client_.traffic().throttled;
    std::map<size_t, std::pair<std::vector<int64_t>, std::vector<double>>> results;
    try {
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
          auto& [times, values] = results[index];
          for (auto t : r.node().child("Timestamps").children("member")) {
            auto unix = parse_iso8601(t.child_value());
            if (!unix)
              throw SourceError("aws: monitoring GetMetricData: bad timestamp " +
                                std::string(t.child_value()));
            times.push_back(*unix);
          }
          for (auto v : r.node().child("Values").children("member")) {
            char* end = nullptr;
            const double x = std::strtod(v.child_value(), &end);
            if (end == v.child_value() || *end != '\0')
              throw SourceError("aws: monitoring GetMetricData: " + id + " has a bad value \"" +
                                v.child_value() + "\"");
            values.push_back(x);
          }
          if (times.size() != values.size())
            throw SourceError("aws: monitoring GetMetricData: " + id + " has " +
                              std::to_string(times.size()) + " timestamps but " +
                              std::to_string(values.size()) + " values");
        }
        token = doc.select_node("//GetMetricDataResult/NextToken").node().child_value();
      } while (!token.empty());
      for (const auto& [index, tv] : results) on_result(index, tv.first, tv.second);
    } catch (const TransientError& e) {
      // The client already backed off and retried: these queries are lost for this run.
      for (size_t k = 0; k < n; ++k) out.failed.push_back(first + k);
      out.error = e.what();
    }
    if (client_.traffic().throttled > throttled_before)
      limit_ = std::max(1, limit_ / 2);
    else
      limit_ = std::min(max_limit, limit_ + std::max(1, max_limit / 10));
    first += n;
  }
  return out;
}

Collected CloudWatchSource::collect(Day day, ServiceType service,
                                    std::span<const Instance> instances) {
  Collected out;
  const CloudWatchService* def = cloudwatch_service(service);
  if (!def) return out;
  std::set<std::string> inputs;  // the CloudWatch metric names the catalog reads
  const auto only = co_.only.find(service);
  for (const MetricDef& d : metric_catalog())
    if (d.service == service && d.source == "cloudwatch" &&
        (only == co_.only.end() || only->second.count(std::string(d.input))))
      inputs.insert(std::string(d.input));

  std::vector<Pair> pairs;
  for (const auto& i : instances) {
    if (i.service != service) continue;
    auto values = def->dimensions.size() == 1 ? std::vector<std::string>{i.id}
                                              : dimension_values(*def, i.id);
    if (values.empty()) {
      out.missing.push_back(i.id);
      out.missing_why = "instance id \"" + i.id + "\" does not name the " +
                        std::to_string(def->dimensions.size()) + " dimensions of " +
                        std::string(def->ns);
      continue;
    }
    for (const auto& m : inputs) pairs.push_back({i.id, values, m});
  }
  std::set<std::string> missing(out.missing.begin(), out.missing.end());
  auto lose = [&](const std::vector<Query>& qs, const Batches& b) {
    for (size_t q : b.failed) missing.insert(pairs[qs[q].pair].instance);
    if (!b.error.empty()) out.missing_why = b.error;
  };

  if (co_.period_seconds < static_cast<int>(Day::kSecondsPerDay)) {
    // Period averages on the grid: steps 6-7 aggregate them.
    std::vector<Query> qs;
    for (size_t p = 0; p < pairs.size(); ++p) qs.push_back({p, "Average", co_.period_seconds});
    const int slots = static_cast<int>(Day::kSecondsPerDay / co_.period_seconds);
    std::map<size_t, RawSeries> series;
    auto b = run(day, *def, pairs, qs, [&](size_t q, const auto& times, const auto& values) {
      if (times.empty()) return;  // no datapoint: no row, never a zero
      RawSeries& rs = series[qs[q].pair];
      if (rs.values.empty()) {
        rs.service = service;
        rs.instance_id = pairs[qs[q].pair].instance;
        rs.source_metric = pairs[qs[q].pair].metric;
        rs.start_unix = day.start_unix();
        rs.step_seconds = co_.period_seconds;
        rs.values.assign(static_cast<size_t>(slots), NAN);
      }
      for (size_t k = 0; k < times.size(); ++k) {
        const int64_t offset = times[k] - day.start_unix();
        if (offset < 0 || offset >= Day::kSecondsPerDay) continue;
        rs.values[static_cast<size_t>(offset / co_.period_seconds)] = values[k];
      }
    });
    lose(qs, b);
    for (auto& [p, rs] : series)
      if (!missing.count(rs.instance_id)) out.series.push_back(std::move(rs));
    out.missing.assign(missing.begin(), missing.end());
    return out;
  }

  // 1. The day's Average, Minimum, Maximum and SampleCount.
  std::vector<Query> qs;
  for (size_t p = 0; p < pairs.size(); ++p)
    for (const char* stat : kDailyStats) qs.push_back({p, stat, co_.period_seconds});
  std::map<size_t, SourceDaily> daily;  // by pair
  std::map<size_t, int> stats_seen;
  auto at_day_start = [&](const std::vector<int64_t>& times, const std::vector<double>& values)
      -> std::optional<double> {
    for (size_t k = 0; k < times.size(); ++k)
      if (times[k] == day.start_unix()) return values[k];
    return std::nullopt;
  };
  auto b = run(day, *def, pairs, qs, [&](size_t q, const auto& times, const auto& values) {
    auto v = at_day_start(times, values);
    if (!v) return;
    SourceDaily& d = daily[qs[q].pair];
    const std::string& stat = qs[q].stat;
    if (stat == "Average") d.avg = *v;
    if (stat == "Minimum") d.min = *v;
    if (stat == "Maximum") d.max = *v;
    if (stat == "SampleCount") d.sample_count = static_cast<int32_t>(std::llround(*v));
    ++stats_seen[qs[q].pair];
  });
  lose(qs, b);
  std::vector<size_t> with_data;
  for (auto& [p, d] : daily) {
    if (stats_seen[p] != 4 || d.sample_count <= 0 || missing.count(pairs[p].instance)) continue;
    d.service = service;
    d.instance_id = pairs[p].instance;
    d.source_metric = pairs[p].metric;
    d.expected_samples = static_cast<int32_t>(Day::kSecondsPerDay / def->resolution_seconds);
    d.p95 = NAN;
    with_data.push_back(p);
  }

  // 2. p95, in passes of its own: a server that refuses percentiles fails only these.
  if (co_.percentiles && !percentiles_refused_ && !with_data.empty()) {
    std::vector<Query> pq;
    for (size_t p : with_data) pq.push_back({p, "p95", co_.period_seconds});
    auto pb = run(day, *def, pairs, pq, [&](size_t q, const auto& times, const auto& values) {
      if (auto v = at_day_start(times, values)) {
        daily[pq[q].pair].p95 = *v;
        daily[pq[q].pair].p95_method = "cloudwatch";
      }
    });
    if (!pb.failed.empty()) {
      percentiles_refused_ = true;
      out.notes.push_back("CloudWatch did not answer p95 (" + pb.error +
                          "): p95 comes from the day's " +
                          std::to_string(co_.fallback_period_seconds) +
                          "-second averages for the rest of this run (p95_method averages_" +
                          std::to_string(co_.fallback_period_seconds) + "s)");
    }
  }

  // 3. p95 from the day's 5-minute averages where CloudWatch gave none.
  std::vector<Query> fq;
  for (size_t p : with_data)
    if (std::isnan(daily[p].p95)) fq.push_back({p, "Average", co_.fallback_period_seconds});
  if (!fq.empty()) {
    std::map<size_t, std::vector<double>> averages;
    auto fb = run(day, *def, pairs, fq, [&](size_t q, const auto& times, const auto& values) {
      auto& v = averages[fq[q].pair];
      for (size_t k = 0; k < times.size(); ++k)
        if (times[k] >= day.start_unix() && times[k] < day.end_unix()) v.push_back(values[k]);
    });
    lose(fq, fb);
    for (auto& [p, v] : averages) {
      if (v.empty()) continue;
      std::sort(v.begin(), v.end());
      daily[p].p95 = quantile_sorted(v, 0.95);
      daily[p].p95_method = "averages_" + std::to_string(co_.fallback_period_seconds) + "s";
    }
  }

  for (size_t p : with_data) {
    SourceDaily& d = daily[p];
    if (missing.count(d.instance_id)) continue;
    if (std::isnan(d.p95)) {
      // Statistics but no datapoint at 5 minutes (a metric published less often): the
      // day's maximum bounds p95 from above, but a made-up value is worse than none.
      out.notes.push_back(d.instance_id + " " + d.source_metric +
                          ": no p95 and no 5-minute averages; the row is not stored");
      continue;
    }
    out.daily.push_back(std::move(d));
  }
  out.missing.assign(missing.begin(), missing.end());
  return out;
}

}  // namespace im::collect::aws
