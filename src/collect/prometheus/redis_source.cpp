#include "collect/prometheus/redis_source.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/catalog.h"

namespace im::collect::prometheus {

double day_eval_time(Day day) {
  return static_cast<double>(day.end_unix()) - 0.001;
}

RedisSource::RedisSource(Client& client, RedisSourceOptions opts)
    : client_(client), opts_(std::move(opts)) {}

std::string RedisSource::selector(const std::string& metric,
                                  std::span<const std::string> only) const {
  auto quoted = [](const std::string& v, bool regex) {
    std::string out;
    for (char c : v) {
      if (regex && std::string_view(".+*?()|[]{}^$\\").find(c) != std::string_view::npos)
        out += "\\\\";  // a backslash for the regex, escaped for the PromQL string
      else if (c == '"' || c == '\\')
        out += '\\';
      out += c;
    }
    return out;
  };
  std::vector<std::string> matchers;
  if (!opts_.job.empty()) matchers.push_back("job=\"" + quoted(opts_.job, false) + "\"");
  if (!only.empty()) {
    std::string alternatives;
    for (const auto& i : only) alternatives += (alternatives.empty() ? "" : "|") + quoted(i, true);
    matchers.push_back(opts_.instance_label + "=~\"" + alternatives + "\"");
  }
  std::string out = metric;
  for (size_t i = 0; i < matchers.size(); ++i) out += (i ? "," : "{") + matchers[i];
  return matchers.empty() ? out : out + "}";
}

// One metric for the day. When Prometheus refuses the answer as too large (its
// --query.max-samples), the instances are split in halves, recursively.
void RedisSource::fetch(const std::string& metric, Day day, std::span<const std::string> only,
                        std::vector<Series>& out) {
  try {
    auto r = query(selector(metric, only) + kDayRange, day);
    out.insert(out.end(), std::make_move_iterator(r.matrix.begin()),
               std::make_move_iterator(r.matrix.end()));
  } catch (const QueryTooLargeError&) {
    if (only.size() <= 1) throw;
    const size_t half = only.size() / 2;
    fetch(metric, day, only.subspan(0, half), out);
    fetch(metric, day, only.subspan(half), out);
  }
}

QueryResult RedisSource::query(const std::string& expr, Day day) {
  auto r = client_.query(expr, day_eval_time(day));
  for (const auto& w : r.warnings) warnings_.push_back("query `" + expr + "`: " + w);
  for (const auto& x : r.rejected)
    warnings_.push_back("query `" + expr + "`: series " + x + " refused");
  return r;
}

TargetHealth RedisSource::health() {
  client_.ready();
  TargetHealth h;
  for (const Target& t : client_.targets()) {
    auto job = t.labels.find("job");
    if (!opts_.job.empty() && (job == t.labels.end() || job->second != opts_.job)) continue;
    if (t.health == "up") {
      ++h.up;
    } else if (t.health == "down") {
      ++h.down;
      auto inst = t.labels.find(opts_.instance_label);
      h.down_targets.push_back((inst != t.labels.end() ? inst->second : t.scrape_url) +
                               (t.last_error.empty() ? "" : " (" + t.last_error + ")"));
    } else {
      ++h.unknown;
    }
  }
  return h;
}

std::vector<Instance> RedisSource::discover(Day day, std::span<const ServiceType> services) {
  std::vector<Instance> out;
  if (std::find(services.begin(), services.end(), ServiceType::REDIS) == services.end()) return out;
  // Every instance with an exporter sample during the day, and its maxmemory.
  auto seen = query("max by (" + opts_.instance_label + ") (max_over_time(" +
                        selector("redis_up", {}) + kDayRange + "))",
                    day);
  auto maxmem = query("max by (" + opts_.instance_label + ") (max_over_time(" +
                          selector("redis_memory_max_bytes", {}) + kDayRange + "))",
                      day);
  std::map<std::string, double> max_bytes;
  for (const auto& s : maxmem.vector) {
    const std::string id =
        s.labels.count(opts_.instance_label) ? s.labels.at(opts_.instance_label) : "";
    if (!std::isfinite(s.value) || s.value < 0) {  // not a size: maxmemory unknown
      warnings_.push_back("instance " + id + ": redis_memory_max_bytes is " +
                          std::to_string(s.value) + ", not a size; maxmemory taken as unknown");
      continue;
    }
    max_bytes[id] = s.value;
  }
  for (const auto& s : seen.vector) {
    auto it = s.labels.find(opts_.instance_label);
    if (it == s.labels.end() || it->second.empty()) continue;
    Instance i;
    i.service = ServiceType::REDIS;
    i.id = i.name = it->second;
    i.engine = "redis";
    i.source = "prometheus";
    i.max_memory_bytes = max_bytes.count(i.id) ? max_bytes[i.id] : 0;
    if (!opts_.job.empty()) i.tags["job"] = opts_.job;
    out.push_back(std::move(i));
  }
  std::sort(out.begin(), out.end(),
            [](const Instance& a, const Instance& b) { return a.id < b.id; });
  return out;
}

std::vector<RawSeries> RedisSource::collect_series(Day day, ServiceType service,
                                                   std::span<const Instance> instances) {
  std::vector<RawSeries> out;
  if (service != ServiceType::REDIS) return out;
  std::set<std::string> wanted;
  for (const auto& i : instances) wanted.insert(i.id);
  const std::vector<std::string> ids(wanted.begin(), wanted.end());
  for (const std::string& metric : opts_.metrics) {
    const std::string name(catalog_input(ServiceType::REDIS, metric));
    if (name.empty()) continue;  // validated in the configuration
    std::vector<Series> matrix;
    try {
      fetch(metric, day, {}, matrix);  // every instance at once
    } catch (const QueryTooLargeError&) {
      if (ids.size() < 2) throw;
      matrix.clear();  // split by instance, in halves
      const std::span<const std::string> all(ids);
      fetch(metric, day, all.subspan(0, all.size() / 2), matrix);
      fetch(metric, day, all.subspan(all.size() / 2), matrix);
    }
    for (const Series& s : matrix) {
      auto inst = s.labels.find(opts_.instance_label);
      if (inst == s.labels.end() || !wanted.count(inst->second)) continue;
      RawSeries rs;
      rs.service = ServiceType::REDIS;
      rs.instance_id = inst->second;
      rs.source_metric = name;
      for (const auto& [k, v] : s.labels)  // labels that split a metric, e.g. db="db0"
        if (k != "__name__" && k != "job" && k != opts_.instance_label)
          rs.labels += (rs.labels.empty() ? "" : ",") + k + "=" + v;
      rs.start_grid(day.start_unix(), opts_.step_seconds);
      for (size_t k = 0; k < s.times.size(); ++k) rs.place(s.times[k], s.values[k]);
      out.push_back(std::move(rs));
    }
  }
  return out;
}

}  // namespace im::collect::prometheus
