#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "spc/spc.h"
#include "test_util.h"

namespace im::spc {
namespace {

std::vector<double> numbers(const std::string& text) {
  std::vector<double> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    item.erase(0, item.find_first_not_of(" \t"));
    if (!item.empty()) out.push_back(std::stod(item));
  }
  return out;
}

std::string trim(std::string s) {
  s.erase(0, s.find_first_not_of(" \t"));
  s.erase(s.find_last_not_of(" \t") + 1);
  return s;
}

struct Case {
  int line;
  std::string text;
  std::vector<double> z, x;
  std::vector<int> enabled;
  std::string expect;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << "line " << c.line << ": " << c.text;
}

std::vector<Case> load_cases() {
  std::ifstream in(test::data_dir() / "spc" / "we_rules.txt");
  std::vector<Case> out;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string part;
    while (std::getline(ss, part, '|')) f.push_back(trim(part));
    if (f.size() != 4)
      throw std::runtime_error("we_rules.txt:" + std::to_string(n) + ": expected 4 fields");
    Case c{n, line, numbers(f[0]), {}, {}, f[3]};
    if (f[1] == "-")
      for (size_t i = 0; i < c.z.size(); ++i) c.x.push_back(i % 2 ? 1.0 : 2.0);
    else
      c.x = numbers(f[1]);
    if (f[2] == "all")
      c.enabled = {1, 2, 3, 4, 5};
    else
      for (double r : numbers(f[2])) c.enabled.push_back(static_cast<int>(r));
    out.push_back(c);
  }
  return out;
}

class WesternElectric : public testing::TestWithParam<Case> {};

TEST_P(WesternElectric, FiresExactlyTheExpectedRules) {
  const Case& c = GetParam();
  ASSERT_EQ(c.z.size(), c.x.size());
  std::vector<PastScore> past;
  const Day d = *Day::parse("2026-05-01");
  // Missing days inside the run do not matter: only scored days are in `past`.
  for (size_t i = 0; i + 1 < c.z.size(); ++i)
    past.push_back(
        {d - static_cast<int32_t>(2 * (c.z.size() - 1 - i)), c.x[i], c.z[i], Severity::NORMAL});
  int side[6] = {0};
  auto fired = western_electric(past, c.x.back(), c.z.back(), c.enabled, side);
  EXPECT_EQ(fired.empty() ? "none" : join_rules(fired), c.expect) << c.text;
}

INSTANTIATE_TEST_SUITE_P(Golden, WesternElectric, testing::ValuesIn(load_cases()),
                         [](const auto& info) {
                           return "line_" + std::to_string(info.param.line);
                         });

TEST(WesternElectricGolden, CoversEveryRule) {
  EXPECT_GE(load_cases().size(), 30u);
}

TEST(WesternElectric, ReportsTheSideOfEachRule) {
  std::vector<PastScore> past{{Day(1), 1, -2.5, Severity::NORMAL},
                              {Day(2), 1, 0.1, Severity::NORMAL}};
  int side[6] = {0};
  auto fired = western_electric(past, 0.5, -3.5, {1, 2, 3, 4, 5}, side);
  EXPECT_EQ(join_rules(fired), "1,2");
  EXPECT_EQ(side[1], -1);
  EXPECT_EQ(side[2], -1);
}

}  // namespace
}  // namespace im::spc
