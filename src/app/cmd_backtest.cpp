// `backtest`: judge detection settings against known incidents before using them (issue #15).
// Steps 9-13 are replayed over the stored day rows of a range under one configuration (or two,
// side by side), in memory: nothing stored is read but the day rows and the inventory, and
// nothing is written.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/app.h"
#include "app/command.h"
#include "backtest/backtest.h"
#include "core/text_safety.h"

namespace im::app {

namespace {

// One configuration's result.
struct Judged {
  std::string config;
  backtest::Report report;
  double seconds = 0;  // the replay and the grading
};

// What every configuration replays, read from the store once: the day rows from the earliest
// day any of them needs (ascending by date), and the inventory.
struct Stored {
  std::vector<DailyMetric> daily;
  std::vector<InventoryRow> inventory;
};

Judged judge(const std::string& name, const Settings& s, const Stored& stored,
             const backtest::Truth& truth, Day first, Day last) {
  const auto t0 = std::chrono::steady_clock::now();
  // This configuration's own warm-up: its replay starts where its windows need it to.
  const Day from = backtest::replay_start(s, first);
  const auto begin = std::lower_bound(stored.daily.begin(), stored.daily.end(), from,
                                      [](const DailyMetric& m, Day d) { return m.date < d; });
  const std::span<const DailyMetric> daily(begin, stored.daily.end());
  const backtest::Replayed r = backtest::replay(s, daily, stored.inventory, last);
  Judged j;
  j.config = name;
  j.report = backtest::grade(truth, r.alerts, r.scores, first, last);
  j.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return j;
}

std::string ratio(double v, int digits = 2) {
  return std::isnan(v) ? "-" : fmt::format("{:.{}f}", v, digits);
}

// The largest counts first, at most `most` of them (the JSON has them all).
std::string counts(const std::map<std::string, int>& by, size_t most = 3) {
  std::vector<std::pair<int, std::string>> sorted;
  for (const auto& [k, n] : by) sorted.push_back({-n, k});
  std::sort(sorted.begin(), sorted.end());
  std::string out;
  for (size_t i = 0; i < sorted.size() && i < most; ++i)
    out += (out.empty() ? "" : ", ") + sorted[i].second + " " + std::to_string(-sorted[i].first);
  if (sorted.size() > most) out += ", ...";
  return out.empty() ? "none" : out;
}

std::map<std::string, int> by_type(const backtest::Report& r) {
  std::map<std::string, int> out;
  for (const auto& [t, n] : r.false_by_type) out[std::string(to_string(t))] = n;
  return out;
}

std::string severities(const backtest::Report& r) {
  std::string out;
  for (Severity s : {Severity::EMERGENCY, Severity::CRITICAL, Severity::WARNING, Severity::INFO}) {
    auto it = r.alerts_by_severity.find(s);
    out += (out.empty() ? "" : ", ") + std::string(to_string(s)) + " " +
           std::to_string(it == r.alerts_by_severity.end() ? 0 : it->second);
  }
  return out;
}

void print_text(std::ostream& out, const std::vector<Judged>& all, const backtest::Truth& truth) {
  const auto& first = all.front().report;
  out << "backtest " << first.first.str() << " .. " << first.last.str() << " ("
      << (first.last - first.first + 1) << " days): " << first.incidents << " incident(s), "
      << thousands(first.scored_series_days) << " scored series-days\n";
  std::vector<std::pair<std::string, std::vector<std::string>>> rows;
  auto row = [&](const std::string& label, auto value) {
    std::vector<std::string> cells;
    for (const auto& j : all) cells.push_back(value(j));
    rows.push_back({label, cells});
  };
  row("configuration", [](const Judged& j) { return j.config; });
  row("alerted on day 0 / 1 / 2 / later", [](const Judged& j) {
    const auto& r = j.report;
    return fmt::format("{} / {} / {} / {}", r.detected_by_day[0], r.detected_by_day[1],
                       r.detected_by_day[2], r.detected_later);
  });
  row("recall within 1 day", [](const Judged& j) { return ratio(j.report.recall(1)); });
  std::set<std::string> kinds;
  for (const auto& i : truth.incidents) kinds.insert(i.kind.empty() ? "(no kind)" : i.kind);
  if (kinds.size() > 1 || !kinds.count("(no kind)"))
    for (const auto& k : kinds)
      row("  " + k, [&](const Judged& j) {
        auto it = j.report.by_kind.find(k);
        return it == j.report.by_kind.end()
                   ? std::string("-")
                   : fmt::format("{}/{}", it->second.first, it->second.second);
      });
  row("missed", [](const Judged& j) {
    std::string s;
    for (const auto& id : j.report.missed_ids) s += (s.empty() ? "" : ", ") + id;
    return s.empty() ? std::string("none") : s;
  });
  row("false WARNING+ per 1,000 series-days",
      [](const Judged& j) { return ratio(j.report.false_per_1000(), 1); });
  row("  on control instances",
      [](const Judged& j) { return ratio(j.report.false_per_1000_controls(), 1); });
  row("CRITICAL+ precision", [](const Judged& j) {
    return fmt::format("{} ({} of {})", ratio(j.report.critical_precision()),
                       j.report.critical_plus_true, j.report.critical_plus);
  });
  row("alerts per day", [](const Judged& j) { return ratio(j.report.alerts_per_day(), 1); });
  row("  by severity", [](const Judged& j) { return severities(j.report); });
  row("false alerts by metric", [](const Judged& j) { return counts(j.report.false_by_metric); });
  row("false alerts by type", [](const Judged& j) { return counts(by_type(j.report)); });
  row("replay and grading", [](const Judged& j) { return fmt::format("{:.2f} s", j.seconds); });
  size_t label_width = 0, cell_width = 0;
  for (const auto& [label, cells] : rows) {
    label_width = std::max(label_width, label.size());
    for (const auto& c : cells) cell_width = std::max(cell_width, c.size());
  }
  for (const auto& [label, cells] : rows) {
    out << fmt::format("  {:<{}}", label, label_width);
    for (size_t k = 0; k < cells.size(); ++k)
      out << "  "
          << (k + 1 < cells.size() ? fmt::format("{:<{}}", cells[k], cell_width) : cells[k]);
    out << "\n";
  }
}

nlohmann::ordered_json to_json(const Judged& j) {
  const auto& r = j.report;
  nlohmann::ordered_json o;
  o["config"] = j.config;
  o["incidents"] = r.incidents;
  o["alerted_on_day"] = {r.detected_by_day[0], r.detected_by_day[1], r.detected_by_day[2]};
  o["alerted_later"] = r.detected_later;
  o["missed"] = r.missed_ids;
  auto number = [](double v) {
    return std::isnan(v) ? nlohmann::ordered_json() : nlohmann::ordered_json(v);
  };
  o["recall_within_1_day"] = number(r.recall(1));
  for (const auto& [kind, n] : r.by_kind)
    o["recall_by_kind"][kind] = {{"within_1_day", n.first}, {"incidents", n.second}};
  o["scored_series_days"] = r.scored_series_days;
  o["false_alerts"] = r.false_alerts;
  o["false_per_1000_series_days"] = number(r.false_per_1000());
  o["false_per_1000_on_controls"] = number(r.false_per_1000_controls());
  o["false_by_metric"] = r.false_by_metric;
  o["false_by_type"] = by_type(r);
  o["critical_plus"] = r.critical_plus;
  o["critical_plus_true"] = r.critical_plus_true;
  o["critical_plus_precision"] = number(r.critical_precision());
  o["alerts_per_day"] = number(r.alerts_per_day());
  for (const auto& [s, n] : r.alerts_by_severity) o["alerts_by_severity"][to_string(s)] = n;
  o["seconds"] = j.seconds;
  return o;
}

class BacktestCommand final : public Command {
 public:
  void add_to(CLI::App& app) override {
    sub = app.add_subcommand(
        "backtest",
        "replay steps 9-13 over stored days under a configuration and grade its alerts "
        "against known incidents (nothing is written)");
    sub->add_option("--truth", truth_,
                    "known incidents: CSV (instance,metrics,first_day,last_day[,kind][,id]) or "
                    "the labelled fleet's TRUTH.json")
        ->required();
    sub->add_option("--start-date", start_, "first day graded (default: the first incident's)");
    sub->add_option("--end-date", end_, "last day graded (default: the last incident's)");
    sub->add_option("--compare", compare_, "a second configuration file, judged side by side");
    sub->add_option("--format", format_, "text or json")
        ->capture_default_str()
        ->check(CLI::IsMember({"text", "json"}));
  }

  int run(Runtime& rt) override {
    const backtest::Truth truth = backtest::parse_truth(read_flag_file("--truth", truth_), truth_);
    const auto [first, last] = range(truth, rt.today());
    const LoadedSettings& ls = rt.load();
    rt.start_logging();
    std::optional<LoadedSettings> other;
    if (!compare_.empty()) {
      if (!std::filesystem::is_regular_file(compare_))
        throw UsageError("--compare " + escape_control(compare_) + ": no such configuration file");
      other = rt.load_other(compare_);
    }
    auto db = rt.open(store::OpenMode::READ_ONLY);
    Day from = backtest::replay_start(ls.settings, first);
    if (other) from = std::min(from, backtest::replay_start(other->settings, first));
    Stored stored{db.store->load_daily_metrics(from, last, {}), db.store->load_inventory()};
    if (std::none_of(stored.daily.begin(), stored.daily.end(),
                     [&](const DailyMetric& m) { return !(m.date < first); }))
      throw UsageError("backtest: the store holds no day rows from " + first.str() + " to " +
                       last.str() + " (run the pipeline over those days first)");
    std::vector<Judged> all;
    std::string name = "built-in defaults";  // the configuration file read, if any
    for (const auto& f : ls.files)
      if (f.ends_with(".yaml") || f.ends_with(".yml")) name = f;
    all.push_back(judge(name, ls.settings, stored, truth, first, last));
    if (other) all.push_back(judge(compare_, other->settings, stored, truth, first, last));
    if (format_ == "json") {
      nlohmann::ordered_json j;
      j["first_day"] = first.str();
      j["last_day"] = last.str();
      for (const auto& one : all) j["configs"].push_back(to_json(one));
      std::cout << j.dump(2) << "\n";
    } else {
      print_text(std::cout, all, truth);
    }
    return kExitOk;
  }

 private:
  // --start/--end, by default the incidents' first and last days.
  std::pair<Day, Day> range(const backtest::Truth& truth, Day today) const {
    std::optional<Day> first, last;
    for (const auto& i : truth.incidents) {
      if (!first || i.first < *first) first = i.first;
      if (!last || *last < i.last) last = i.last;
    }
    if (!start_.empty()) first = parse_day_flag("--start-date", start_, today);
    if (!end_.empty()) last = parse_day_flag("--end-date", end_, today);
    if (!first || !last)
      throw UsageError("backtest: " + truth_ +
                       " lists no incident; give --start-date and --end-date");
    if (*last < *first)
      throw UsageError("backtest: --end-date " + last->str() + " is before --start-date " +
                       first->str());
    return {*first, *last};
  }

  std::string truth_, start_, end_, compare_, format_ = "text";
};

}  // namespace

std::unique_ptr<Command> backtest_command() {
  return std::make_unique<BacktestCommand>();
}

}  // namespace im::app
