// The documentation stays true to the code: every catalog metric is in the data dictionary,
// every configuration key is in the shipped configuration file.
#include <gtest/gtest.h>

#include "config/settings.h"
#include "core/catalog.h"
#include "test_util.h"

namespace im {
namespace {

std::string repo_file(const std::string& rel) {
  return test::read_file((test::data_dir().parent_path().parent_path() / rel).string());
}

TEST(Docs, DataDictionaryListsEveryCatalogMetric) {
  std::string dict = repo_file("docs/data_dictionary.md");
  ASSERT_FALSE(dict.empty());
  for (const auto& m : metric_catalog())
    EXPECT_NE(dict.find("| " + std::string(m.name) + " |"), std::string::npos) << m.name;
}

TEST(Docs, ShippedConfigurationShowsEveryKey) {
  std::string yaml = repo_file("config/pipeline_config.yaml");
  ASSERT_FALSE(yaml.empty());
  for (const auto& k : known_keys()) {
    if (k.path.starts_with("aws.") || k.path == "mysql.user" || k.path == "mysql.password")
      continue;  // secrets: env only
    std::string leaf = k.path.substr(k.path.rfind('.') + 1);
    EXPECT_NE(yaml.find(leaf + ":"), std::string::npos) << k.path;
  }
}

TEST(Docs, ReadmeStartsWithTheTwoCommands) {
  std::string readme = repo_file("README.md");
  auto run = readme.find("make run"), test = readme.find("make test");
  ASSERT_NE(run, std::string::npos);
  ASSERT_NE(test, std::string::npos);
  EXPECT_LT(run, 1200u);
  EXPECT_LT(test, 1200u);
}

}  // namespace
}  // namespace im
