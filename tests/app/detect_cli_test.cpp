// `detect` as a user runs it (issue #15): a CSV in, a score per point out, exit 2 on bad input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "app/app.h"
#include "app/run_cli.h"
#include "test_util.h"

namespace im::app {
namespace {

TEST(DetectCli, ScoresEveryPointAndRefusesABadLine) {
  test::TempDir dir;
  test::write_file(dir.file("empty.yaml"), "");
  test::write_file(dir.file("empty.env"), "");
  std::string csv = "timestamp,value\n";
  for (int k = 0; k < 48; ++k)
    csv += std::to_string(1793664000 + 3600 * k) + "," +
           std::to_string(k == 40 ? 150 : 100 + k % 3) + "\n";
  test::write_file(dir.file("s.csv"), csv);
  const std::vector<std::string> base = {
      "--config", dir.file("empty.yaml"), "--env-file", dir.file("empty.env"), "detect", "--input"};
  auto args = [&](std::vector<std::string> more) {
    std::vector<std::string> a = base;
    a.insert(a.end(), more.begin(), more.end());
    return a;
  };
  testing::internal::CaptureStdout();
  EXPECT_EQ(test::run_cli(args({dir.file("s.csv"), "--window", "1d", "--direction", "up"})),
            kExitOk);
  std::string out = testing::internal::GetCapturedStdout();
  std::istringstream lines(out);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line, "timestamp,value,mean,sigma,z,rules,severity,anomaly_score,alert");
  int rows = 0, alerts = 0;
  while (std::getline(lines, line)) {
    ++rows;
    if (line.ends_with(",CRITICAL") || line.ends_with(",EMERGENCY")) {
      ++alerts;
      EXPECT_TRUE(line.starts_with("2026-11-04 16:00:00,150,")) << line;
    }
  }
  EXPECT_EQ(rows, 48);
  EXPECT_EQ(alerts, 1);

  testing::internal::CaptureStdout();
  EXPECT_EQ(test::run_cli(args({dir.file("s.csv"), "--format", "jsonl"})), kExitOk);
  out = testing::internal::GetCapturedStdout();
  std::istringstream json_lines(out);
  std::getline(json_lines, line);
  EXPECT_EQ(nlohmann::json::parse(line)["timestamp"], "2026-11-03 00:00:00");

  test::write_file(dir.file("bad.csv"), "timestamp,value\n1793664000,1\n1793667600,x\n");
  EXPECT_EQ(test::run_cli(args({dir.file("bad.csv")})), kExitUsage);
  EXPECT_EQ(test::run_cli(args({dir.file("s.csv"), "--window", "90s"})), kExitUsage);
  EXPECT_EQ(test::run_cli(args({dir.file("missing.csv")})), kExitUsage);
}

}  // namespace
}  // namespace im::app
