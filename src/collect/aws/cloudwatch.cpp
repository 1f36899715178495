#include "collect/aws/cloudwatch.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>

#include "collect/aws/gmd_json.h"
#include "collect/aws/services.h"
#include "collect/aws/sigv4.h"
#include "collect/curl_util.h"
#include "core/catalog.h"
#include "core/day.h"

namespace im::collect::aws {

namespace {
// The statistics this file asks for; a Query holds the index.
enum Stat : uint8_t { kAverage, kMinimum, kMaximum, kSampleCount, kP95 };
constexpr std::string_view kStatNames[] = {"Average", "Minimum", "Maximum", "SampleCount", "p95"};
}  // namespace

// What one service's day asks CloudWatch: each instance and each metric once, and every
// (instance, metric) pair as two indexes. A day of 1,000 RDS instances is 14,000 pairs and
// 56,000 queries: small records keep the setup to a few milliseconds.
struct CloudWatchSource::Plan {
  struct Target {
    std::string id;
    std::vector<std::string> dimension_values;
    std::string json_dimensions;  // [{"Name":..,"Value":..}]} (JSON protocol)
  };
  struct Pair {
    uint32_t target, metric;
  };
  const CloudWatchService* def = nullptr;
  std::vector<Target> targets;
  std::vector<std::string> metrics;       // CloudWatch metric names
  std::vector<std::string> json_metrics;  // {"Namespace":..,"MetricName":..,"Dimensions":
  std::vector<Pair> pairs;

  const Target& target(size_t pair) const { return targets[pairs[pair].target]; }
  const std::string& instance(size_t pair) const { return target(pair).id; }
  const std::string& metric(size_t pair) const { return metrics[pairs[pair].metric]; }
};

// One metric query: a statistic of a pair at a period.
struct CloudWatchSource::Query {
  uint32_t pair;
  Stat stat;
  int32_t period;
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

void CloudWatchSource::fetch_query(Day day, const Plan& plan, const std::vector<Query>& queries,
                                   size_t first, size_t n, const AddResult& add) {
  const CloudWatchService& def = *plan.def;
  // The request's form, built in place: at 500 queries it is ~250 KB of ~5,000 parameters.
  std::string& form = body_;
  form.clear();
  auto put = [&form](std::string_view key, std::string_view suffix, std::string_view value) {
    if (!form.empty()) form += '&';
    form.append(key).append(suffix) += '=';
    uri_encode_to(form, value, false);
  };
  put("StartTime", "", iso(day.start_unix()));
  put("EndTime", "", iso(day.end_unix()));
  put("ScanBy", "", "TimestampAscending");
  std::string m, dm;
  for (size_t k = 0; k < n; ++k) {
    const Query& q = queries[first + k];
    const Plan::Target& target = plan.target(q.pair);
    m = "MetricDataQueries.member." + std::to_string(k + 1) + ".";
    put(m, "Id", "q" + std::to_string(first + k));
    put(m, "MetricStat.Metric.Namespace", def.ns);
    put(m, "MetricStat.Metric.MetricName", plan.metric(q.pair));
    for (size_t d = 0; d < def.dimensions.size(); ++d) {
      dm = m + "MetricStat.Metric.Dimensions.member." + std::to_string(d + 1);
      put(dm, ".Name", def.dimensions[d]);
      put(dm, ".Value", target.dimension_values[d]);
    }
    put(m, "MetricStat.Period", std::to_string(q.period));
    put(m, "MetricStat.Stat", kStatNames[q.stat]);
  }
  const size_t form_size = form.size();
  std::string token;
  do {
    form.resize(form_size);
    if (!token.empty()) put("NextToken", "", token);
    auto doc = client_.call_form("GetMetricData", form);
    auto result = doc.child("GetMetricDataResponse").child("GetMetricDataResult");
    for (auto r : result.child("MetricDataResults").children("member")) {
      std::vector<int64_t> times;
      std::vector<double> values;
      for (auto t : r.child("Timestamps").children("member")) {
        auto unix = parse_iso8601(t.child_value());
        if (!unix)
          throw SourceError("aws: monitoring GetMetricData: bad timestamp " +
                            std::string(t.child_value()));
        times.push_back(*unix);
      }
      for (auto v : r.child("Values").children("member")) {
        char* end = nullptr;
        const double x = std::strtod(v.child_value(), &end);
        if (end == v.child_value() || *end != '\0')
          throw SourceError("aws: monitoring GetMetricData: " + std::string(r.child_value("Id")) +
                            " has a bad value \"" + v.child_value() + "\"");
        values.push_back(x);
      }
      add(r.child_value("Id"), std::move(times), std::move(values));
    }
    token = result.child_value("NextToken");
  } while (!token.empty());
}

namespace {
void json_string(std::string& out, std::string_view s) {
  out += '"';
  // Names and ids rarely need an escape: then the whole string goes in at once.
  const bool plain = std::all_of(s.begin(), s.end(), [](char ch) {
    return ch != '"' && ch != '\\' && static_cast<unsigned char>(ch) >= 0x20;
  });
  if (plain) {
    out.append(s);
    out += '"';
    return;
  }
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", c);
      out += esc;
    } else {
      out += ch;
    }
  }
  out += '"';
}
// A query's JSON "Metric" object is the metric's part then the instance's:
// {"Namespace":..,"MetricName":..,"Dimensions":  +  [{"Name":..,"Value":..}]}
std::string json_metric_part(const CloudWatchService& def, const std::string& metric) {
  std::string out = "{\"Namespace\":";
  json_string(out, def.ns);
  out += ",\"MetricName\":";
  json_string(out, metric);
  return out + ",\"Dimensions\":";
}
std::string json_dimensions_part(const CloudWatchService& def,
                                 const std::vector<std::string>& dimension_values) {
  std::string out = "[";
  for (size_t d = 0; d < def.dimensions.size(); ++d) {
    out += d ? ",{\"Name\":" : "{\"Name\":";
    json_string(out, def.dimensions[d]);
    out += ",\"Value\":";
    json_string(out, dimension_values[d]);
    out += '}';
  }
  return out + "]}";
}

}  // namespace

void CloudWatchSource::fetch_json(Day day, const Plan& plan, const std::vector<Query>& queries,
                                  size_t first, size_t n, const AddResult& add) {
  std::string& body = body_;
  body.clear();
  body += "{\"StartTime\":" + std::to_string(day.start_unix()) +
          ",\"EndTime\":" + std::to_string(day.end_unix()) +
          ",\"ScanBy\":\"TimestampAscending\",\"MetricDataQueries\":[";
  char number[24];
  for (size_t k = 0; k < n; ++k) {
    const Query& q = queries[first + k];
    body += k ? ",{\"Id\":\"q" : "{\"Id\":\"q";
    body.append(number, std::to_chars(number, number + sizeof number, first + k).ptr);
    body += "\",\"MetricStat\":{\"Metric\":";
    body += plan.json_metrics[plan.pairs[q.pair].metric];
    body += plan.target(q.pair).json_dimensions;
    body += ",\"Period\":";
    body.append(number, std::to_chars(number, number + sizeof number, q.period).ptr);
    body += ",\"Stat\":\"";
    body += kStatNames[q.stat];  // nothing to escape
    body += "\"}}";              // ReturnData: true by default
  }
  body += ']';
  const size_t body_size = body.size();
  std::string token;
  do {
    body.resize(body_size);
    if (!token.empty()) {
      body += ",\"NextToken\":";
      json_string(body, token);
    }
    body += '}';
    const std::string& answer =
        client_.call_json("GraniteServiceVersion20100801.GetMetricData", body);
    const std::string error = scan_get_metric_data(
        answer, [&](GmdResult& r) { add(r.id, std::move(r.timestamps), std::move(r.values)); },
        token);
    if (!error.empty())
      throw SourceError("aws: monitoring GetMetricData: unreadable answer (" + error +
                        "): " + answer_excerpt(answer));
  } while (!token.empty());
}

CloudWatchSource::Batches CloudWatchSource::run(
    Day day, const Plan& plan, const std::vector<Query>& queries,
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
    uint32_t last_target = 0;
    while (first + n < queries.size() && n < static_cast<size_t>(limit_)) {
      const uint32_t target = plan.pairs[queries[first + n].pair].target;
      if (n == 0 || target != last_target) {
        if (instances == max_instances) break;
        ++instances;
        last_target = target;
      }
      ++n;
    }
    if (!first_request_ && co_.delay_between_batches > 0) sleep_(co_.delay_between_batches);
    first_request_ = false;

    const int64_t throttled_before = client_.traffic().throttled;
    struct Result {
      bool answered = false;
      std::vector<int64_t> times;
      std::vector<double> values;
    };
    std::vector<Result> results(n);  // by query - first
    auto add = [&](const std::string& id, std::vector<int64_t>&& times,
                   std::vector<double>&& values) {
      if (id.size() < 2 || id[0] != 'q') return;
      const size_t index = std::strtoul(id.c_str() + 1, nullptr, 10);
      if (index < first || index >= first + n) return;
      if (times.size() != values.size())
        throw SourceError("aws: monitoring GetMetricData: " + id + " has " +
                          std::to_string(times.size()) + " timestamps but " +
                          std::to_string(values.size()) + " values");
      Result& r = results[index - first];
      r.answered = true;
      if (r.times.empty()) {  // the first page of this result: take its vectors whole
        r.times = std::move(times);
        r.values = std::move(values);
      } else {
        r.times.insert(r.times.end(), times.begin(), times.end());
        r.values.insert(r.values.end(), values.begin(), values.end());
      }
    };
    try {
      if (co_.json_protocol)
        fetch_json(day, plan, queries, first, n, add);
      else
        fetch_query(day, plan, queries, first, n, add);
      for (size_t k = 0; k < n; ++k)
        if (results[k].answered) on_result(first + k, results[k].times, results[k].values);
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

std::string CloudWatchSource::take_usage() {
  Traffic t = client_.traffic();
  t -= reported_;
  reported_ = client_.traffic();
  if (t.requests == 0) return {};
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "CloudWatch: %lld requests over %lld new connection%s, %.1f MB sent, %.1f MB "
                "received, %lld retried (%lld throttled)",
                static_cast<long long>(t.requests), static_cast<long long>(t.connections),
                t.connections == 1 ? "" : "s", double(t.bytes_sent) / 1e6,
                double(t.bytes_received) / 1e6, static_cast<long long>(t.retries),
                static_cast<long long>(t.throttled));
  return buf;
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

  Plan plan;
  plan.def = def;
  for (const auto& m : inputs) {
    plan.metrics.push_back(m);
    if (co_.json_protocol) plan.json_metrics.push_back(json_metric_part(*def, m));
  }
  plan.targets.reserve(instances.size());
  for (const auto& i : instances) {
    if (i.service != service) continue;
    auto values = dimension_values(*def, i.id);
    if (values.empty()) {
      out.missing.push_back(i.id);
      out.missing_why = "instance id \"" + i.id + "\" does not name the " +
                        std::to_string(def->dimensions.size()) + " dimensions of " +
                        std::string(def->ns);
      continue;
    }
    std::string json = co_.json_protocol ? json_dimensions_part(*def, values) : "";
    plan.targets.push_back({i.id, std::move(values), std::move(json)});
  }
  plan.pairs.reserve(plan.targets.size() * plan.metrics.size());
  for (uint32_t t = 0; t < plan.targets.size(); ++t)
    for (uint32_t m = 0; m < plan.metrics.size(); ++m) plan.pairs.push_back({t, m});
  const auto pair_count = static_cast<uint32_t>(plan.pairs.size());

  std::set<std::string> missing(out.missing.begin(), out.missing.end());
  auto lose = [&](const std::vector<Query>& qs, const Batches& b) {
    for (size_t q : b.failed) missing.insert(plan.instance(qs[q].pair));
    if (!b.error.empty()) out.missing_why = b.error;
  };

  if (co_.period_seconds < static_cast<int>(Day::kSecondsPerDay)) {
    // Period averages on the grid: steps 6-7 aggregate them.
    std::vector<Query> qs;
    qs.reserve(pair_count);
    for (uint32_t p = 0; p < pair_count; ++p) qs.push_back({p, kAverage, co_.period_seconds});
    std::map<size_t, RawSeries> series;
    auto b = run(day, plan, qs, [&](size_t q, const auto& times, const auto& values) {
      if (times.empty()) return;  // no datapoint: no row, never a zero
      RawSeries& rs = series[qs[q].pair];
      if (rs.values.empty()) {
        rs.service = service;
        rs.instance_id = plan.instance(qs[q].pair);
        rs.source_metric = plan.metric(qs[q].pair);
        rs.start_grid(day.start_unix(), co_.period_seconds);
      }
      for (size_t k = 0; k < times.size(); ++k) rs.place(static_cast<double>(times[k]), values[k]);
    });
    lose(qs, b);
    for (auto& [p, rs] : series)
      if (!missing.count(rs.instance_id)) out.series.push_back(std::move(rs));
    out.missing.assign(missing.begin(), missing.end());
    return out;
  }

  // 1. The day's Average, Minimum, Maximum and SampleCount.
  std::vector<Query> qs;
  qs.reserve(size_t{pair_count} * 4);
  for (uint32_t p = 0; p < pair_count; ++p)
    for (Stat stat : {kAverage, kMinimum, kMaximum, kSampleCount})
      qs.push_back({p, stat, co_.period_seconds});
  std::map<uint32_t, SourceDaily> daily;  // by pair
  std::map<uint32_t, int> stats_seen;
  auto at_day_start = [&](const std::vector<int64_t>& times,
                          const std::vector<double>& values) -> std::optional<double> {
    for (size_t k = 0; k < times.size(); ++k)
      if (times[k] == day.start_unix()) return values[k];
    return std::nullopt;
  };
  auto b = run(day, plan, qs, [&](size_t q, const auto& times, const auto& values) {
    auto v = at_day_start(times, values);
    if (!v) return;
    SourceDaily& d = daily[qs[q].pair];
    switch (qs[q].stat) {
      case kAverage:
        d.avg = *v;
        break;
      case kMinimum:
        d.min = *v;
        break;
      case kMaximum:
        d.max = *v;
        break;
      case kSampleCount:
        d.sample_count = static_cast<int32_t>(std::llround(*v));
        break;
      case kP95:
        break;
    }
    ++stats_seen[qs[q].pair];
  });
  lose(qs, b);
  std::vector<uint32_t> with_data;
  for (auto& [p, d] : daily) {
    if (stats_seen[p] != 4 || d.sample_count <= 0 || missing.count(plan.instance(p))) continue;
    d.service = service;
    d.instance_id = plan.instance(p);
    d.source_metric = plan.metric(p);
    d.expected_samples = static_cast<int32_t>(Day::kSecondsPerDay / def->resolution_seconds);
    d.p95 = NAN;
    with_data.push_back(p);
  }

  // 2. p95, in passes of its own: a server that refuses percentiles fails only these.
  if (co_.percentiles && !percentiles_refused_ && !with_data.empty()) {
    std::vector<Query> pq;
    for (uint32_t p : with_data) pq.push_back({p, kP95, co_.period_seconds});
    auto pb = run(day, plan, pq, [&](size_t q, const auto& times, const auto& values) {
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
  for (uint32_t p : with_data)
    if (std::isnan(daily[p].p95)) fq.push_back({p, kAverage, co_.fallback_period_seconds});
  if (!fq.empty()) {
    std::map<size_t, std::vector<double>> averages;
    auto fb = run(day, plan, fq, [&](size_t q, const auto& times, const auto& values) {
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
