// The rows of the six tables: one type per concept, carried unchanged from the engine (spc/) to
// the store; enumerated columns stay enums until the SQL boundary (store/rows.h), and a series
// or an instance is named by a key type, never by a string built and parsed back.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/types.h"

namespace im {

// Severity of a score or an alert (methodology.md sections 7 and 11); NORMAL only on scores.
enum class Severity { NORMAL, INFO, WARNING, CRITICAL, EMERGENCY };
std::string_view to_string(Severity s);
std::optional<Severity> parse_severity(std::string_view s);  // case-insensitive

enum class AlertType { ZSCORE, WE_RULE, ROC, THRESHOLD, BASELINE_SHIFT, HEALTH };
std::string_view to_string(AlertType t);
std::optional<AlertType> parse_alert_type(std::string_view s);

// Health grade, A best (methodology.md section 10); ordered, so a < b means a is better.
enum class Grade { A, B, C, D, F };
std::string_view to_string(Grade g);
std::optional<Grade> parse_grade(std::string_view s);

enum class Trend { IMPROVING, STABLE, DEGRADING };
std::string_view to_string(Trend t);
std::optional<Trend> parse_trend(std::string_view s);

// Whether a series-day was scored, or why not.
enum class ScoreStatus { SCORED, BASELINE, LOW_COVERAGE };
std::string_view to_string(ScoreStatus s);
std::optional<ScoreStatus> parse_score_status(std::string_view s);

enum class InstanceStatus { ACTIVE, DECOMMISSIONED };
std::string_view to_string(InstanceStatus s);
std::optional<InstanceStatus> parse_instance_status(std::string_view s);

// A pipeline step's outcome, as the pipeline log records it.
enum class StepStatus { SUCCESS, FAILED, SKIPPED };
std::string_view to_string(StepStatus s);
std::optional<StepStatus> parse_step_status(std::string_view s);

// ---- Keys ---------------------------------------------------------------------------------

struct InstanceKey {
  ServiceType service = ServiceType::REDIS;
  std::string id;
  auto operator<=>(const InstanceKey&) const = default;
  std::string str() const;  // "REDIS/redis-01", for messages
};

struct SeriesKey {
  ServiceType service = ServiceType::REDIS;
  std::string instance_id;
  std::string metric;  // catalog name
  auto operator<=>(const SeriesKey&) const = default;
  InstanceKey instance() const { return {service, instance_id}; }
};

// ---- Rows ---------------------------------------------------------------------------------

struct InventoryRow {
  Instance instance;
  InstanceStatus status = InstanceStatus::ACTIVE;
  Day first_seen, last_seen;
};

// One row of infra_anomaly_scores. Optional fields are NULL when not computed.
struct AnomalyScoreRow {
  Day date;
  ServiceType service = ServiceType::REDIS;
  std::string instance_id, metric;
  Stat spc_stat = Stat::AVG;
  double value = 0;
  std::optional<double> mean, std, sigma;
  int baseline_days = 0;
  std::optional<double> z;
  std::string we_rules;  // "1,2"; empty = none fired / not evaluated
  std::optional<double> roc_pct, anomaly_score;
  std::optional<Severity> severity;  // NORMAL .. CRITICAL when scored
  bool is_baseline_period = true;
  ScoreStatus score_status = ScoreStatus::BASELINE;
  SeriesKey key() const { return {service, instance_id, metric}; }
};

// One row of infra_health_scores; the engine fills all but the key (spc::instance_health).
struct HealthRow {
  Day date;
  ServiceType service = ServiceType::REDIS;
  std::string instance_id;
  std::optional<double> dimension[kDimensionCount];  // indexed by Dimension
  std::optional<double> health_score;                // 0.1 precision
  std::optional<Grade> grade;                        // none without a score
  std::optional<Trend> trend;                        // none with fewer than 3 previous scores
  InstanceKey key() const { return {service, instance_id}; }
};

struct AlertKey {
  SeriesKey series;
  AlertType type = AlertType::ZSCORE;
  auto operator<=>(const AlertKey&) const = default;
};

// One row of infra_anomaly_alerts, as the engine raises it (spc::evaluate_alerts) and the
// store keeps it. Its natural key: date, series, type.
struct Alert {
  int64_t id = 0;  // the store's; 0 until stored
  Day date;
  ServiceType service = ServiceType::REDIS;
  std::string instance_id, metric;
  AlertType alert_type = AlertType::ZSCORE;
  Severity severity = Severity::INFO;
  std::optional<double> value, baseline_mean, baseline_sigma, z, roc_pct, anomaly_score;
  std::string we_rules;  // "1,2"
  int consecutive_days = 0;
  std::string message, recommended_action;
  // Set by operators, never by the engine or an upsert.
  bool acknowledged = false;
  std::string acknowledged_by, acknowledged_at, notes;
  AlertKey key() const { return {{service, instance_id, metric}, alert_type}; }
};

struct StepLogRow {
  std::string run_id;
  Day target_date;
  int step_num = 0;
  std::string step_name;
  StepStatus status = StepStatus::SUCCESS;
  int64_t rows_affected = 0;
  double duration_seconds = 0;
  std::string error_message;
  std::string created_at;  // UTC "YYYY-MM-DD HH:MM:SS"
};

}  // namespace im

template <>
struct std::hash<im::InstanceKey> {
  size_t operator()(const im::InstanceKey& k) const noexcept {
    return std::hash<std::string>()(k.id) * 31 + static_cast<size_t>(k.service);
  }
};
template <>
struct std::hash<im::SeriesKey> {
  size_t operator()(const im::SeriesKey& k) const noexcept {
    return (std::hash<std::string>()(k.instance_id) * 31 + std::hash<std::string>()(k.metric)) *
               31 +
           static_cast<size_t>(k.service);
  }
};
