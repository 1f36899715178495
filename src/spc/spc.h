// The detection engine (methodology.md). Pure: values and parameters in, results out;
// no database, network, clock or logging.
#pragma once

#include <cmath>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/catalog.h"
#include "core/day.h"
#include "core/records.h"
#include "spc/params.h"

namespace im::spc {

// One day value of a series (methodology section 1): the metric's spc_stat aggregate of a
// day whose coverage reached min_coverage. Days that are not day values are simply absent.
struct DayValue {
  Day day;
  double x;
};

// Section 2. n < min_baseline_days means the series is in baseline on that day.
struct Baseline {
  int n = 0;
  double mean = NAN;
  double std = NAN;    // sample standard deviation (n-1); 0 when n == 1
  double sigma = NAN;  // max(std, min_sigma_rel*|mean|, min_sigma_abs)
};

// Baseline of day d from `history` (a series' day values in ascending day order; values
// on or after d and before d-2W are ignored): the most recent W values in [d-2W, d-1].
Baseline compute_baseline(std::span<const DayValue> history, Day d, const Params& p);

inline bool in_baseline(const Baseline& b, const Params& p) {
  return b.n < p.min_baseline_days;
}

// Section 3. With sigma 0: 0 when x equals the mean, else ±z_cap.
double zscore(double x, const Baseline& b, double z_cap);

// ---- Sections 4-9: one series-day ------------------------------------------------------

using im::Severity;  // core/records.h

// What the engine needs to know about a metric: its parameters (global `spc.` settings with
// the metric's overrides applied), its harmful direction and its static limits.
struct MetricRules {
  Params params;
  Direction direction = Direction::BOTH;
  Limits limits;
};

// A previous scored day of the series, as stored (x, z and the severity after direction).
struct PastScore {
  Day day;
  double x;
  double z;
  Severity severity;
};

// Section 4. `past` holds the series' previous scored days in ascending order; rules are
// evaluated on past + today. Returns the fired rules, sorted; `side` gets +1/-1 per rule.
std::vector<int> western_electric(std::span<const PastScore> past, double x, double z,
                                  const std::vector<int>& enabled, int side[6]);

// Section 8: the piecewise-linear map of a component onto 0..100.
double score_component(double v, double warning, double critical);

// Section 9: the highest static limit breached by x in the harmful direction.
Severity limit_breach(double x, Direction harmful, const Limits& limits);

struct Finding {
  double x = NAN;
  Baseline baseline;
  bool is_day_value = false;
  bool in_baseline = true;
  bool scored = false;  // is_day_value && !in_baseline
  std::optional<double> z;
  std::vector<int> rules;            // fired (stored)
  bool rules_12 = false;             // rule 1 or 2 fired
  bool rules_345_effective = false;  // rule 3, 4 or 5 fired and passed the effect guard
  std::optional<double> roc;         // percent
  bool roc_significant = false;
  Severity severity = Severity::NORMAL;  // after the direction rule; NORMAL when not scored
  bool harmful = false;                  // severity comes from the harmful direction
  Severity benign = Severity::NORMAL;    // what the benign-direction components alone reach
  std::optional<double> anomaly_score;
  Severity limit = Severity::NORMAL;  // static limit breached (WARNING/CRITICAL/EMERGENCY)
  int consecutive_days = 0;           // scored days at WARNING or above, ending today
};

// Sections 2-9 for series-day d. `values` are the series' day values before d (ascending:
// baseline and rate of change), `past` its previous scored days (rules, persistence).
Finding evaluate(Day d, double x, bool is_day_value, std::span<const DayValue> values,
                 std::span<const PastScore> past, const MetricRules& rules);

// ---- Section 10: health -------------------------------------------------------------------

struct MetricHealthInput {
  Dimension dimension;
  const Finding* finding;
};

// Metric health of one finding; nullopt when the series has none (in baseline, no breach).
std::optional<double> metric_health(const Finding& f);
Grade grade_of(double score);
// The dimension scores, health score, grade and trend of one instance-day (the row's date and
// key are the caller's). `previous` are the instance's health scores of the previous 7 days
// (any order).
HealthRow instance_health(std::span<const MetricHealthInput> metrics,
                          std::span<const double> previous);

// ---- Section 11: alerts --------------------------------------------------------------------

// One scored series of an instance on the day, with what the alert needs to explain itself.
struct SeriesFinding {
  InstanceKey instance;
  const MetricDef* def;  // name, unit, preferred metric, recommended action
  MetricRules rules;
  Finding finding;
};

struct InstanceGrades {
  std::optional<Grade> today, yesterday;
  std::optional<double> score;
};

// Alerts of day `d`.
std::vector<Alert> evaluate_alerts(Day d, std::span<const SeriesFinding> findings,
                                   const std::map<InstanceKey, InstanceGrades>& grades);

// "93.1%", "4.20 ms", "3.50 GiB", "1520.3 ops/s": a value in its unit, for messages.
std::string format_value(double v, std::string_view unit);
std::string join_rules(const std::vector<int>& rules);

}  // namespace im::spc
