// The metric catalog (methodology.md section 12): every metric the system stores, once.
// Collectors emit source series (exporter or CloudWatch names); transform/ turns them into
// these metrics; spc/ reads direction, dimension, spc_stat and limits from here.
#pragma once

#include <cmath>
#include <span>
#include <string_view>

#include "core/types.h"

namespace im {

// How a catalog metric is computed from source series of the same instance.
enum class Derivation {
  GAUGE,          // input × scale
  RATE,           // per-second rate of the counter `input` × scale, resets handled
  SUM_GAUGE,      // input summed over its label sets (redis_db_keys over databases)
  RATIO_PCT,      // 100 × input / input2 per sample; none where input2 is 0
  HIT_RATIO_PCT,  // 100 × rate(input) / (rate(input) + rate(input2))
  STORAGE_PCT,    // 100 × input / allocated storage of the instance (inventory)
};

// Static limits on the spc_stat value, compared in the harmful direction (section 9), strictly
// (a limit of 0.5 on a count breaches at 1).
struct Limits {
  double warning = NAN, critical = NAN, emergency = NAN;
  bool any() const {
    return !std::isnan(warning) || !std::isnan(critical) || !std::isnan(emergency);
  }
};

struct MetricDef {
  ServiceType service;
  std::string_view name;  // normalized name, stored in metric_name
  std::string_view unit;
  std::string_view source;  // prometheus | cloudwatch
  Derivation derivation;
  std::string_view input;   // source series name (exporter metric / CloudWatch MetricName)
  std::string_view input2;  // second input for ratios
  double scale;             // unit conversion (seconds → ms: 1000)
  Stat spc_stat;
  Direction direction;
  Dimension dimension;
  Limits limits;
  // When set, that metric measures the same thing and is the one that raises alerts
  // ("one signal, one alert", methodology section 11); this one is scored and stored.
  std::string_view preferred;
  std::string_view action;  // recommended action (guide section 10)
  // Catalog default for spc.we_rules_enabled, e.g. "1,2"; empty = the global setting.
  // Metrics that trend by nature (free storage) keep only rules 1-2; their limits warn.
  std::string_view we_rules = {};
};

std::span<const MetricDef> metric_catalog();
const MetricDef* find_metric(ServiceType service, std::string_view name);
// The catalog's input series that a source's metric name stands for: the same name, or the
// name plus "_total" (exporter versions differ on counter suffixes). Empty when none.
std::string_view catalog_input(ServiceType service, std::string_view source_name);

}  // namespace im
