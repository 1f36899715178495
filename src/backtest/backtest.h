// Judging detection against known incidents (issue #15): the labelled incidents an operator
// supplies, and the figures an SRE reads before changing detection settings. Pure: rows in,
// figures out; no database, network or clock.
#pragma once

#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/settings.h"
#include "core/day.h"
#include "core/records.h"

namespace im::backtest {

// One known incident: an instance, the catalog metrics it moved, its first and last UTC day.
struct Incident {
  std::string id;    // the file's id, or "line N"
  std::string kind;  // e.g. memory_leak; "" when the file gives none
  std::string instance;
  std::set<std::string> metrics;
  Day first, last;  // inclusive
};

struct Truth {
  std::vector<Incident> incidents;
  std::set<std::string> controls;   // instances known to have no incident at all
  std::set<std::string> metrics;    // the metrics graded; empty = every metric
  std::set<std::string> instances;  // every instance the file knows; empty = not said
};

// A labelled-incidents file: the labelled fleet's TRUTH.json (incidents, controls, metrics), or
// CSV with the header `instance,metrics,first_day,last_day` and an optional `kind` (and `id`)
// column, metrics separated by ';'. Throws UsageError naming the file, the line (CSV) or the
// incident (JSON) and what is wrong.
Truth parse_truth(std::string_view text, const std::string& name);

// The grading conventions of the labelled fleet (../shared/tools/labelled-fleet/README.md):
// - an incident is detected when a WARNING+ alert names its instance and one of its metrics,
//   counted by the day of the first such alert relative to its first day (0, 1, 2, later);
// - a WARNING+ metric alert is false when no incident of its instance lists its metric over
//   first .. last + 2 days; false alerts are counted per 1,000 scored series-days (score rows
//   with a z-score) of the graded days, and apart for the control instances;
// - CRITICAL+ precision uses the same definition of true.
// Health alerts name no metric and are counted by severity only.
struct Report {
  Day first, last;  // the graded days
  int incidents = 0;
  int detected_by_day[3] = {0, 0, 0};  // first alert on day 0, 1, 2 of the incident
  int detected_later = 0, missed = 0;
  std::map<std::string, std::pair<int, int>> by_kind;  // kind -> (within one day, incidents)
  int64_t scored_series_days = 0, control_series_days = 0;
  int false_alerts = 0, false_on_controls = 0;  // WARNING+
  std::map<std::string, int> false_by_metric;
  std::map<AlertType, int> false_by_type;
  std::map<Severity, int> alerts_by_severity;  // every alert of the graded days
  int critical_plus = 0, critical_plus_true = 0;
  std::vector<std::string> missed_ids;

  int within(int days) const;  // incidents first alerted within `days` days (0-2)
  double recall(int days) const;
  double false_per_1000() const;
  double false_per_1000_controls() const;
  double critical_precision() const;  // NaN without CRITICAL+ alerts
  double alerts_per_day() const;
};

// Grades `alerts` and `scores` of the days [first, last] against `truth`. Throws UsageError when
// an incident names an instance that `scores` never mentions and the truth lists no instances
// (a truth file for another fleet).
Report grade(const Truth& truth, std::span<const Alert> alerts,
             std::span<const AnomalyScoreRow> scores, Day first, Day last);

// What steps 9-13 compute over a range when replayed from the day rows alone.
struct Replayed {
  std::vector<AnomalyScoreRow> scores;
  std::vector<HealthRow> health;
  std::vector<Alert> alerts;
  int unknown_metrics = 0;  // day rows of metrics the catalog does not know (not scored)
};

// Recomputes steps 9-13 under `s` for every day from the first of `daily` to `last`, in order,
// from `daily` (ascending by date: the range and the history before it) and the inventory
// (which instances were active on a day, for health). Each day sees the scores and health of
// the days before it as this replay computed them, never stored ones: a configuration is judged
// on what it would have done. Pure: nothing is read or written.
Replayed replay(const Settings& s, std::span<const DailyMetric> daily,
                std::span<const InventoryRow> inventory, Day last);

// The first day whose rows `replay` needs so that `first` is scored with its whole history:
// twice the widest baseline window any metric uses, before twice that window before `first`.
Day replay_start(const Settings& s, Day first);

}  // namespace im::backtest
