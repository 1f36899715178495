// A Store that hands every call to another one: tests derive from it to intercept a single
// call (to inject a fault at an exact point of a step) and leave the rest untouched.
#pragma once

#include "store/store.h"

namespace im::store {

class ForwardingStore : public Store {
 public:
  explicit ForwardingStore(Store& inner) : in_(inner) {}

  std::string describe() const override { return in_.describe(); }
  int schema_version() override { return in_.schema_version(); }
  int latest_schema_version() const override { return in_.latest_schema_version(); }
  int migrate() override { return in_.migrate(); }
  std::string run_lock_holder() override { return in_.run_lock_holder(); }
  std::unique_ptr<RunLock> acquire_run_lock(const std::string& h) override {
    return in_.acquire_run_lock(h);
  }
  void begin() override { in_.begin(); }
  void commit() override { in_.commit(); }
  void rollback() override { in_.rollback(); }
  size_t upsert_inventory(std::span<const Instance> seen, Day day) override {
    return in_.upsert_inventory(seen, day);
  }
  size_t mark_decommissioned(std::span<const ServiceType> s, const std::string& src, Day day,
                             int grace_days) override {
    return in_.mark_decommissioned(s, src, day, grace_days);
  }
  std::vector<InventoryRow> load_inventory() override { return in_.load_inventory(); }
  size_t upsert_daily_metrics(std::span<const DailyMetric> rows) override {
    return in_.upsert_daily_metrics(rows);
  }
  void visit_daily_metrics(Day from, Day to, std::span<const ServiceType> s,
                           const std::function<void(const DailyMetric&)>& fn) override {
    in_.visit_daily_metrics(from, to, s, fn);
  }
  size_t upsert_anomaly_scores(std::span<const AnomalyScoreRow> rows) override {
    return in_.upsert_anomaly_scores(rows);
  }
  std::vector<AnomalyScoreRow> load_anomaly_scores(Day from, Day to) override {
    return in_.load_anomaly_scores(from, to);
  }
  void visit_scored_history(Day from, Day to, std::span<const ServiceType> s,
                            const std::function<void(const AnomalyScoreRow&)>& fn) override {
    in_.visit_scored_history(from, to, s, fn);
  }
  size_t upsert_health_scores(std::span<const HealthRow> rows) override {
    return in_.upsert_health_scores(rows);
  }
  std::vector<HealthRow> load_health_scores(Day from, Day to) override {
    return in_.load_health_scores(from, to);
  }
  size_t upsert_alerts(std::span<const Alert> rows) override { return in_.upsert_alerts(rows); }
  std::vector<Alert> load_alerts(Day day) override { return in_.load_alerts(day); }
  size_t delete_stale_alerts(Day day, std::span<const ServiceType> s,
                             std::span<const AlertKey> keep) override {
    return in_.delete_stale_alerts(day, s, keep);
  }
  size_t acknowledge_info_before(Day before, const std::string& by) override {
    return in_.acknowledge_info_before(before, by);
  }
  size_t acknowledge_alerts(const AckFilter& f, const std::string& by,
                            const std::string& note) override {
    return in_.acknowledge_alerts(f, by, note);
  }
  void append_step_log(const StepLogRow& row) override { in_.append_step_log(row); }
  std::vector<RunSummary> recent_runs(int limit) override { return in_.recent_runs(limit); }
  std::string last_success_at() override { return in_.last_success_at(); }
  std::vector<StepLogRow> failed_steps_since(const std::string& t) override {
    return in_.failed_steps_since(t);
  }
  std::map<std::string, std::optional<Day>> latest_dates() override { return in_.latest_dates(); }
  int64_t archive_rows(const std::string& table, Day before) override {
    return in_.archive_rows(table, before);
  }
  size_t delete_step_log_before(const std::string& t) override {
    return in_.delete_step_log_before(t);
  }
  std::vector<StepLogRow> load_step_log(const std::string& run_id) override {
    return in_.load_step_log(run_id);
  }
  std::string latest_run_id(Day d) override { return in_.latest_run_id(d); }
  std::map<std::string, int64_t> day_counts(Day day) override { return in_.day_counts(day); }
  std::map<std::string, int64_t> grade_distribution(Day day) override {
    return in_.grade_distribution(day);
  }
  PartitionAdmin* partitions() override { return in_.partitions(); }

 protected:
  Store& in_;
};

}  // namespace im::store
