// The detection engine (methodology.md). Pure: values and parameters in, results out;
// no database, network, clock or logging.
#pragma once

#include <cmath>
#include <optional>
#include <span>

#include "core/day.h"
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

inline bool in_baseline(const Baseline& b, const Params& p) { return b.n < p.min_baseline_days; }

// Section 3. With sigma 0: 0 when x equals the mean, else ±z_cap.
double zscore(double x, const Baseline& b, double z_cap);

}  // namespace im::spc
