// `detect`: the engine on one ad-hoc series (issue #15). A CSV of timestamp,value in, a score per
// point out (CSV or JSON lines), and on stderr the points that would alert. No store is opened.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/app.h"
#include "app/command.h"
#include "core/text_safety.h"
#include "detect/detect.h"

namespace im::app {

namespace {

std::string iso(int64_t t) {
  const Day d = Day::from_unix_seconds(t);
  const int64_t s = t - d.start_unix();
  return fmt::format("{} {:02}:{:02}:{:02}", d.str(), s / 3600, s / 60 % 60, s % 60);
}

std::string rules_of(const spc::Finding& f) {
  std::string out;
  for (int r : f.rules) out += (out.empty() ? "" : ";") + std::to_string(r);
  return out;
}

std::string num(double v) {
  return std::isnan(v) ? "" : fmt::format("{:.6g}", v);
}
std::string num(const std::optional<double>& v) {
  return v ? num(*v) : "";
}

class DetectCommand final : public Command {
 public:
  void add_to(CLI::App& app) override {
    sub = app.add_subcommand("detect",
                             "score one series of a CSV file (timestamp,value) with the engine");
    sub->add_option("--input", input_, "the CSV file")->required();
    sub->add_option("--window", window_,
                    "baseline window: points (14) or a duration (7d, 12h); default "
                    "spc.rolling_window_days points");
    sub->add_option("--direction", direction_, "harmful direction: up, down or both")
        ->capture_default_str()
        ->check(CLI::IsMember({"up", "down", "both"}));
    sub->add_flag("--rows", by_rows_,
                  "each row is the next point, whatever its timestamp (duplicate or irregular "
                  "timestamps kept, as NAB counts points)");
    sub->add_option("--format", format_, "csv or jsonl")
        ->capture_default_str()
        ->check(CLI::IsMember({"csv", "jsonl"}));
  }

  int run(Runtime& rt) override {
    const detect::Series series =
        detect::parse_csv(read_flag_file("--input", input_), input_, by_rows_);
    const Settings& s = rt.load().settings;
    spc::MetricRules rules;
    rules.params = s.spc;
    if (!window_.empty())
      rules.params.rolling_window_days = detect::window_points(window_, series.step);
    rules.params.min_baseline_days =
        std::min(rules.params.min_baseline_days, rules.params.rolling_window_days);
    rules.direction = direction_ == "up"     ? Direction::UP
                      : direction_ == "down" ? Direction::DOWN
                                             : Direction::BOTH;
    const auto scored = detect::score(series, rules);
    if (format_ == "csv")
      std::cout << "timestamp,value,mean,sigma,z,rules,severity,anomaly_score,alert\n";
    int alerts = 0;
    for (const auto& p : scored) {
      const auto& f = p.finding;
      const std::string severity = f.scored ? std::string(to_string(f.severity)) : "";
      const std::string alert = p.alert ? std::string(to_string(*p.alert)) : "";
      alerts += p.alert && *p.alert >= Severity::WARNING;
      if (format_ == "csv") {
        std::cout << iso(p.time) << "," << num(p.value) << "," << num(f.baseline.mean) << ","
                  << num(f.baseline.sigma) << "," << num(f.z) << "," << rules_of(f) << ","
                  << severity << "," << num(f.anomaly_score) << "," << alert << "\n";
        continue;
      }
      nlohmann::ordered_json j;
      j["timestamp"] = iso(p.time);
      j["value"] = std::isnan(p.value) ? nlohmann::ordered_json() : nlohmann::ordered_json(p.value);
      if (f.z) j["z"] = *f.z;
      if (!f.rules.empty()) j["rules"] = f.rules;
      if (!severity.empty()) j["severity"] = severity;
      if (f.anomaly_score) j["anomaly_score"] = *f.anomaly_score;
      if (!alert.empty()) j["alert"] = alert;
      std::cout << j.dump() << "\n";
    }
    std::cerr << fmt::format(
        "{}: {} points every {} s, window {} points; {} would alert (WARNING+)\n", input_,
        scored.size(), series.step, rules.params.rolling_window_days, alerts);
    for (const auto& p : scored)
      if (p.alert && *p.alert >= Severity::WARNING)
        std::cerr << "  " << iso(p.time) << " " << to_string(*p.alert) << " value " << num(p.value)
                  << " z " << num(p.finding.z) << "\n";
    return kExitOk;
  }

 private:
  std::string input_, window_, direction_ = "both", format_ = "csv";
  bool by_rows_ = false;
};

}  // namespace

std::unique_ptr<Command> detect_command() {
  return std::make_unique<DetectCommand>();
}

}  // namespace im::app
