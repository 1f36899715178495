#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "config/settings.h"
#include "core/catalog.h"
#include "core/text_safety.h"
#include "core/types.h"

extern char** environ;

namespace im {

namespace {

// A raw value and the place it came from, for error messages.
struct Raw {
  std::string value;
  std::string origin;
  bool secret = false;
  std::string key = {};  // name shown in messages when it differs from the registry key
  // Only the defaults of ${VAR:-default} made it: the file names no value of its own (the
  // shipped storage.url is such a fallback, which the guide's DB_HOST must win over).
  bool fallback = false;
  // A YAML sequence's items, each read as one item (a comma inside one stays in it). Unset for
  // a scalar, an environment variable or a command-line flag: their text is a comma-separated
  // list.
  std::optional<std::vector<std::string>> items = {};
};

// A password in a URL's user part (scheme://user:secret@host) is masked too.
std::string quote_value(const Raw& r) {
  return r.secret ? "\"***\"" : "\"" + escape_control(mask_url_credentials(r.value)) + "\"";
}

[[noreturn]] void fail(const std::string& key, const Raw& r, const std::string& allowed) {
  throw ConfigError("invalid configuration: " + (r.key.empty() ? key : r.key) + " = " +
                    quote_value(r) + " (from " + r.origin + "): " + allowed);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}
std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

// Comma-separated list; accepts an optional surrounding [ ] as in "[1, 2, 3]".
std::vector<std::string> split_list(std::string v) {
  v = trim(v);
  if (v.size() >= 2 && v.front() == '[' && v.back() == ']') v = v.substr(1, v.size() - 2);
  std::vector<std::string> out;
  std::stringstream ss(v);
  std::string item;
  while (std::getline(ss, item, ',')) {
    item = trim(item);
    if (item.size() >= 2 && (item.front() == '"' || item.front() == '\'') &&
        item.back() == item.front())
      item = item.substr(1, item.size() - 2);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// The items of a list setting: a YAML sequence as it was written, text split at its commas.
std::vector<std::string> list_items(const Raw& r) {
  if (!r.items) return split_list(r.value);
  std::vector<std::string> out;
  for (const auto& i : *r.items)
    if (std::string t = trim(i); !t.empty()) out.push_back(std::move(t));
  return out;
}

template <typename T>
bool parse_number(const std::string& s, T& out) {
  std::string t = trim(s);
  if (t.empty()) return false;
  if constexpr (std::is_floating_point_v<T>) {
    char* end = nullptr;
    errno = 0;
    double v = std::strtod(t.c_str(), &end);
    if (errno != 0 || end != t.c_str() + t.size() || !std::isfinite(v)) return false;
    out = static_cast<T>(v);
    return true;
  } else {
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
    return ec == std::errc() && p == t.data() + t.size();
  }
}

// ---------------------------------------------------------------------------------------
// The key registry: every configurable key, its type, default, range and aliases.

using Setter = std::function<void(Settings&, const Raw&)>;

struct KeyDef {
  std::string path;
  std::string alias;  // guide 7.1 variable name, or ""
  std::string default_value;
  std::string help;
  Setter set;
  bool secret = false;
};

template <typename Get>
Setter int_in(Get get, long lo, long hi) {
  return [=](Settings& s, const Raw& r) {
    long v = 0;
    if (!parse_number(r.value, v) || v < lo || v > hi)
      fail(r.key, r,
           "must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
    get(s) = static_cast<std::remove_reference_t<decltype(get(s))>>(v);
  };
}

std::string fmt_num(double v) {
  std::ostringstream o;
  o << v;
  return o.str();
}

// min_open: value must be > lo (true) or >= lo (false).
template <typename Get>
Setter real_in(Get get, double lo, bool lo_open, double hi) {
  return [=](Settings& s, const Raw& r) {
    double v = 0;
    bool ok = parse_number(r.value, v) && (lo_open ? v > lo : v >= lo) && v <= hi;
    if (!ok) {
      std::string range = std::string("must be a number ") + (lo_open ? "> " : ">= ") + fmt_num(lo);
      if (std::isfinite(hi)) range += " and <= " + fmt_num(hi);
      fail(r.key, r, range);
    }
    get(s) = v;
  };
}

template <typename Get>
Setter boolean(Get get) {
  return [=](Settings& s, const Raw& r) {
    std::string v = lower(trim(r.value));
    if (v == "true" || v == "1" || v == "yes" || v == "on")
      get(s) = true;
    else if (v == "false" || v == "0" || v == "no" || v == "off")
      get(s) = false;
    else
      fail(r.key, r, "must be true or false (also accepted: 1/0, yes/no, on/off)");
  };
}

template <typename Get>
Setter text(Get get) {
  return [=](Settings& s, const Raw& r) { get(s) = trim(r.value); };
}

// An enumerated setting: its words (lower case) and the enum each stands for.
template <typename Get, typename E>
Setter enum_of(Get get, std::vector<std::pair<std::string, E>> words) {
  return [=](Settings& s, const Raw& r) {
    const std::string v = lower(trim(r.value));
    for (const auto& [word, e] : words)
      if (v == word) {
        get(s) = e;
        return;
      }
    std::string list;
    for (const auto& w : words) list += (list.empty() ? "" : ", ") + w.first;
    fail(r.key, r, "must be one of: " + list);
  };
}

template <typename Get>
Setter string_list(Get get, std::function<bool(const std::string&)> ok, std::string allowed) {
  return [=](Settings& s, const Raw& r) {
    auto items = list_items(r);
    for (const auto& i : items)
      if (ok && !ok(i)) fail(r.key, r, "item \"" + i + "\" is not allowed; " + allowed);
    get(s) = items;
  };
}

// Prometheus-style duration: 30s, 5m, 1h.
bool is_duration(const std::string& v) {
  if (v.size() < 2) return false;
  char unit = v.back();
  if (unit != 's' && unit != 'm' && unit != 'h') return false;
  long n = 0;
  return parse_number(v.substr(0, v.size() - 1), n) && n > 0;
}

bool is_cron(const std::string& v) {
  std::stringstream ss(v);
  std::string f;
  int n = 0;
  while (ss >> f) {
    if (f.find_first_not_of("0123456789*/,-") != std::string::npos) return false;
    ++n;
  }
  return n == 5;
}

// The statistics the daily row is made of: avg, min, max and (optionally) CloudWatch's p95.
bool is_statistic(const std::string& v) {
  return v == "Average" || v == "Maximum" || v == "Minimum" || v == "p95";
}

#define F(member)             \
  [](Settings & s) -> auto& { \
    return s.member;          \
  }

// A list default as the registry documents it: the struct's own items, comma-separated.
std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

const std::vector<KeyDef>& registry() {
  static const std::vector<KeyDef> keys = {
      {"pipeline.schedule_cron", "", "0 6 * * *",
       "cron expression of the daily run (for the scheduler you install)",
       [](Settings& s, const Raw& r) {
         if (!is_cron(trim(r.value)))
           fail(r.key, r, "must be a 5-field cron expression, e.g. \"0 6 * * *\"");
         s.pipeline.schedule_cron = trim(r.value);
       }},
      {"pipeline.timezone", "", "UTC", "time zone of the daily boundaries; only UTC is supported",
       [](Settings& s, const Raw& r) {
         if (trim(r.value) != "UTC")
           fail(r.key, r, "must be UTC (every daily aggregate is a UTC day)");
         s.pipeline.timezone = "UTC";
       }},
      {"pipeline.max_retries", "", "3", "retries of a transient source or database failure",
       int_in(F(pipeline.max_retries), 0, 20)},
      {"pipeline.retry_delay_seconds", "", "60", "base delay between retries (exponential backoff)",
       real_in(F(pipeline.retry_delay_seconds), 0, false, 3600)},
      {"pipeline.dry_run", "DRY_RUN", "false", "collect and compute but write nothing",
       boolean(F(pipeline.dry_run))},
      {"source", "", "simulate", "simulate (built-in simulated fleet) or live (Prometheus and AWS)",
       enum_of(F(source), std::vector<std::pair<std::string, Settings::Source>>{
                              {"simulate", Settings::Source::SIMULATE},
                              {"live", Settings::Source::LIVE}})},
      {"simulate.seed", "", "42", "seed of the simulated fleet (same seed, same data)",
       [](Settings& s, const Raw& r) {
         uint64_t v = 0;
         if (!parse_number(r.value, v)) fail(r.key, r, "must be a whole number >= 0");
         s.simulate.seed = v;
       }},
      {"simulate.redis_instances", "", "76", "simulated Redis instances",
       int_in(F(simulate.redis_instances), 0, 100000)},
      {"simulate.rds_instances", "", "62", "simulated RDS instances",
       int_in(F(simulate.rds_instances), 0, 100000)},
      {"simulate.ec2_instances", "", "20", "simulated EC2 instances (only with ENABLE_EC2)",
       int_in(F(simulate.ec2_instances), 0, 100000)},
      {"prometheus.url", "PROMETHEUS_URL", "", "Prometheus server URL, e.g. http://prom:9090",
       [](Settings& s, const Raw& r) {
         std::string v = trim(r.value);
         if (!v.empty() && !v.starts_with("http://") && !v.starts_with("https://"))
           fail(r.key, r, "must start with http:// or https://");
         while (!v.empty() && v.back() == '/') v.pop_back();
         s.prometheus.url = v;
       }},
      {"prometheus.timeout_seconds", "", "30", "HTTP timeout per request",
       real_in(F(prometheus.timeout_seconds), 0, true, 3600)},
      {"prometheus.scrape_interval", "", "5m",
       "scrape interval of the Redis exporters: the sample grid of a day",
       [](Settings& s, const Raw& r) {
         const std::string v = trim(r.value);
         if (!is_duration(v)) fail(r.key, r, "must be a duration such as 30s, 5m or 1h");
         long n = 0;
         parse_number(v.substr(0, v.size() - 1), n);
         const long secs = n * (v.back() == 'h' ? 3600 : v.back() == 'm' ? 60 : 1);
         if (86400 % secs != 0) fail(r.key, r, "must divide a day evenly (e.g. 15s, 1m, 5m)");
         s.prometheus.scrape_interval = v;
         s.prometheus.scrape_interval_seconds = static_cast<int>(secs);
       }},
      {"prometheus.job", "", "redis", "job label of the Redis exporters' targets (empty: any)",
       text(F(prometheus.job))},
      {"prometheus.instance_label", "", "instance", "label that names a Redis instance",
       text(F(prometheus.instance_label))},
      {"prometheus.username", "", "", "basic auth user", text(F(prometheus.username))},
      {"prometheus.password", "", "", "basic auth password (never logged)",
       text(F(prometheus.password)), true},
      {"prometheus.bearer_token", "", "", "bearer token (never logged)",
       text(F(prometheus.bearer_token)), true},
      {"prometheus.ca_file", "", "", "CA bundle (PEM) for an https Prometheus",
       text(F(prometheus.ca_file))},
      {"prometheus.metrics", "", joined(Settings{}.prometheus.metrics),
       "exporter metric names to collect (a name may omit the _total of a counter)",
       string_list(
           F(prometheus.metrics),
           [](const std::string& m) { return !catalog_input(ServiceType::REDIS, m).empty(); },
           "it is none of the catalog's Redis inputs (redis_memory_used_bytes, "
           "redis_memory_max_bytes, redis_connected_clients, redis_blocked_clients, "
           "redis_commands_processed_total, redis_cpu_user_seconds_total, "
           "redis_keyspace_hits_total, redis_keyspace_misses_total, redis_evicted_keys_total, "
           "redis_db_keys)")},
      {"inventory.stale_after_days", "", "7",
       "days a Prometheus-discovered instance may go without a sample before it is "
       "DECOMMISSIONED",
       int_in(F(inventory.stale_after_days), 0, 365)},
      {"cloudwatch.region", "AWS_REGION", "us-east-1",
       "AWS region for CloudWatch and the describe APIs",
       [](Settings& s, const Raw& r) {
         std::string v = trim(r.value);
         if (v.empty() ||
             v.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos)
           fail(r.key, r, "must be an AWS region name such as us-east-1");
         s.cloudwatch.region = v;
       }},
      {"cloudwatch.batch_size", "BATCH_SIZE", "50", "instances per CloudWatch request batch",
       int_in(F(cloudwatch.batch_size), 1, 500)},
      {"cloudwatch.delay_between_batches", "", "1.0", "seconds between CloudWatch batches",
       real_in(F(cloudwatch.delay_between_batches), 0, false, 60)},
      {"cloudwatch.period_seconds", "", "86400",
       "86400: CloudWatch's own statistics of the day; less (e.g. 300): the day's period "
       "averages, aggregated by steps 6-7",
       [](Settings& s, const Raw& r) {
         long v = 0;
         if (!parse_number(r.value, v) || v < 60 || v > 86400 || v % 60 != 0 || 86400 % v != 0)
           fail(r.key, r, "must be a multiple of 60 that divides a day (60, 300, 3600, 86400)");
         s.cloudwatch.period_seconds = static_cast<int>(v);
       }},
      {"cloudwatch.statistics", "", "Average,Maximum,Minimum,p95",
       "CloudWatch statistics of the day; without p95, p95 comes from 5-minute averages",
       [](Settings& s, const Raw& r) {
         string_list(F(cloudwatch.statistics), is_statistic,
                     "allowed: Average, Maximum, Minimum (all three required), p95")(s, r);
         for (const char* need : {"Average", "Maximum", "Minimum"})
           if (std::find(s.cloudwatch.statistics.begin(), s.cloudwatch.statistics.end(), need) ==
               s.cloudwatch.statistics.end())
             fail(r.key, r,
                  std::string("must include ") + need +
                      " (infra_metric_daily stores avg, min "
                      "and max)");
       }},
      {"cloudwatch.services", "", "RDS",
       "CloudWatch services to collect besides EC2 (ENABLE_EC2): RDS, DOCDB, EKS, MSK, "
       "OPENSEARCH, EMR",
       string_list(
           F(cloudwatch.services),
           [](const std::string& v) {
             auto t = parse_service_type(v);
             return t && *t != ServiceType::REDIS && *t != ServiceType::EC2;
           },
           "allowed: RDS, DOCDB, EKS, MSK, OPENSEARCH, EMR (EC2 is ENABLE_EC2; Redis comes "
           "from Prometheus)")},
      {"cloudwatch.protocol", "", "json",
       "GetMetricData protocol: json (AWS JSON 1.0, smaller requests) or query (form and XML, "
       "for an endpoint that only speaks that)",
       enum_of(F(cloudwatch.protocol),
               std::vector<std::pair<std::string, Settings::CloudWatch::Protocol>>{
                   {"json", Settings::CloudWatch::Protocol::JSON},
                   {"query", Settings::CloudWatch::Protocol::QUERY}})},
      {"cloudwatch.metrics", "", "",
       "SERVICE:MetricName items (RDS:CPUUtilization): a service with any listed collects only "
       "those; empty: every catalog metric",
       string_list(
           F(cloudwatch.metrics),
           [](const std::string& v) {
             const auto colon = v.find(':');
             if (colon == std::string::npos) return false;
             auto t = parse_service_type(v.substr(0, colon));
             if (!t || *t == ServiceType::REDIS) return false;
             const std::string_view input = catalog_input(*t, v.substr(colon + 1));
             return !input.empty() && input == v.substr(colon + 1);
           },
           "each item must be SERVICE:MetricName with a CloudWatch metric of the catalog for "
           "that service (docs/data_dictionary.md), e.g. RDS:CPUUtilization")},
      {"mysql.host", "DB_HOST", "", "MySQL/MariaDB host (builds storage.url when that is not set)",
       text(F(mysql.host))},
      {"mysql.port", "DB_PORT", "3306", "MySQL/MariaDB port", int_in(F(mysql.port), 1, 65535)},
      {"mysql.user", "DB_USER", "", "MySQL/MariaDB user", text(F(mysql.user))},
      {"mysql.password", "DB_PASSWORD", "", "MySQL/MariaDB password (never logged)",
       text(F(mysql.password)), true},
      {"mysql.database", "DB_NAME", "test", "MySQL/MariaDB database", text(F(mysql.database))},
      {"mysql.connect_timeout", "", "30", "seconds", int_in(F(mysql.connect_timeout), 1, 3600)},
      {"mysql.read_timeout", "", "120", "seconds", int_in(F(mysql.read_timeout), 1, 86400)},
      {"mysql.charset", "", "utf8mb4", "connection character set",
       enum_of(F(mysql.charset), std::vector<std::pair<std::string, Charset>>{
                                    {"utf8mb4", Charset::UTF8MB4},
                                    {"utf8mb3", Charset::UTF8MB3},
                                    {"utf8", Charset::UTF8}})},
      {"mysql.ssl_mode", "DB_SSL_MODE", "preferred",
       "TLS to the server: disabled, preferred (TLS when offered), required, verify_identity "
       "(certificate and host name checked)",
       enum_of(F(mysql.ssl_mode), std::vector<std::pair<std::string, TlsMode>>{
                                      {"disabled", TlsMode::DISABLED},
                                      {"preferred", TlsMode::PREFERRED},
                                      {"required", TlsMode::REQUIRED},
                                      {"verify_identity", TlsMode::VERIFY_IDENTITY}})},
      {"mysql.ssl_ca", "DB_SSL_CA", "", "CA certificate file (PEM) for verify_identity",
       text(F(mysql.ssl_ca))},
      {"aws.access_key_id", "AWS_ACCESS_KEY_ID", "", "AWS access key (prefer an IAM role)",
       text(F(aws.access_key_id)), true},
      {"aws.secret_access_key", "AWS_SECRET_ACCESS_KEY", "", "AWS secret key (prefer an IAM role)",
       text(F(aws.secret_access_key)), true},
      {"aws.session_token", "AWS_SESSION_TOKEN", "", "AWS session token",
       text(F(aws.session_token)), true},
      {"aws.max_attempts", "AWS_MAX_ATTEMPTS", "5",
       "tries of one AWS request on throttling, 5xx or a lost connection (1 = no retry)",
       int_in(F(aws.max_attempts), 1, 20)},
      {"aws.retry_base_seconds", "", "1.0",
       "backoff base: a retry waits a random time up to base × 2^retry (at most 20 s)",
       real_in(F(aws.retry_base_seconds), 0, false, 60)},
      {"aws.endpoint_url", "", "",
       "endpoint for every AWS service (AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> also work)",
       [](Settings& s, const Raw& r) {
         std::string v = trim(r.value);
         if (!v.empty() && !v.starts_with("http://") && !v.starts_with("https://"))
           fail(r.key, r, "must start with http:// or https://");
         s.aws.endpoint_url = v;
       }},
      {"storage.url", "", "sqlite://var/infra_monitor.db",
       "where the tables live: sqlite://PATH or mysql://USER@HOST:PORT/DB",
       [](Settings& s, const Raw& r) {
         std::string why;
         auto u = parse_storage_url(trim(r.value), why);
         if (!u) fail(r.key, r, why);
         s.storage = *u;
       }},
      {"spc.rolling_window_days", "", "14", "W: baseline days",
       int_in(F(spc.rolling_window_days), 1, 365)},
      {"spc.sigma_warning", "", "2.0", "|z| for WARNING",
       real_in(F(spc.sigma_warning), 0, true, INFINITY)},
      {"spc.sigma_critical", "", "3.0", "|z| for CRITICAL",
       real_in(F(spc.sigma_critical), 0, true, INFINITY)},
      {"spc.roc_warning_pct", "", "50.0", "|rate of change| % for WARNING",
       real_in(F(spc.roc_warning_pct), 0, true, INFINITY)},
      {"spc.roc_critical_pct", "", "100.0", "|rate of change| % for CRITICAL",
       real_in(F(spc.roc_critical_pct), 0, true, INFINITY)},
      {"spc.min_baseline_days", "", "14", "baseline days needed before scoring",
       int_in(F(spc.min_baseline_days), 1, 365)},
      {"spc.we_rules_enabled", "", "1,2,3,4,5", "Western Electric rules to evaluate",
       [](Settings& s, const Raw& r) {
         std::vector<int> rules;
         for (const auto& item : list_items(r)) {
           int v = 0;
           if (!parse_number(item, v) || v < 1 || v > 5)
             fail(r.key, r, "must be a list of rule numbers from 1 to 5");
           if (std::find(rules.begin(), rules.end(), v) == rules.end()) rules.push_back(v);
         }
         std::sort(rules.begin(), rules.end());
         s.spc.we_rules_enabled = rules;
       }},
      {"spc.min_coverage", "", "0.5", "fraction of expected samples a day needs to be a day value",
       real_in(F(spc.min_coverage), 0, false, 1)},
      {"spc.min_sigma_rel", "", "0.01", "sigma floor relative to |mean|",
       real_in(F(spc.min_sigma_rel), 0, false, INFINITY)},
      {"spc.min_sigma_abs", "", "0", "absolute sigma floor",
       real_in(F(spc.min_sigma_abs), 0, false, INFINITY)},
      {"spc.z_cap", "", "10", "|z| used when sigma is 0", real_in(F(spc.z_cap), 0, true, INFINITY)},
      {"spc.rule_min_z", "", "1.0", "effect guard of rules 3-5",
       real_in(F(spc.rule_min_z), 0, false, INFINITY)},
      {"features.enable_alerts", "ENABLE_ALERTS", "true", "step 13: generate anomaly alerts",
       boolean(F(features.enable_alerts))},
      {"features.enable_health", "ENABLE_HEALTH", "true", "step 12: compute health scores",
       boolean(F(features.enable_health))},
      {"features.enable_ec2", "ENABLE_EC2", "false", "step 5: collect EC2 metrics",
       boolean(F(features.enable_ec2))},
      {"log.level", "LOG_LEVEL", "info", "debug, info, warning or error",
       [](Settings& s, const Raw& r) {
         Raw word = r;  // "warn" is accepted for warning, as most loggers spell it
         if (lower(trim(word.value)) == "warn") word.value = "warning";
         using L = Settings::Log::Level;
         enum_of(F(log.level), std::vector<std::pair<std::string, L>>{{"debug", L::DEBUG},
                                                                      {"info", L::INFO},
                                                                      {"warning", L::WARNING},
                                                                      {"error", L::ERROR}})(s, word);
       }},
      {"log.format", "", "text", "text (readable) or json (one object per line)",
       enum_of(F(log.format), std::vector<std::pair<std::string, Settings::Log::Format>>{
                                  {"text", Settings::Log::Format::TEXT},
                                  {"json", Settings::Log::Format::JSON}})},
  };
  return keys;
}
#undef F

std::string env_name(const std::string& path) {
  std::string e = "IM_";
  for (char c : path)
    e += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return e;
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] =
          std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string did_you_mean(const std::string& key, bool env_form) {
  std::string best;
  size_t best_d = 4;
  for (const auto& k : registry()) {
    std::string cand = env_form ? env_name(k.path) : k.path;
    size_t d = edit_distance(key, cand);
    if (d < best_d) best_d = d, best = cand;
  }
  return best.empty() ? "" : " (did you mean " + best + "?)";
}

const KeyDef* find_key(const std::string& path) {
  for (const auto& k : registry())
    if (k.path == path) return &k;
  return nullptr;
}

// ---------------------------------------------------------------------------------------
// Layers

using Values = std::map<std::string, Raw>;  // key path -> raw value

std::map<std::string, std::string> read_env_file(const std::string& path) {
  std::ifstream in(path);
  std::map<std::string, std::string> out;
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    if (t.starts_with("export ")) t = trim(t.substr(7));
    auto eq = t.find('=');
    std::string key = eq == std::string::npos ? "" : trim(t.substr(0, eq));
    bool key_ok =
        !key.empty() && !std::isdigit(static_cast<unsigned char>(key[0])) &&
        key.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") ==
            std::string::npos;
    if (!key_ok)
      throw ConfigError("invalid configuration: " + path + ":" + std::to_string(lineno) +
                        ": expected KEY=VALUE (a variable name, '=', a value)");
    std::string value = trim(t.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front())
      value = value.substr(1, value.size() - 2);
    else if (auto hash = value.find(" #"); hash != std::string::npos)
      value = trim(value.substr(0, hash));  // inline comment after an unquoted value
    out[key] = value;
  }
  return out;
}

// ${VAR} and ${VAR:-default} from the environment, then .env.
// `fallback` (when given) tells whether the value holds references and every one of them fell
// back to its default.
std::string substitute(const std::string& v, const std::map<std::string, std::string>& env,
                       const std::map<std::string, std::string>& dotenv, const std::string& where,
                       bool* fallback = nullptr) {
  std::string out;
  size_t i = 0;
  int references = 0, resolved = 0;
  while (i < v.size()) {
    if (v[i] == '$' && i + 1 < v.size() && v[i + 1] == '{') {
      auto close = v.find('}', i + 2);
      if (close == std::string::npos)
        throw ConfigError("invalid configuration: " + where + ": unterminated ${ in \"" + v + "\"");
      std::string name = v.substr(i + 2, close - i - 2), def;
      if (auto d = name.find(":-"); d != std::string::npos)
        def = name.substr(d + 2), name = name.substr(0, d);
      ++references;
      auto e = env.find(name);
      if (e != env.end() && !e->second.empty()) {
        out += e->second;
        ++resolved;
      } else if (auto f = dotenv.find(name); f != dotenv.end() && !f->second.empty()) {
        out += f->second;
        ++resolved;
      } else {
        out += def;
      }
      i = close + 1;
    } else {
      out += v[i++];
    }
  }
  if (fallback) *fallback = references > 0 && resolved == 0;
  return out;
}

// spc.metrics.<metric>.<key>: per-metric overrides, kept apart from the registry keys.
using MetricValues =
    std::map<std::string, Values>;  // metric -> key (e.g. "sigma_warning") -> value
const std::vector<std::string>& metric_override_keys() {
  static const std::vector<std::string> keys = {"rolling_window_days",
                                                "sigma_warning",
                                                "sigma_critical",
                                                "roc_warning_pct",
                                                "roc_critical_pct",
                                                "min_baseline_days",
                                                "we_rules_enabled",
                                                "min_coverage",
                                                "min_sigma_rel",
                                                "min_sigma_abs",
                                                "z_cap",
                                                "rule_min_z",
                                                "spc_stat",
                                                "direction",
                                                "limits.warning",
                                                "limits.critical",
                                                "limits.emergency"};
  return keys;
}

// A value of the file: a scalar's text, or a sequence of plain values read item by item (its
// text, for messages, is the items joined with commas).
struct FileValue {
  std::string text;
  std::optional<std::vector<std::string>> items;
};

FileValue file_value(const YAML::Node& v, const std::string& path, const std::string& where) {
  if (v.IsScalar()) return {v.as<std::string>(), std::nullopt};
  if (!v.IsSequence())
    throw ConfigError("invalid configuration: " + path + " (from " + where +
                      "): expected a value, found a mapping");
  FileValue out{"", std::vector<std::string>{}};
  for (const auto& item : v) {
    if (!item.IsScalar())
      throw ConfigError("invalid configuration: " + path + " (from " + where +
                        "): list items must be plain values");
    out.items->push_back(item.as<std::string>());
    out.text += (out.text.empty() ? "" : ",") + out.items->back();
  }
  return out;
}

void flatten_metric_overrides(const YAML::Node& node, MetricValues& out,
                              std::vector<std::string>& warnings, const std::string& file) {
  for (const auto& m : node) {
    std::string metric = m.first.as<std::string>();
    std::string where = file + ":" + std::to_string(m.first.Mark().line + 1);
    bool known = std::any_of(metric_catalog().begin(), metric_catalog().end(),
                             [&](const MetricDef& d) { return d.name == metric; });
    if (!known) {
      warnings.push_back("unknown metric 'spc.metrics." + metric + "' at " + where +
                         " is ignored (metric names are listed in docs/data_dictionary.md)");
      continue;
    }
    if (!m.second.IsMap())
      throw ConfigError("invalid configuration: spc.metrics." + metric + " (from " + where +
                        "): expected a mapping of settings");
    std::function<void(const YAML::Node&, const std::string&)> walk =
        [&](const YAML::Node& n, const std::string& prefix) {
          for (const auto& kv : n) {
            std::string key = prefix + kv.first.as<std::string>();
            std::string at = file + ":" + std::to_string(kv.first.Mark().line + 1);
            std::string display = "spc.metrics." + metric + "." + key;
            if (kv.second.IsMap() && key == "limits") {
              walk(kv.second, "limits.");
              continue;
            }
            const auto& allowed = metric_override_keys();
            if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
              warnings.push_back("unknown configuration key '" + display + "' at " + at +
                                 " is ignored");
              continue;
            }
            if (kv.second.IsNull()) continue;
            FileValue fv = file_value(kv.second, display, at);
            out[metric][key] = Raw{fv.text, at, false, display, false, std::move(fv.items)};
          }
        };
    walk(m.second, "");
  }
}

void flatten(const YAML::Node& node, const std::string& prefix, Values& out, MetricValues& metrics,
             std::vector<std::string>& warnings, const std::string& file,
             const std::map<std::string, std::string>& env,
             const std::map<std::string, std::string>& dotenv) {
  for (const auto& kv : node) {
    std::string key = kv.first.as<std::string>();
    std::string path = prefix.empty() ? key : prefix + "." + key;
    const YAML::Node& v = kv.second;
    std::string where = file + ":" + std::to_string(kv.first.Mark().line + 1);
    if (path == "spc.metrics" && v.IsMap()) {
      flatten_metric_overrides(v, metrics, warnings, file);
      continue;
    }
    if (v.IsMap()) {
      if (!find_key(path)) {
        flatten(v, path, out, metrics, warnings, file, env, dotenv);
        continue;
      }
    }
    if (!find_key(path)) {
      warnings.push_back("unknown configuration key '" + path + "' at " + where + " is ignored" +
                         did_you_mean(path, false));
      continue;
    }
    if (v.IsNull()) continue;
    FileValue fv = file_value(v, path, where);
    bool fallback = false;
    std::string sub = substitute(fv.text, env, dotenv, where, &fallback);
    if (sub.empty() && !fv.text.empty()) continue;  // "${UNSET}": treat as not set
    if (fv.items)  // each item substituted on its own: it stays one item
      for (auto& item : *fv.items) item = substitute(item, env, dotenv, where, nullptr);
    out[path] = Raw{sub, where, find_key(path)->secret, {}, fallback, std::move(fv.items)};
  }
}

// Environment-like layer: IM_* names and the guide's aliases. IM_ wins over an alias.
void apply_env_layer(const std::map<std::string, std::string>& vars, const std::string& origin,
                     Values& out, std::vector<std::string>& warnings, bool warn_unknown_im) {
  for (const auto& k : registry()) {
    if (!k.alias.empty())
      if (auto a = vars.find(k.alias); a != vars.end() && !a->second.empty())
        out[k.path] = Raw{a->second, k.alias + " in " + origin, k.secret};
    if (auto e = vars.find(env_name(k.path)); e != vars.end())
      out[k.path] = Raw{e->second, env_name(k.path) + " in " + origin, k.secret};
  }
  if (!warn_unknown_im) return;
  for (const auto& var : vars) {
    const std::string& name = var.first;  // a plain name: lambdas capture it (clang 14)
    // IM_TEST_* belong to the test suite (tests/harness), not to the program.
    if (!name.starts_with("IM_") || name.starts_with("IM_TEST_")) continue;
    bool known = std::any_of(registry().begin(), registry().end(),
                             [&](const KeyDef& k) { return env_name(k.path) == name; });
    if (!known)
      warnings.push_back("unknown configuration variable " + name + " in " + origin +
                         " is ignored" + did_you_mean(name, true));
  }
}

// A named file: false when there is none; a ConfigError when the path is something else
// (a directory, a device), naming the flag or file that gave it.
bool file_exists(const std::string& p, const std::string& what) {
  std::error_code ec;
  const auto st = std::filesystem::status(p, ec);
  if (ec || st.type() == std::filesystem::file_type::not_found) return false;
  if (st.type() == std::filesystem::file_type::directory)
    throw ConfigError("invalid configuration: " + what + " " + p +
                      " is a directory; give the path of a file");
  if (st.type() != std::filesystem::file_type::regular)
    throw ConfigError("invalid configuration: " + what + " " + p + " is not a regular file");
  if (!std::ifstream(p).good())
    throw ConfigError("invalid configuration: " + what + " " + p + ": cannot be read (" +
                      std::strerror(errno) + ")");
  return true;
}

// A configuration file holds a few hundred values. Aliases are not copied by the parser but
// every use of one is walked again, so 20 nested aliases in 500 bytes make a million values
// ("billion laughs"): refuse anything past this budget before walking it.
constexpr size_t kYamlNodeBudget = 10000;

// The deepest nesting of flow collections ([...] and {...}) in YAML text, outside quotes and
// comments: checked before the parser, whose recursion a file of a few thousand '[' would
// otherwise take to the end of the stack.
size_t flow_depth(std::string_view text) {
  size_t depth = 0, deepest = 0;
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote) {
      if (c == '\\' && quote == '"')
        ++i;
      else if (c == quote)
        quote = 0;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '#' && (i == 0 || std::isspace(static_cast<unsigned char>(text[i - 1])))) {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

// A configuration nests a few levels (spc.metrics.NAME.limits.warning); deeper is refused before
// any recursive walk could exhaust the stack.
constexpr size_t kYamlMaxDepth = 32;

// Walks the document once, within the budget: no deeper than kYamlMaxDepth, no node inside
// itself (an alias used within its own anchor makes a cycle), every key a plain value, and a key
// only once in its mapping (YAML says so; a parser that keeps the last one would hide the first
// from whoever reads the file).
void check_yaml_shape(const YAML::Node& node, const std::string& file, size_t& visited,
                      std::vector<YAML::Node>& ancestors) {
  auto refuse = [&](const std::string& why) {
    throw ConfigError("invalid configuration: " + file + ":" +
                      std::to_string(node.Mark().line + 1) + ": " + why);
  };
  if (++visited > kYamlNodeBudget)
    throw ConfigError("invalid configuration: " + file + ": more than " +
                      std::to_string(kYamlNodeBudget) +
                      " values once its aliases are expanded (nested YAML aliases?); a "
                      "configuration file needs a few hundred");
  if (!node.IsSequence() && !node.IsMap()) return;
  if (ancestors.size() >= kYamlMaxDepth)
    refuse("nested more than " + std::to_string(kYamlMaxDepth) + " levels deep");
  for (const auto& a : ancestors)
    if (a.is(node)) refuse("an alias is used inside the node it names (a cycle)");
  ancestors.push_back(node);
  if (node.IsSequence()) {
    for (const auto& item : node) check_yaml_shape(item, file, visited, ancestors);
  } else {
    std::map<std::string, int> seen;  // key -> line
    for (const auto& kv : node) {
      const int line = kv.first.Mark().line + 1;
      if (!kv.first.IsScalar())
        throw ConfigError("invalid configuration: " + file + ":" + std::to_string(line) +
                          ": a key must be a plain name, not a list or a mapping");
      const std::string key = kv.first.Scalar();
      if (auto [it, fresh] = seen.emplace(key, line); !fresh)
        throw ConfigError("invalid configuration: " + file + ":" + std::to_string(line) +
                          ": duplicate key '" + escape_control(key) + "' (first at line " +
                          std::to_string(it->second) + "); keep one of them");
      check_yaml_shape(kv.second, file, visited, ancestors);
    }
  }
  ancestors.pop_back();
}

// Cross-key rules of methodology.md section 7 for one spc block. The message names the key
// the user set (the other one may be a default), with its value and where it came from.
void validate_spc(const SpcSettings& c, const std::string& prefix,
                  const std::function<Raw(const std::string&)>& raw_of) {
  auto user_set = [&](const std::string& k) { return raw_of(k).origin != "the built-in default"; };
  auto order = [&](const std::string& lo, double lo_v, const std::string& hi, double hi_v,
                   bool strict) {
    bool ok = strict ? lo_v < hi_v : lo_v <= hi_v;
    if (ok) return;
    const char* relation = strict ? "below" : "at most";
    if (user_set(lo) || !user_set(hi)) {
      Raw r = raw_of(lo);
      fail(prefix + lo, r,
           std::string("must be ") + relation + " " + prefix + hi + " (" + fmt_num(hi_v) + ")");
    }
    Raw r = raw_of(hi);
    fail(prefix + hi, r,
         std::string("must be ") + (strict ? "above " : "at least ") + prefix + lo + " (" +
             fmt_num(lo_v) + ")");
  };
  order("sigma_warning", c.sigma_warning, "sigma_critical", c.sigma_critical, true);
  order("roc_warning_pct", c.roc_warning_pct, "roc_critical_pct", c.roc_critical_pct, true);
  order("min_baseline_days", c.min_baseline_days, "rolling_window_days", c.rolling_window_days,
        false);
  order("rule_min_z", c.rule_min_z, "sigma_warning", c.sigma_warning, true);
}

// Static limits escalate in the harmful direction: warning, then critical, then emergency
// (up: rising values, down: falling ones, as free storage). Limits that do not would raise
// EMERGENCY before WARNING. Checked per catalog metric of that name, with its own limits
// where the override leaves one out.
void validate_limits(const std::string& metric, const Settings::MetricOverride& o,
                     const Values& given) {
  for (const MetricDef& def : metric_catalog()) {
    if (def.name != metric) continue;
    const Direction dir = o.direction.value_or(def.direction);
    const std::pair<const char*, double> levels[] = {
        {"warning", o.limit_warning.value_or(def.limits.warning)},
        {"critical", o.limit_critical.value_or(def.limits.critical)},
        {"emergency", o.limit_emergency.value_or(def.limits.emergency)}};
    for (size_t i = 0; i < 3; ++i)
      for (size_t j = i + 1; j < 3; ++j) {
        const double lo = levels[i].second, hi = levels[j].second;
        if (std::isnan(lo) || std::isnan(hi)) continue;
        const bool ok = dir == Direction::DOWN ? hi <= lo : hi >= lo;
        if (ok) continue;
        const std::string key_i = std::string("limits.") + levels[i].first;
        const std::string key_j = std::string("limits.") + levels[j].first;
        auto it = given.find(key_j);
        if (it == given.end()) it = given.find(key_i);
        if (it == given.end()) it = given.find("direction");  // the catalog's limits, turned
        const Raw r = it != given.end() ? it->second : Raw{"", "the catalog"};
        const std::string word = dir == Direction::DOWN ? "at most" : "at least";
        fail("spc.metrics." + metric + "." + (it != given.end() ? it->first : key_j), r,
             "limits must escalate in the harmful direction (" + std::string(to_string(dir)) +
                 "): " + levels[j].first + " (" + fmt_num(hi) + ") must be " + word + " " +
                 levels[i].first + " (" + fmt_num(lo) + ")");
      }
  }
}

// storage.url defaults to SQLite, or to MySQL when the guide's DB_HOST is configured. The
// guide's variables win over a ${IM_STORAGE_URL:-sqlite://...} fallback (the shipped file's
// form): with DB_HOST set, a run must never write to a local file instead. A storage.url
// given outright for another backend is an ambiguity and refused, unless it came from the
// command line, which wins over everything (with a warning).
void resolve_storage_url(Values& values, std::vector<std::string>& warnings) {
  auto host = values.find("mysql.host");
  if (host == values.end() || trim(host->second.value).empty()) return;
  auto get = [&](const char* p, const char* def) {
    return values.count(p) ? trim(values[p].value) : std::string(def);
  };
  const Raw from_guide{"mysql://" + get("mysql.user", "") + "@" + get("mysql.host", "") + ":" +
                           get("mysql.port", "3306") + "/" + get("mysql.database", "test"),
                       "DB_HOST/DB_PORT/DB_USER/DB_NAME", false};
  auto url = values.find("storage.url");
  if (url == values.end() || url->second.fallback) {
    values["storage.url"] = from_guide;
    return;
  }
  if (trim(url->second.value).starts_with("mysql://")) return;  // same backend, named outright
  if (url->second.origin == "the command line") {
    warnings.push_back("storage.url from the command line is used; DB_HOST (" +
                       host->second.origin + ") is ignored");
    return;
  }
  throw ConfigError("invalid configuration: storage.url = " + quote_value(url->second) + " (from " +
                    url->second.origin + ") names another database than DB_HOST = \"" +
                    escape_control(trim(host->second.value)) + "\" (from " + host->second.origin +
                    "): unset one of them, or choose with --storage-url");
}

}  // namespace

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return env;
}

std::vector<KeyInfo> known_keys() {
  std::vector<KeyInfo> out;
  for (const auto& k : registry())
    out.push_back({k.path, env_name(k.path), k.alias, k.default_value, k.help, k.secret});
  return out;
}

bool is_secret_variable(std::string_view name) {
  for (const auto& k : registry())
    if (k.secret && (name == env_name(k.path) || (!k.alias.empty() && name == k.alias)))
      return true;
  return name.ends_with("_PASSWORD") || name.ends_with("_TOKEN") ||
         name.ends_with("_SECRET_ACCESS_KEY");
}

// The YAML file (if any): read, checked for shape and size, flattened into `values` and
// `metric_values` (spc.metrics.<name>.*).
static void read_config_file(const ConfigSources& src,
                             const std::map<std::string, std::string>& dotenv, Values& values,
                             MetricValues& metric_values, LoadedSettings& result) {
  if (file_exists(src.config_path, src.config_explicit ? "--config" : "the configuration file")) {
    YAML::Node root;
    std::string text;
    {
      std::ifstream in(src.config_path, std::ios::binary);
      std::ostringstream buf;
      buf << in.rdbuf();
      text = buf.str();
    }
    if (text.size() > (1u << 20))
      throw ConfigError("invalid configuration: " + src.config_path + " is " +
                        std::to_string(text.size()) +
                        " bytes; a configuration file is a few kilobytes (at most 1 MiB)");
    if (flow_depth(text) > kYamlMaxDepth)
      throw ConfigError("invalid configuration: " + src.config_path + ": nested more than " +
                        std::to_string(kYamlMaxDepth) + " levels deep");
    try {
      root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
      throw ConfigError("invalid configuration: " + src.config_path + ":" +
                        std::to_string(e.mark.line + 1) + ": YAML syntax error: " + e.msg);
    }
    if (root && !root.IsNull()) {
      if (!root.IsMap())
        throw ConfigError("invalid configuration: " + src.config_path +
                          ": the top level must be a mapping of sections");
      size_t visited = 0;
      std::vector<YAML::Node> ancestors;
      check_yaml_shape(root, src.config_path, visited, ancestors);
      try {
        flatten(root, "", values, metric_values, result.warnings, src.config_path, src.environment,
                dotenv);
      } catch (const YAML::Exception& e) {  // a value of the wrong shape met by a conversion
        throw ConfigError("invalid configuration: " + src.config_path + ":" +
                          std::to_string(e.mark.line + 1) + ": " + e.msg);
      }
    }
    result.files.push_back(src.config_path);
  } else if (src.config_explicit) {
    throw ConfigError("invalid configuration: --config " + src.config_path + ": file not found");
  }
}

// One metric's spc.metrics.<name> block: its own statistic, direction, limits and spc
// parameters (starting from the global ones), validated.
template <class RawOf>
Settings::MetricOverride metric_override(const Settings& s, const std::string& metric,
                                         const Values& kv, RawOf raw_of) {
  Settings::MetricOverride o;
  Settings scratch = s;  // the metric's spc block starts from the global one
  for (const auto& [key, raw] : kv) {
    if (key == "spc_stat") {
      auto st = parse_stat(trim(raw.value));
      if (!st) fail(raw.key, raw, "must be one of: avg, min, max, p95");
      o.spc_stat = st;
    } else if (key == "direction") {
      auto d = parse_direction(trim(raw.value));
      if (!d) fail(raw.key, raw, "must be one of: up, down, both");
      o.direction = d;
    } else if (key.starts_with("limits.")) {
      double v = 0;
      if (!parse_number(raw.value, v)) fail(raw.key, raw, "must be a number");
      (key == "limits.warning"    ? o.limit_warning
       : key == "limits.critical" ? o.limit_critical
                                  : o.limit_emergency) = v;
    } else {
      find_key("spc." + key)->set(scratch, raw);
    }
  }
  o.params = scratch.spc;
  o.we_rules_set = kv.count("we_rules_enabled") > 0;
  validate_spc(o.params, "spc.metrics." + metric + ".", [&](const std::string& k) {
    auto it = kv.find(k);
    return it != kv.end() ? it->second : raw_of("spc." + k);
  });
  validate_limits(metric, o, kv);
  return o;
}

LoadedSettings load_settings(const ConfigSources& src) {
  LoadedSettings result;
  result.environment = src.environment;
  Values values;
  MetricValues metric_values;

  // .env first: it feeds ${VAR} substitution in the YAML too.
  std::map<std::string, std::string> dotenv;
  if (file_exists(src.env_path, src.env_explicit ? "--env-file" : "the environment file")) {
    dotenv = read_env_file(src.env_path);
    result.files.push_back(src.env_path);
  } else if (src.env_explicit) {
    throw ConfigError("invalid configuration: --env-file " + src.env_path + ": file not found");
  }

  read_config_file(src, dotenv, values, metric_values, result);

  apply_env_layer(dotenv, src.env_path, values, result.warnings, true);
  apply_env_layer(src.environment, "the environment", values, result.warnings, true);
  for (const auto& [path, value] : src.cli) {
    const KeyDef* k = find_key(path);
    if (!k) throw ConfigError("internal: unknown key from the command line: " + path);
    values[path] = Raw{value, "the command line", k->secret};
  }

  resolve_storage_url(values, result.warnings);

  Settings& s = result.settings;
  std::string why;
  s.storage = *parse_storage_url("sqlite://var/infra_monitor.db", why);
  for (const auto& k : registry())
    if (auto it = values.find(k.path); it != values.end()) {
      Raw r = it->second;
      if (r.key.empty()) r.key = k.path;  // setters name the key from the value they get
      k.set(s, r);
      if (k.secret)  // as given, and as stored (text keys are trimmed)
        for (std::string v : {r.value, std::string(trim(r.value))})
          if (!v.empty() &&
              std::find(result.secrets.begin(), result.secrets.end(), v) == result.secrets.end())
            result.secrets.push_back(v);
    }

  auto raw_of = [&](const std::string& p) {
    auto it = values.find(p);
    return it != values.end() ? it->second
                              : Raw{find_key(p)->default_value, "the built-in default"};
  };
  validate_spc(s.spc, "spc.", [&](const std::string& k) { return raw_of("spc." + k); });

  for (const auto& [metric, kv] : metric_values)
    s.metric_overrides[metric] = metric_override(s, metric, kv, raw_of);

  if (!s.mysql.ssl_ca.empty()) {
    std::error_code ec;  // no exception: a name too long for the system is an answer too
    const auto type = std::filesystem::status(s.mysql.ssl_ca, ec).type();
    if (type == std::filesystem::file_type::not_found)
      fail("mysql.ssl_ca", raw_of("mysql.ssl_ca"), "no such file");
    if (ec) fail("mysql.ssl_ca", raw_of("mysql.ssl_ca"), "cannot be read: " + ec.message());
    if (type != std::filesystem::file_type::regular)
      fail("mysql.ssl_ca", raw_of("mysql.ssl_ca"), "not a regular file");
  }
  return result;
}

}  // namespace im
