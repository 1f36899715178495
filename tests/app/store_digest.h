// A digest of what a store holds, table by table, to compare two databases that ran the same
// days (tests of the MariaDB backend and of the fault matrix).
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"

namespace im::test {

inline std::string hex(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", v);
  return buf;
}
inline std::string hex(const std::optional<double>& v) {
  return v ? hex(*v) : "NULL";
}

// Every table's content as sorted text lines, then a 64-bit FNV-1a digest and a count per
// table. Ids, run ids, durations and wall-clock timestamps differ between runs by nature and
// are left out; everything else, doubles bit for bit, is in.
// An optional enumerated column as the table holds it ("" for NULL).
template <class E>
std::string txt(const std::optional<E>& v) {
  return v ? std::string(to_string(*v)) : std::string();
}

inline std::map<std::string, std::pair<size_t, uint64_t>> digest(store::Store& s, Day from,
                                                                 Day to) {
  std::map<std::string, std::vector<std::string>> lines;
  for (const auto& r : s.load_inventory()) {
    std::string tags;
    for (const auto& [k, v] : r.instance.tags) tags += k + "=" + v + ";";
    lines["infra_fleet_inventory"].push_back(
        std::string(to_string(r.instance.service)) + "|" + r.instance.id + "|" + r.instance.name +
        "|" + r.instance.instance_class + "|" + r.instance.engine + "|" + r.instance.region + "|" +
        hex(r.instance.allocated_storage_gb) + "|" + hex(r.instance.max_memory_bytes) + "|" + tags +
        "|" + std::string(to_string(r.status)) + "|" + r.instance.source + "|" +
        r.first_seen.str() + "|" + r.last_seen.str());
  }
  for (const auto& m : s.load_daily_metrics(from, to, {}))
    lines["infra_metric_daily"].push_back(
        m.date.str() + "|" + std::string(to_string(m.service)) + "|" + m.instance_id + "|" +
        m.metric + "|" + m.unit + "|" + hex(m.avg) + "|" + hex(m.min) + "|" + hex(m.max) + "|" +
        hex(m.p95) + "|" + std::to_string(m.sample_count) + "|" +
        std::to_string(m.expected_samples) + "|" + m.source);
  for (const auto& r : s.load_anomaly_scores(from, to))
    lines["infra_anomaly_scores"].push_back(
        r.date.str() + "|" + std::string(to_string(r.service)) + "|" + r.instance_id + "|" +
        r.metric + "|" + std::string(to_string(r.spc_stat)) + "|" + hex(r.value) + "|" +
        hex(r.mean) + "|" + hex(r.std) + "|" + hex(r.sigma) + "|" +
        std::to_string(r.baseline_days) + "|" + hex(r.z) + "|" + r.we_rules + "|" + hex(r.roc_pct) +
        "|" + hex(r.anomaly_score) + "|" + txt(r.severity) + "|" +
        std::to_string(r.is_baseline_period) + "|" + std::string(to_string(r.score_status)));
  for (const auto& r : s.load_health_scores(from, to)) {
    std::string line = r.date.str() + "|" + std::string(to_string(r.service)) + "|" + r.instance_id;
    for (const auto& d : r.dimension) line += "|" + hex(d);
    lines["infra_health_scores"].push_back(line + "|" + hex(r.health_score) + "|" + txt(r.grade) +
                                           "|" + txt(r.trend));
  }
  for (Day d = from; d <= to; ++d) {
    for (const auto& a : s.load_alerts(d))
      lines["infra_anomaly_alerts"].push_back(
          a.date.str() + "|" + std::string(to_string(a.service)) + "|" + a.instance_id + "|" +
          a.metric + "|" + std::string(to_string(a.alert_type)) + "|" +
          std::string(to_string(a.severity)) + "|" + hex(a.value) + "|" + hex(a.baseline_mean) +
          "|" + hex(a.baseline_sigma) + "|" + hex(a.z) + "|" + hex(a.roc_pct) + "|" +
          hex(a.anomaly_score) + "|" + a.we_rules + "|" + std::to_string(a.consecutive_days) + "|" +
          a.message + "|" + a.recommended_action + "|" + std::to_string(a.acknowledged) + "|" +
          a.acknowledged_by + "|" + a.notes);
    for (const auto& l : s.load_step_log(s.latest_run_id(d)))
      lines["infra_monitoring_pipeline_log"].push_back(
          l.target_date.str() + "|" + std::to_string(l.step_num) + "|" + l.step_name + "|" +
          std::string(to_string(l.status)) + "|" + std::to_string(l.rows_affected) + "|" +
          l.error_message);
  }
  std::map<std::string, std::pair<size_t, uint64_t>> out;
  for (auto& [table, ls] : lines) {
    std::sort(ls.begin(), ls.end());
    uint64_t h = 1469598103934665603ull;
    for (const auto& l : ls)
      for (char c : l + "\n") h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    out[table] = {ls.size(), h};
  }
  return out;
}

}  // namespace im::test
