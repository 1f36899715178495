// `backtest` as an operator uses it (issue #15): on a store the pipeline filled, it grades a
// configuration (or two) against a labelled-incidents file, writes nothing, and refuses bad
// input with exit code 2.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "app/app.h"
#include "app/run_cli.h"
#include "store/store.h"
#include "test_util.h"

namespace im::app {
namespace {

using test::run_cli;

const std::string kFirst = "2026-10-01", kLast = "2026-10-24";

class Backtest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir;
    test::write_file(dir_->file("small.yaml"),
                     "simulate:\n  redis_instances: 6\n  rds_instances: 4\n");
    test::write_file(dir_->file("strict.yaml"),
                     "simulate:\n  redis_instances: 6\n  rds_instances: 4\n"
                     "spc:\n  sigma_warning: 2.5\n  sigma_critical: 4\n");
    test::write_file(dir_->file("empty.env"), "");
    ASSERT_EQ(cli({"run", "--start-date", kFirst, "--end-date", kLast}), kExitOk);
    std::string why;
    auto store = store::open_store(*parse_storage_url(url(), why));
    for (const auto& row : store->load_inventory())
      if (row.instance.service == ServiceType::REDIS) redis_ = row.instance.id;
  }
  static void TearDownTestSuite() { delete dir_; }

  static std::string url() { return "sqlite://" + dir_->file("bt.db"); }
  static int cli(std::vector<std::string> args, const std::string& config = "small.yaml") {
    args.insert(args.begin(), {"--config", dir_->file(config), "--env-file",
                               dir_->file("empty.env"), "--storage-url", url()});
    return run_cli(args);
  }
  static std::string truth(const std::string& name, const std::string& body) {
    test::write_file(dir_->file(name), body);
    return dir_->file(name);
  }

  static test::TempDir* dir_;
  static std::string redis_;
};
test::TempDir* Backtest::dir_ = nullptr;
std::string Backtest::redis_;

TEST_F(Backtest, GradesTwoConfigurationsAndWritesNothing) {
  ASSERT_FALSE(redis_.empty());
  const std::string file =
      truth("t.csv", "instance,metrics,first_day,last_day,kind\n" + redis_ +
                         ",memory_usage_pct;hit_ratio_pct,2026-10-20,2026-10-21,made_up\n");
  std::string why;
  auto store = store::open_store(*parse_storage_url(url(), why));
  const size_t scores_before =
      store->load_anomaly_scores(*Day::parse(kFirst), *Day::parse(kLast)).size();
  testing::internal::CaptureStdout();
  const int code = cli({"backtest", "--truth", file, "--start-date", "2026-10-15", "--end-date",
                        kLast, "--compare", dir_->file("strict.yaml"), "--format", "json"});
  const std::string out = testing::internal::GetCapturedStdout();
  ASSERT_EQ(code, kExitOk) << out;
  const auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["first_day"], "2026-10-15");
  ASSERT_EQ(j["configs"].size(), 2u);
  for (const auto& c : j["configs"]) {
    EXPECT_EQ(c["incidents"], 1);
    EXPECT_GT(c["scored_series_days"].get<int64_t>(), 500);
    EXPECT_TRUE(c["alerts_by_severity"].is_object());
  }
  // A stricter configuration raises fewer WARNING+ alerts, never more.
  EXPECT_LE(j["configs"][1]["false_alerts"].get<int>(), j["configs"][0]["false_alerts"].get<int>());
  EXPECT_EQ(store->load_anomaly_scores(*Day::parse(kFirst), *Day::parse(kLast)).size(),
            scores_before);

  testing::internal::CaptureStdout();
  EXPECT_EQ(cli({"backtest", "--truth", file}), kExitOk);
  const std::string text = testing::internal::GetCapturedStdout();
  EXPECT_NE(text.find("backtest 2026-10-20 .. 2026-10-21 (2 days): 1 incident(s)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("made_up"), std::string::npos) << text;
}

TEST_F(Backtest, RefusesBadInputWithExitTwo) {
  const std::string other =
      truth("other.csv",
            "instance,metrics,first_day,last_day\n"
            "redis-of-another-fleet,memory_usage_pct,2026-10-20,2026-10-21\n");
  EXPECT_EQ(cli({"backtest", "--truth", other}), kExitUsage);  // an unknown instance
  const std::string bad_line =
      truth("bad.csv", "instance,metrics,first_day,last_day\n" + redis_ +
                           ",memory_usage_pct,2026-10-20,2026-10-21\n" + redis_ +
                           ",cpu_user_pct,20 October,2026-10-21\n");
  EXPECT_EQ(cli({"backtest", "--truth", bad_line}), kExitUsage);
  const std::string good = truth("good.csv", "instance,metrics,first_day,last_day\n" + redis_ +
                                                 ",memory_usage_pct,2026-10-20,2026-10-21\n");
  // A range with no stored day, and a range that ends before it starts.
  EXPECT_EQ(
      cli({"backtest", "--truth", good, "--start-date", "2025-01-01", "--end-date", "2025-01-31"}),
      kExitUsage);
  EXPECT_EQ(
      cli({"backtest", "--truth", good, "--start-date", "2026-10-21", "--end-date", "2026-10-20"}),
      kExitUsage);
  EXPECT_EQ(cli({"backtest", "--truth", dir_->file("missing.csv")}), kExitUsage);
  EXPECT_EQ(cli({"backtest", "--truth", good, "--compare", dir_->file("missing.yaml")}),
            kExitUsage);
}

}  // namespace
}  // namespace im::app
