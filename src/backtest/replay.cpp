#include <algorithm>

#include "backtest/backtest.h"
#include "scoring/scoring.h"

namespace im::backtest {

namespace {

// The rows of [from, to] of a vector sorted by date.
template <class Row>
std::span<const Row> days_of(std::span<const Row> rows, Day from, Day to) {
  auto lo = std::lower_bound(rows.begin(), rows.end(), from,
                             [](const Row& r, Day d) { return r.date < d; });
  auto hi = std::upper_bound(lo, rows.end(), to, [](Day d, const Row& r) { return d < r.date; });
  return {lo, hi};
}

// Step 12's inputs of day `d`: the instances active on it, the health this replay gave them on
// the 7 days before.
scoring::HealthHistory health_history(Day d, std::span<const InventoryRow> inventory,
                                      std::span<const HealthRow> health) {
  scoring::HealthHistory h;
  for (const auto& row : inventory)
    if (row.status == InstanceStatus::ACTIVE && !(d < row.first_seen) && !(row.last_seen < d))
      h.active.push_back({row.instance.service, row.instance.id});
  for (const auto& r : days_of(health, d - 7, d - 1)) {
    if (r.health_score) h.previous[r.key()].push_back(*r.health_score);
    if (r.date == d - 1) h.yesterday[r.key()] = r.grade;
  }
  return h;
}

}  // namespace

Day replay_start(const Settings& s, Day first) {
  const scoring::HistoryBuilder at_first(s, first);
  return scoring::HistoryBuilder(s, at_first.first_day()).first_day();
}

Replayed replay(const Settings& s, std::span<const DailyMetric> daily,
                std::span<const InventoryRow> inventory, Day last) {
  Replayed out;
  if (daily.empty()) return out;
  for (Day d = daily.front().date; !(last < d); d = d + 1) {
    scoring::DayInput in;
    in.day = d;
    const scoring::HistoryBuilder window(s, d);
    const auto today = days_of(daily, d, d);
    in.today.assign(today.begin(), today.end());
    const auto before = days_of(daily, window.first_day(), d - 1);
    in.daily_history.assign(before.begin(), before.end());
    for (const auto& r : days_of<AnomalyScoreRow>(out.scores, window.first_day(), d - 1))
      if (r.score_status == ScoreStatus::SCORED) in.scored_history.push_back(r);
    in.health = health_history(d, inventory, out.health);
    scoring::DayScores day = scoring::score_day(s, std::move(in));
    out.unknown_metrics += day.unknown_metrics;
    std::move(day.scores.begin(), day.scores.end(), std::back_inserter(out.scores));
    std::move(day.health.begin(), day.health.end(), std::back_inserter(out.health));
    std::move(day.alerts.begin(), day.alerts.end(), std::back_inserter(out.alerts));
  }
  return out;
}

}  // namespace im::backtest
