#include "core/types.h"

#include "core/records.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace im {

namespace {
template <typename E, size_t N>
std::optional<E> lookup(std::string_view s, const std::pair<E, std::string_view> (&table)[N]) {
  std::string up(s);
  std::transform(up.begin(), up.end(), up.begin(), [](unsigned char c) { return std::toupper(c); });
  for (const auto& [e, name] : table)
    if (name == up) return e;
  return std::nullopt;
}
template <typename E, size_t N>
std::string_view name_of(E e, const std::pair<E, std::string_view> (&table)[N]) {
  for (const auto& [v, name] : table)
    if (v == e) return name;
  return "?";
}

constexpr std::pair<ServiceType, std::string_view> kServices[] = {
    {ServiceType::REDIS, "REDIS"},
    {ServiceType::RDS, "RDS"},
    {ServiceType::EC2, "EC2"},
    {ServiceType::EKS, "EKS"},
    {ServiceType::MSK, "MSK"},
    {ServiceType::DOCDB, "DOCDB"},
    {ServiceType::OPENSEARCH, "OPENSEARCH"},
    {ServiceType::EMR, "EMR"}};
constexpr std::pair<Stat, std::string_view> kStats[] = {
    {Stat::AVG, "AVG"}, {Stat::MIN, "MIN"}, {Stat::MAX, "MAX"}, {Stat::P95, "P95"}};
constexpr std::pair<Direction, std::string_view> kDirections[] = {
    {Direction::UP, "UP"}, {Direction::DOWN, "DOWN"}, {Direction::BOTH, "BOTH"}};
constexpr std::pair<Dimension, std::string_view> kDimensions[] = {
    {Dimension::CPU, "CPU"},         {Dimension::MEMORY, "MEMORY"},
    {Dimension::STORAGE, "STORAGE"}, {Dimension::CONNECTIONS, "CONNECTIONS"},
    {Dimension::LATENCY, "LATENCY"}, {Dimension::THROUGHPUT, "THROUGHPUT"},
    {Dimension::ERRORS, "ERRORS"}};
constexpr std::pair<Severity, std::string_view> kSeverities[] = {
    {Severity::NORMAL, "NORMAL"},
    {Severity::INFO, "INFO"},
    {Severity::WARNING, "WARNING"},
    {Severity::CRITICAL, "CRITICAL"},
    {Severity::EMERGENCY, "EMERGENCY"}};
constexpr std::pair<AlertType, std::string_view> kAlertTypes[] = {
    {AlertType::ZSCORE, "ZSCORE"},
    {AlertType::WE_RULE, "WE_RULE"},
    {AlertType::ROC, "ROC"},
    {AlertType::THRESHOLD, "THRESHOLD"},
    {AlertType::BASELINE_SHIFT, "BASELINE_SHIFT"},
    {AlertType::HEALTH, "HEALTH"}};
constexpr std::pair<Grade, std::string_view> kGrades[] = {
    {Grade::A, "A"}, {Grade::B, "B"}, {Grade::C, "C"}, {Grade::D, "D"}, {Grade::F, "F"}};
constexpr std::pair<Trend, std::string_view> kTrends[] = {
    {Trend::IMPROVING, "IMPROVING"}, {Trend::STABLE, "STABLE"}, {Trend::DEGRADING, "DEGRADING"}};
constexpr std::pair<ScoreStatus, std::string_view> kScoreStatuses[] = {
    {ScoreStatus::SCORED, "SCORED"},
    {ScoreStatus::BASELINE, "BASELINE"},
    {ScoreStatus::LOW_COVERAGE, "LOW_COVERAGE"}};
constexpr std::pair<InstanceStatus, std::string_view> kInstanceStatuses[] = {
    {InstanceStatus::ACTIVE, "ACTIVE"}, {InstanceStatus::DECOMMISSIONED, "DECOMMISSIONED"}};
constexpr std::pair<StepStatus, std::string_view> kStepStatuses[] = {
    {StepStatus::SUCCESS, "SUCCESS"},
    {StepStatus::FAILED, "FAILED"},
    {StepStatus::SKIPPED, "SKIPPED"}};
}  // namespace

std::string_view to_string(Severity s) {
  return name_of(s, kSeverities);
}
std::optional<Severity> parse_severity(std::string_view s) {
  return lookup(s, kSeverities);
}
std::string_view to_string(AlertType t) {
  return name_of(t, kAlertTypes);
}
std::optional<AlertType> parse_alert_type(std::string_view s) {
  return lookup(s, kAlertTypes);
}
std::string_view to_string(Grade g) {
  return name_of(g, kGrades);
}
std::optional<Grade> parse_grade(std::string_view s) {
  return lookup(s, kGrades);
}
std::string_view to_string(Trend t) {
  return name_of(t, kTrends);
}
std::optional<Trend> parse_trend(std::string_view s) {
  return lookup(s, kTrends);
}
std::string_view to_string(ScoreStatus s) {
  return name_of(s, kScoreStatuses);
}
std::optional<ScoreStatus> parse_score_status(std::string_view s) {
  return lookup(s, kScoreStatuses);
}
std::string_view to_string(InstanceStatus s) {
  return name_of(s, kInstanceStatuses);
}
std::optional<InstanceStatus> parse_instance_status(std::string_view s) {
  return lookup(s, kInstanceStatuses);
}
std::string_view to_string(StepStatus s) {
  return name_of(s, kStepStatuses);
}
std::optional<StepStatus> parse_step_status(std::string_view s) {
  return lookup(s, kStepStatuses);
}

std::string InstanceKey::str() const {
  return std::string(to_string(service)) + "/" + id;
}

std::string_view to_string(ServiceType t) {
  return name_of(t, kServices);
}
std::optional<ServiceType> parse_service_type(std::string_view s) {
  return lookup(s, kServices);
}
std::string_view to_string(Stat s) {
  return name_of(s, kStats);
}
std::optional<Stat> parse_stat(std::string_view s) {
  return lookup(s, kStats);
}
std::string_view to_string(Direction d) {
  return name_of(d, kDirections);
}
std::optional<Direction> parse_direction(std::string_view s) {
  return lookup(s, kDirections);
}
std::string_view to_string(Dimension d) {
  return name_of(d, kDimensions);
}

void RawSeries::start_grid(int64_t start, int32_t step) {
  start_unix = start;
  step_seconds = step;
  values.assign(step > 0 ? static_cast<size_t>(Day::kSecondsPerDay / step) : 0, NAN);
}

void RawSeries::place(double t, double v) {
  const double offset = t - static_cast<double>(start_unix);
  if (offset < 0 || offset >= Day::kSecondsPerDay || step_seconds <= 0) return;
  const auto slot = static_cast<size_t>(offset / step_seconds);
  if (slot < values.size()) values[slot] = v;
}

double DailyMetric::stat(Stat s) const {
  switch (s) {
    case Stat::AVG:
      return avg;
    case Stat::MIN:
      return min;
    case Stat::MAX:
      return max;
    case Stat::P95:
      return p95;
  }
  return avg;
}

}  // namespace im

namespace im {

double quantile_sorted(std::span<const double> v, double q) {
  if (v.empty()) return NAN;
  const double h = (double(v.size()) - 1) * q;
  const size_t lo = static_cast<size_t>(std::floor(h));
  const size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (h - double(lo)) * (v[hi] - v[lo]);
}

}  // namespace im
