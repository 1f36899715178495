// One validated Settings struct built from: built-in defaults < config/pipeline_config.yaml
// < config/.env < the process environment < command-line flags (guide section 7).
// Every YAML key `a.b` can also be set as IM_A_B in .env or the environment; the guide's
// 7.1 variables (PROMETHEUS_URL, DB_HOST, ENABLE_ALERTS, ...) are aliases of YAML keys.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/storage_url.h"
#include "core/types.h"
#include "spc/params.h"

namespace im {

using SpcSettings = spc::Params;

struct Settings {
  struct Pipeline {
    std::string schedule_cron = "0 6 * * *";
    std::string timezone = "UTC";
    int max_retries = 3;
    double retry_delay_seconds = 60;
    bool dry_run = false;  // DRY_RUN
    bool operator==(const Pipeline&) const = default;
  } pipeline;

  enum class Source { SIMULATE, LIVE };
  Source source = Source::SIMULATE;  // simulate (the built-in fleet) | live (Prometheus, AWS)

  struct Simulate {
    uint64_t seed = 42;
    int redis_instances = 76;
    int rds_instances = 62;
    int ec2_instances = 20;
    bool operator==(const Simulate&) const = default;
  } simulate;

  struct Prometheus {
    std::string url;  // PROMETHEUS_URL
    double timeout_seconds = 30;
    std::string scrape_interval = "5m";
    int scrape_interval_seconds = 300;        // from scrape_interval; divides a day
    std::string job = "redis";                // job label of the Redis exporters ("" = any)
    std::string instance_label = "instance";  // label naming a Redis instance
    std::string username, password;           // basic auth (password: secret)
    std::string bearer_token;                 // secret
    std::string ca_file;
    // Exporter metric names (Debian's prometheus-redis-exporter 1.45 by default).
    std::vector<std::string> metrics{
        "redis_memory_used_bytes",        "redis_memory_max_bytes",
        "redis_connected_clients",        "redis_blocked_clients",
        "redis_commands_processed_total", "redis_cpu_user_seconds_total",
        "redis_keyspace_hits_total",      "redis_keyspace_misses_total",
        "redis_evicted_keys_total",       "redis_db_keys"};
    bool operator==(const Prometheus&) const = default;
  } prometheus;

  struct CloudWatch {
    std::string region = "us-east-1";  // AWS_REGION
    int batch_size = 50;               // BATCH_SIZE
    double delay_between_batches = 1.0;
    int period_seconds = 86400;  // 86400: the day's statistics; less: period averages
    std::vector<std::string> statistics{"Average", "Maximum", "Minimum", "p95"};
    std::vector<std::string> services{"RDS"};  // besides EC2 (features.enable_ec2)
    enum class Protocol { JSON, QUERY };
    Protocol protocol = Protocol::JSON;  // GetMetricData: json (AWS JSON 1.0) | query
    // "SERVICE:MetricName" items; a service with any listed collects only those (empty: all
    // of the catalog's metrics of every service).
    std::vector<std::string> metrics;
    bool operator==(const CloudWatch&) const = default;
  } cloudwatch;

  struct Inventory {
    int stale_after_days = 7;  // Prometheus: days without a sample before DECOMMISSIONED
    bool operator==(const Inventory&) const = default;
  } inventory;

  struct Mysql {
    std::string host;               // DB_HOST
    int port = 3306;                // DB_PORT
    std::string user;               // DB_USER
    std::string password;           // DB_PASSWORD (secret)
    std::string database = "test";  // DB_NAME
    int connect_timeout = 30;
    int read_timeout = 120;
    Charset charset = Charset::UTF8MB4;
    TlsMode ssl_mode = TlsMode::PREFERRED;  // DB_SSL_MODE
    std::string ssl_ca;                     // DB_SSL_CA
    bool operator==(const Mysql&) const = default;
  } mysql;

  struct Aws {
    std::string access_key_id;      // secret
    std::string secret_access_key;  // secret
    std::string session_token;      // secret
    std::string endpoint_url;       // every AWS service (a VPC endpoint, moto); "" = AWS's own
    int max_attempts = 5;           // AWS_MAX_ATTEMPTS
    double retry_base_seconds = 1.0;
    bool operator==(const Aws&) const = default;
  } aws;

  StorageUrl storage;  // storage.url, default sqlite://var/infra_monitor.db

  SpcSettings spc;

  // spc.metrics.<metric>.*: per-metric overrides (methodology section 12). `params` is the
  // global spc block with the metric's own keys applied; unset fields keep the catalog's.
  struct MetricOverride {
    SpcSettings params;
    std::optional<Stat> spc_stat;
    std::optional<Direction> direction;
    std::optional<double> limit_warning, limit_critical, limit_emergency;
    bool we_rules_set = false;  // the metric sets its own we_rules_enabled
    bool operator==(const MetricOverride&) const = default;
  };
  std::map<std::string, MetricOverride> metric_overrides;  // by metric name

  struct Features {
    bool enable_alerts = true;  // ENABLE_ALERTS
    bool enable_health = true;  // ENABLE_HEALTH
    bool enable_ec2 = false;    // ENABLE_EC2
    bool operator==(const Features&) const = default;
  } features;

  struct Log {
    enum class Level { DEBUG, INFO, WARNING, ERROR };
    enum class Format { TEXT, JSON };
    Level level = Level::INFO;     // LOG_LEVEL: debug | info | warning | error
    Format format = Format::TEXT;  // text (readable) | json (one object per line)
    bool operator==(const Log&) const = default;
  } log;

  bool operator==(const Settings&) const = default;
};

// Where each layer comes from. Paths that were not given explicitly are optional: a
// missing default file is not an error, a missing explicit one is.
struct ConfigSources {
  std::string config_path = "config/pipeline_config.yaml";
  bool config_explicit = false;
  std::string env_path = "config/.env";
  bool env_explicit = false;
  std::map<std::string, std::string> environment;  // the process environment
  std::map<std::string, std::string> cli;          // YAML key path -> value, from flags
};

struct LoadedSettings {
  Settings settings;
  std::vector<std::string> warnings;  // unknown keys, ignored files: log them
  std::vector<std::string> files;     // files that were read
  // The process environment the settings were read with (ConfigSources::environment): what the
  // sources' own lookups (the AWS credential chain) read, so the environment is read once.
  std::map<std::string, std::string> environment;
  // The values of the keys the registry marks secret (passwords, tokens, keys): the log masks
  // them.
  std::vector<std::string> secrets;
};

// The CloudWatch services a run collects: cloudwatch.services, plus EC2 with ENABLE_EC2.
std::vector<ServiceType> cloudwatch_services(const Settings& s);

// Throws ConfigError naming the key, the value, where it came from and what is allowed.
LoadedSettings load_settings(const ConfigSources& sources);

// The process environment as a map (for ConfigSources::environment).
std::map<std::string, std::string> process_environment();

// Every key this program understands, with its environment aliases (for docs and --help).
struct KeyInfo {
  std::string path;
  std::string env;    // IM_ form
  std::string alias;  // guide 7.1 variable, if any
  std::string default_value;
  std::string help;
  bool secret = false;
};

// Whether an environment variable holds a secret: the IM_ form or alias of a key the registry
// marks secret, or a name that says so (*_PASSWORD, *_TOKEN, *_SECRET_ACCESS_KEY, as the
// shipped configuration substitutes). For masking the log before the configuration is read.
bool is_secret_variable(std::string_view name);
std::vector<KeyInfo> known_keys();

}  // namespace im
