// The scoring of one day, as a pure function of (history, settings, day): history assembly,
// the engine (spc::evaluate), instance health and alerts. Steps 9-13 call it between their reads
// and writes; `backtest` and `detect` call it with no database at all. No I/O, no clock.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <unordered_map>
#include <vector>

#include "config/settings.h"
#include "core/records.h"
#include "spc/spc.h"

namespace im::scoring {

// A catalog metric with the configuration's per-metric overrides applied.
struct EffectiveMetric {
  const MetricDef* def = nullptr;
  Stat spc_stat = Stat::AVG;
  spc::MetricRules rules;
};
EffectiveMetric effective_metric(const Settings& s, const MetricDef& def);

// One series on the day: its day row and the history the engine needs.
struct SeriesHistory {
  DailyMetric today;
  EffectiveMetric metric;
  std::vector<spc::DayValue> history;  // day values before the day, ascending
  std::vector<spc::PastScore> past;    // previous scored days, ascending
};

// Assembles the history of a day's series from stored rows, streamed in ascending date order
// (as the store's history reads return them): only what the engine needs is kept.
class HistoryBuilder {
 public:
  HistoryBuilder(const Settings& s, Day day);
  // The first day of history to read: the widest baseline window any metric uses, twice.
  Day first_day() const;
  // A row of infra_metric_daily before the day; rows that are no day value are dropped.
  void add_daily(const DailyMetric& row);
  // A SCORED row of infra_anomaly_scores before the day (rules and persistence).
  void add_scored(const AnomalyScoreRow& row);
  // The day's series with their history. Rows of metrics the catalog does not know are not
  // scored: they are counted in `unknown`.
  std::vector<SeriesHistory> build(std::vector<DailyMetric> today, int& unknown);

 private:
  const EffectiveMetric* metric_of(ServiceType svc, const std::string& name);
  const Settings& settings_;
  Day day_;
  std::map<std::pair<ServiceType, std::string>, std::optional<EffectiveMetric>> metrics_;
  std::unordered_map<SeriesKey, std::vector<spc::DayValue>> values_;
  std::unordered_map<SeriesKey, std::vector<spc::PastScore>> past_;
};

// Steps 10-11: each series-day scored (sections 2-9), as stored and as the next stages need it.
struct ScoredSeries {
  std::vector<AnomalyScoreRow> scores;
  std::vector<spc::SeriesFinding> findings;
  std::map<Severity, int64_t> by_severity;  // scored rows by severity
};
ScoredSeries score_series(Day d, std::span<const SeriesHistory> series);

// Step 12's inputs beside the findings: which instances were active on the day, and their
// recent health.
struct HealthHistory {
  std::vector<InstanceKey> active;                        // in the inventory on the day
  std::map<InstanceKey, std::vector<double>> previous;    // scores of the 7 days before
  std::map<InstanceKey, std::optional<Grade>> yesterday;  // grade of the day before
};
struct InstanceHealth {
  std::vector<HealthRow> rows;  // one per instance with a series or active on the day
  std::map<InstanceKey, spc::InstanceGrades> grades;
};
InstanceHealth score_health(Day d, std::span<const spc::SeriesFinding> findings,
                            const HealthHistory& history);

// The whole day, for callers without a database (`backtest`, `detect`): today's rows, the
// history rows before the day (daily and scored, ascending by date), the health history.
struct DayInput {
  Day day;
  std::vector<DailyMetric> today;
  std::vector<DailyMetric> daily_history;
  std::vector<AnomalyScoreRow> scored_history;
  HealthHistory health;
};
struct DayScores {
  std::vector<AnomalyScoreRow> scores;
  std::vector<HealthRow> health;  // empty when features.enable_health is off
  std::vector<Alert> alerts;      // empty when features.enable_alerts is off
  int unknown_metrics = 0;
};
DayScores score_day(const Settings& s, DayInput in);

}  // namespace im::scoring
