#include <algorithm>
#include <sstream>

#include "pipeline/pipeline.h"
#include "pipeline/steps.h"

namespace im::pipeline {

std::vector<Day> plan_days(const DateSelection& sel, Day today) {
  int forms = (sel.backfill ? 1 : 0) + ((sel.start || sel.end) ? 1 : 0) + (sel.target ? 1 : 0);
  if (forms > 1)
    throw UsageError("choose one of --backfill, --start-date/--end-date and --target-date");
  std::vector<Day> days;
  const Day yesterday = today - 1;
  if (sel.backfill) {
    if (*sel.backfill < 1 || *sel.backfill > 3660)
      throw UsageError("--backfill " + std::to_string(*sel.backfill) +
                       ": must be from 1 to 3660 days");
    for (int i = *sel.backfill; i >= 1; --i) days.push_back(today - i);
  } else if (sel.start || sel.end) {
    if (!sel.start || !sel.end) throw UsageError("--start-date and --end-date go together");
    if (*sel.end < *sel.start)
      throw UsageError("--end-date " + sel.end->str() + " is before --start-date " +
                       sel.start->str());
    if (*sel.end - *sel.start >= 3660) throw UsageError("the date range is longer than 3660 days");
    for (Day d = *sel.start; d <= *sel.end; ++d) days.push_back(d);
  } else {
    days.push_back(sel.target.value_or(yesterday));
  }
  if (days.back() > yesterday)
    throw UsageError(days.back().str() + " is not a complete UTC day yet (the latest is " +
                     yesterday.str() + ")");
  return days;
}

std::set<int> parse_steps(const std::string& text) {
  std::set<int> out;
  std::stringstream ss(text);
  std::string item;
  auto num = [&](const std::string& s) {
    size_t used = 0;
    int v = -1;
    try {
      v = std::stoi(s, &used);
    } catch (...) {
      used = 0;
    }
    if (used != s.size() || v < 1 || v > kStepCount)
      throw UsageError("--steps: '" + s + "' is not a step number from 1 to " +
                       std::to_string(kStepCount));
    return v;
  };
  while (std::getline(ss, item, ',')) {
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (item.empty()) continue;
    if (auto dash = item.find('-'); dash != std::string::npos && dash > 0) {
      int a = num(item.substr(0, dash)), b = num(item.substr(dash + 1));
      if (b < a) throw UsageError("--steps: range '" + item + "' runs backwards");
      for (int i = a; i <= b; ++i) out.insert(i);
    } else {
      out.insert(num(item));
    }
  }
  if (out.empty()) throw UsageError("--steps: no step given (e.g. --steps 9,10,11,12,13)");
  return out;
}

void validate_steps(const std::set<int>& steps) {
  if (steps.empty()) return;
  auto has = [&](int n) { return steps.count(n) > 0; };
  // In-memory hand-offs (the step table's `takes`): these steps can only use what another step
  // of the same run made.
  for (const StepDef& def : step_definitions()) {
    if (!has(def.num) || def.takes.empty()) continue;
    if (std::any_of(def.takes.begin(), def.takes.end(), has)) continue;
    std::string need;
    for (int f : def.takes) need += (need.empty() ? "" : " or ") + std::to_string(f);
    throw UsageError("--steps: step " + std::to_string(def.num) + " (" + std::string(def.name) +
                     ") needs step " + need + " in the same run");
  }
}

}  // namespace im::pipeline
