#include <gtest/gtest.h>

#include <sstream>

#include "config/settings.h"
#include "core/types.h"
#include "test_util.h"

namespace im {
namespace {

using test::TempDir;
using test::write_file;

ConfigSources sources_in(const TempDir& dir) {
  ConfigSources s;
  s.config_path = dir.file("pipeline_config.yaml");
  s.env_path = dir.file(".env");
  return s;
}

// ---- golden bad configurations: tests/data/config/bad/*.yaml --------------------------
// Header lines: "# env: KEY=VALUE" (repeatable), "# secret: TEXT" (must not appear in the
// message), "# expect: TEXT" (must appear; CONFIG stands for the file's path).
struct Golden {
  std::string name, path, expect;
  std::map<std::string, std::string> env;
  std::vector<std::string> secrets;
};

std::vector<Golden> load_goldens() {
  std::vector<Golden> out;
  for (const auto& e : std::filesystem::directory_iterator(test::data_dir() / "config" / "bad")) {
    Golden g{e.path().stem().string(), e.path().string(), "", {}, {}};
    std::istringstream in(test::read_file(g.path));
    std::string line;
    while (std::getline(in, line) && line.starts_with("# ")) {
      if (line.starts_with("# env: ")) {
        auto kv = line.substr(7);
        g.env[kv.substr(0, kv.find('='))] = kv.substr(kv.find('=') + 1);
      } else if (line.starts_with("# secret: ")) {
        g.secrets.push_back(line.substr(10));
      } else if (line.starts_with("# expect: ")) {
        g.expect = line.substr(10);
      }
    }
    out.push_back(g);
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.name < b.name; });
  return out;
}

void PrintTo(const Golden& g, std::ostream* os) {
  *os << g.name;
}

class BadConfig : public testing::TestWithParam<Golden> {};

TEST_P(BadConfig, IsRefusedWithAMessageNamingKeyValueAndRule) {
  const Golden& g = GetParam();
  ASSERT_FALSE(g.expect.empty()) << g.path << " has no '# expect:' line";
  ConfigSources src;
  src.config_path = g.path;
  src.config_explicit = true;
  src.env_path = "/nonexistent/.env";
  src.environment = g.env;
  std::string expect = g.expect;
  for (size_t p; (p = expect.find("CONFIG")) != std::string::npos;) expect.replace(p, 6, g.path);
  try {
    load_settings(src);
    FAIL() << g.name << ": accepted, expected an error containing: " << expect;
  } catch (const ConfigError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find(expect), std::string::npos)
        << "message: " << msg << "\nexpected: " << expect;
    for (const auto& s : g.secrets)
      EXPECT_EQ(msg.find(s), std::string::npos) << "secret leaked: " << msg;
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, BadConfig, testing::ValuesIn(load_goldens()),
                         [](const auto& info) { return info.param.name; });

TEST(BadConfigGoldens, ThereAreEnoughOfThem) {
  EXPECT_GE(load_goldens().size(), 20u);
}

// ---- layers and precedence -------------------------------------------------------------
TEST(Config, DefaultsWithoutAnyFile) {
  TempDir dir;
  auto ls = load_settings(sources_in(dir));
  const Settings& s = ls.settings;
  EXPECT_EQ(s.source, Settings::Source::SIMULATE);
  EXPECT_EQ(s.storage.str(), "sqlite://var/infra_monitor.db");
  EXPECT_EQ(s.spc.rolling_window_days, 14);
  EXPECT_DOUBLE_EQ(s.spc.sigma_warning, 2.0);
  EXPECT_EQ(s.spc.we_rules_enabled, (std::vector<int>{1, 2, 3, 4, 5}));
  EXPECT_TRUE(s.features.enable_alerts);
  EXPECT_TRUE(s.features.enable_health);
  EXPECT_FALSE(s.features.enable_ec2);
  EXPECT_FALSE(s.pipeline.dry_run);
  EXPECT_EQ(s.cloudwatch.region, "us-east-1");
  EXPECT_EQ(s.cloudwatch.batch_size, 50);
  EXPECT_EQ(s.mysql.database, "test");
  EXPECT_TRUE(ls.warnings.empty());
  EXPECT_TRUE(ls.files.empty());
}

TEST(Config, PrecedenceIsCliThenEnvironmentThenDotenvThenYamlThenDefault) {
  TempDir dir;
  auto src = sources_in(dir);
  write_file(src.config_path,
             "spc:\n  sigma_warning: 2.1\n  sigma_critical: 3.1\n  roc_warning_pct: 40\n"
             "  roc_critical_pct: 90\n  z_cap: 12\n");
  write_file(src.env_path,
             "IM_SPC_SIGMA_CRITICAL=3.2\nIM_SPC_ROC_WARNING_PCT=45\nIM_SPC_Z_CAP=13\n");
  src.environment = {{"IM_SPC_ROC_WARNING_PCT", "46"}, {"IM_SPC_Z_CAP", "14"}};
  src.cli = {{"spc.z_cap", "15"}};
  const auto s = load_settings(src).settings;
  EXPECT_DOUBLE_EQ(s.spc.sigma_warning, 2.1);    // YAML
  EXPECT_DOUBLE_EQ(s.spc.sigma_critical, 3.2);   // .env over YAML
  EXPECT_DOUBLE_EQ(s.spc.roc_warning_pct, 46);   // environment over .env
  EXPECT_DOUBLE_EQ(s.spc.roc_critical_pct, 90);  // YAML
  EXPECT_DOUBLE_EQ(s.spc.z_cap, 15);             // command line over all
  EXPECT_DOUBLE_EQ(s.spc.min_sigma_rel, 0.01);   // default
}

TEST(Config, GuideVariablesAreAliasesAndImFormWinsOverThem) {
  TempDir dir;
  auto src = sources_in(dir);
  write_file(
      src.env_path,
      "PROMETHEUS_URL=http://prom:9090/\nAWS_REGION=eu-west-1\nBATCH_SIZE=10\nENABLE_EC2=true\n"
      "ENABLE_ALERTS=false\nENABLE_HEALTH=no\nDRY_RUN=1\nLOG_LEVEL=WARNING\nDB_NAME=analytics\n");
  src.environment = {{"IM_CLOUDWATCH_BATCH_SIZE", "20"}};
  const auto s = load_settings(src).settings;
  EXPECT_EQ(s.prometheus.url, "http://prom:9090");
  EXPECT_EQ(s.cloudwatch.region, "eu-west-1");
  EXPECT_EQ(s.cloudwatch.batch_size, 20);
  EXPECT_TRUE(s.features.enable_ec2);
  EXPECT_FALSE(s.features.enable_alerts);
  EXPECT_FALSE(s.features.enable_health);
  EXPECT_TRUE(s.pipeline.dry_run);
  EXPECT_EQ(s.log.level, Settings::Log::Level::WARNING);
  EXPECT_EQ(s.mysql.database, "analytics");
}

TEST(Config, GuideDbVariablesBuildTheMysqlUrl) {
  TempDir dir;
  auto src = sources_in(dir);
  src.environment = {{"DB_HOST", "db.internal"}, {"DB_PORT", "3307"},
                     {"DB_USER", "monitor"},     {"DB_NAME", "infra"},
                     {"DB_PASSWORD", "pw"},      {"DB_SSL_MODE", "REQUIRED"}};
  const auto s = load_settings(src).settings;
  EXPECT_EQ(s.storage.kind, StorageUrl::Kind::MYSQL);
  EXPECT_EQ(s.storage.str(), "mysql://monitor@db.internal:3307/infra");
  EXPECT_EQ(s.mysql.password, "pw");
  EXPECT_EQ(s.mysql.ssl_mode, TlsMode::REQUIRED);
  // An explicit storage.url wins over DB_HOST.
  src.cli["storage.url"] = "sqlite://x.db";
  EXPECT_EQ(load_settings(src).settings.storage.kind, StorageUrl::Kind::SQLITE);
}

// Issue #13, item 2: the README's production recipe (the guide's DB_* variables with the shipped
// YAML, whose storage.url is "${IM_STORAGE_URL:-sqlite://...}") wrote to a local SQLite file.
TEST(Config, GuideDbVariablesWinOverTheShippedSqliteFallback) {
  ConfigSources src;
  const auto root = test::data_dir().parent_path().parent_path();
  src.config_path = (root / "config" / "pipeline_config.yaml").string();
  src.config_explicit = true;
  src.env_path = "/nonexistent/.env";
  src.environment = {{"DB_HOST", "db.internal"},
                     {"DB_USER", "monitor"},
                     {"DB_NAME", "infra"},
                     {"DB_PASSWORD", "pw"}};
  auto ls = load_settings(src);
  EXPECT_EQ(ls.settings.storage.str(), "mysql://monitor@db.internal:3306/infra");
  // IM_STORAGE_URL resolves the fallback: an explicit choice of another backend is refused.
  src.environment["IM_STORAGE_URL"] = "sqlite://var/other.db";
  try {
    load_settings(src);
    FAIL() << "a sqlite storage.url and DB_HOST together were accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("names another database than DB_HOST"), std::string::npos)
        << e.what();
  }
  // A MySQL URL agrees with DB_HOST; the command line wins over everything, with a warning.
  src.environment["IM_STORAGE_URL"] = "mysql://other@h:3306/x";
  EXPECT_EQ(load_settings(src).settings.storage.str(), "mysql://other@h:3306/x");
  src.environment.erase("IM_STORAGE_URL");
  src.cli["storage.url"] = "sqlite://x.db";
  ls = load_settings(src);
  EXPECT_EQ(ls.settings.storage.kind, StorageUrl::Kind::SQLITE);
  ASSERT_FALSE(ls.warnings.empty());
  EXPECT_NE(ls.warnings.back().find("DB_HOST (DB_HOST in the environment) is ignored"),
            std::string::npos)
      << ls.warnings.back();
}

// Issue #13, item 16: --config DIR failed with "basic_filebuf::underflow", --env-file DIR
// was silently ignored.
TEST(Config, ADirectoryGivenAsAFileIsNamed) {
  TempDir dir;
  auto src = sources_in(dir);
  for (bool config : {true, false}) {
    auto s = src;
    (config ? s.config_path : s.env_path) = dir.path().string();
    (config ? s.config_explicit : s.env_explicit) = true;
    try {
      load_settings(s);
      FAIL() << "a directory was accepted";
    } catch (const ConfigError& e) {
      const std::string want = std::string(config ? "--config " : "--env-file ") +
                               dir.path().string() + " is a directory";
      EXPECT_NE(std::string(e.what()).find(want), std::string::npos) << e.what();
    }
  }
}

TEST(Config, SubstitutesVariablesFromEnvironmentThenDotenv) {
  TempDir dir;
  auto src = sources_in(dir);
  write_file(
      src.config_path,
      "prometheus:\n  url: \"${PROM_HOST_URL}\"\ncloudwatch:\n  region: "
      "\"${REGION_X:-ap-south-1}\"\n"
      "mysql:\n  host: \"${UNSET_HOST}\"\nstorage:\n  url: \"sqlite://${DATA_DIR}/im.db\"\n");
  write_file(src.env_path, "DATA_DIR=/srv/data\nPROM_HOST_URL=http://from-dotenv:9090\n");
  src.environment = {{"PROM_HOST_URL", "http://from-env:9090"}};
  const auto s = load_settings(src).settings;
  EXPECT_EQ(s.prometheus.url, "http://from-env:9090");
  EXPECT_EQ(s.cloudwatch.region, "ap-south-1");
  EXPECT_EQ(s.mysql.host, "");  // unset ${VAR}: the key counts as not set
  EXPECT_EQ(s.storage.path, "/srv/data/im.db");
}

TEST(Config, UnknownKeysAreWarnedAboutWithASuggestion) {
  TempDir dir;
  auto src = sources_in(dir);
  write_file(src.config_path, "spc:\n  sigma_warnig: 2.5\nprometheus:\n  timeout: 5\n");
  src.environment = {{"IM_SPC_ZCAP", "3"}, {"HOME", "/root"}};
  auto ls = load_settings(src);
  ASSERT_EQ(ls.warnings.size(), 3u);
  std::string all;
  for (const auto& w : ls.warnings) all += w + "\n";
  EXPECT_NE(all.find("unknown configuration key 'spc.sigma_warnig' at " + src.config_path +
                     ":2 is ignored (did you mean spc.sigma_warning?)"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("'prometheus.timeout'"), std::string::npos) << all;
  EXPECT_NE(all.find("IM_SPC_ZCAP in the environment is ignored (did you mean IM_SPC_Z_CAP?)"),
            std::string::npos)
      << all;
  EXPECT_DOUBLE_EQ(ls.settings.spc.sigma_warning, 2.0);
}

TEST(Config, ExplicitFilesMustExistDefaultOnesMayNot) {
  TempDir dir;
  auto src = sources_in(dir);
  EXPECT_NO_THROW(load_settings(src));
  src.config_explicit = true;
  EXPECT_THROW(
      {
        try {
          load_settings(src);
        } catch (const ConfigError& e) {
          EXPECT_NE(std::string(e.what()).find("--config " + src.config_path + ": file not found"),
                    std::string::npos);
          throw;
        }
      },
      ConfigError);
  src.config_explicit = false;
  src.env_explicit = true;
  EXPECT_THROW(load_settings(src), ConfigError);
}

TEST(Config, MalformedDotenvLineNamesFileAndLine) {
  TempDir dir;
  auto src = sources_in(dir);
  write_file(src.env_path, "# comment\nAWS_REGION=us-east-2\nthis is not an assignment\n");
  try {
    load_settings(src);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(src.env_path + ":3: expected KEY=VALUE"),
              std::string::npos)
        << e.what();
  }
}

TEST(Config, DotenvAcceptsExportQuotesAndComments) {
  TempDir dir;
  auto src = sources_in(dir);
  write_file(src.env_path, "export AWS_REGION=\"us-west-2\"\nBATCH_SIZE=25 # smaller batches\n");
  const auto s = load_settings(src).settings;
  EXPECT_EQ(s.cloudwatch.region, "us-west-2");
  EXPECT_EQ(s.cloudwatch.batch_size, 25);
}

// Issue #14: a default is written once. The registry's documented default (README, --help) and
// the Settings struct's initial value must agree: giving each key its documented default
// explicitly changes nothing.
TEST(Config, EveryDocumentedDefaultIsTheBuiltInOne) {
  TempDir dir;
  const Settings built_in = load_settings(sources_in(dir)).settings;
  size_t checked = 0;
  for (const auto& k : known_keys()) {
    if (k.default_value.empty()) continue;  // no default: the key is unset unless given
    SCOPED_TRACE(k.path + " = " + k.default_value);
    auto src = sources_in(dir);
    src.cli[k.path] = k.default_value;
    try {
      EXPECT_TRUE(load_settings(src).settings == built_in);
    } catch (const ConfigError& e) {
      ADD_FAILURE() << e.what();
    }
    ++checked;
  }
  EXPECT_GT(checked, 40u);
}

TEST(Config, SecretsAreCollectedForRedaction) {
  TempDir dir;
  auto src = sources_in(dir);
  src.environment = {{"DB_PASSWORD", "pw-123"}, {"AWS_SECRET_ACCESS_KEY", "sk-456"}};
  auto secrets = load_settings(src).secrets;
  EXPECT_EQ(secrets, (std::vector<std::string>{"pw-123", "sk-456"}));
}

TEST(Config, ShippedConfigurationLoadsCleanly) {
  ConfigSources src;
  src.config_path =
      (test::data_dir().parent_path().parent_path() / "config" / "pipeline_config.yaml").string();
  src.config_explicit = true;
  src.env_path =
      (test::data_dir().parent_path().parent_path() / "config" / ".env.example").string();
  src.env_explicit = true;
  auto ls = load_settings(src);
  EXPECT_TRUE(ls.warnings.empty()) << ls.warnings.front();
  EXPECT_EQ(ls.settings.storage.str(), "sqlite://var/infra_monitor.db");
  EXPECT_EQ(ls.settings.prometheus.metrics.size(), 10u);
}

TEST(Config, YamlSequencesAreReadItemByItem) {
  TempDir dir;
  auto src = sources_in(dir);
  write_file(src.config_path,
             "cloudwatch:\n  services:\n    - RDS\n    - ${EXTRA_SERVICE}\n"
             "  statistics: [Average, 'Maximum', \"Minimum\"]\n");
  src.environment["EXTRA_SERVICE"] = "DOCDB";
  auto ls = load_settings(src);
  EXPECT_EQ(ls.settings.cloudwatch.services, (std::vector<std::string>{"RDS", "DOCDB"}));
  EXPECT_EQ(ls.settings.cloudwatch.statistics,
            (std::vector<std::string>{"Average", "Maximum", "Minimum"}));
  src.environment.erase("EXTRA_SERVICE");  // an item naming an unset variable is no item
  EXPECT_EQ(load_settings(src).settings.cloudwatch.services, (std::vector<std::string>{"RDS"}));
  // Text from the environment is still a comma-separated list.
  src.environment["IM_CLOUDWATCH_SERVICES"] = "RDS, EMR";
  EXPECT_EQ(load_settings(src).settings.cloudwatch.services,
            (std::vector<std::string>{"RDS", "EMR"}));
}

TEST(Config, PerMetricOverridesStartFromTheGlobalSpcBlock) {
  TempDir dir;
  auto src = sources_in(dir);
  write_file(src.config_path,
             "spc:\n  sigma_warning: 2.2\n  metrics:\n    ops_per_sec:\n      sigma_warning: 2.5\n"
             "      sigma_critical: 4\n      we_rules_enabled: [1, 2]\n    read_latency_ms:\n"
             "      spc_stat: max\n      direction: both\n      limits:\n        warning: 20\n"
             "        critical: 50\n    no_such_metric:\n      sigma_warning: 3\n"
             "    hit_ratio_pct:\n      sigma_wrning: 3\n");
  auto ls = load_settings(src);
  const auto& o = ls.settings.metric_overrides;
  ASSERT_EQ(o.size(), 2u);
  const auto& ops = o.at("ops_per_sec");
  EXPECT_DOUBLE_EQ(ops.params.sigma_warning, 2.5);
  EXPECT_DOUBLE_EQ(ops.params.sigma_critical, 4);
  EXPECT_EQ(ops.params.we_rules_enabled, (std::vector<int>{1, 2}));
  EXPECT_EQ(ops.params.rolling_window_days, 14);  // inherited
  const auto& lat = o.at("read_latency_ms");
  EXPECT_DOUBLE_EQ(lat.params.sigma_warning, 2.2);  // the global value
  EXPECT_EQ(lat.spc_stat, Stat::MAX);
  EXPECT_EQ(lat.direction, Direction::BOTH);
  EXPECT_EQ(lat.limit_warning, 20);
  EXPECT_EQ(lat.limit_critical, 50);
  EXPECT_FALSE(lat.limit_emergency);
  ASSERT_EQ(ls.warnings.size(), 2u);
  EXPECT_NE(ls.warnings[0].find("unknown metric 'spc.metrics.no_such_metric'"), std::string::npos)
      << ls.warnings[0];
  EXPECT_NE(ls.warnings[1].find("'spc.metrics.hit_ratio_pct.sigma_wrning'"), std::string::npos)
      << ls.warnings[1];
}

TEST(Config, EveryKeyHasAnEnvironmentForm) {
  for (const auto& k : known_keys()) {
    EXPECT_TRUE(k.env.starts_with("IM_")) << k.path;
    EXPECT_FALSE(k.help.empty()) << k.path;
  }
}

}  // namespace
}  // namespace im
