// The detection parameters (guide 7.2 `spc:` block plus methodology.md additions).
// Header-only value type: config/ fills it, spc/ reads it.
#pragma once

#include <vector>

namespace im::spc {

struct Params {
  int rolling_window_days = 14;  // W
  double sigma_warning = 2.0;
  double sigma_critical = 3.0;
  double roc_warning_pct = 50.0;
  double roc_critical_pct = 100.0;
  int min_baseline_days = 14;
  std::vector<int> we_rules_enabled{1, 2, 3, 4, 5};
  double min_coverage = 0.5;
  double min_sigma_rel = 0.01;
  double min_sigma_abs = 0.0;
  double z_cap = 10.0;
  double rule_min_z = 1.0;
  bool operator==(const Params&) const = default;
};

}  // namespace im::spc
