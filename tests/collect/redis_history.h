// Synthetic Redis exporter history for the backfilled Prometheus of the tests (and the
// benchmark): a pure function of (instance, series, 5-minute slot), so the generator can write
// it and a test can recompute any sample independently. Cases: a counter reset (instance 0,
// day 10 at 12:00), a 6-hour gap (instance 2, day 15, 08:00-14:00), an instance that appears
// mid-month (instance 3, from day 16), maxmemory 0 (instance 1).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace im::test::history {

inline constexpr int kStep = 300, kSlotsPerDay = 86400 / kStep;

struct Spec {
  int64_t first_day_unix = 1790812800;  // 2026-10-01 00:00 UTC
  int days = 30;                        // days of history for the "full" instances
  int full_instances = 8;               // with every special case
  int recent_instances = 200;           // more instances, only on the last `recent_days`
  int recent_days = 2;
  int instances() const { return full_instances + recent_instances; }
};

struct SeriesDef {
  const char* metric;  // exporter name as written (counters with _total)
  const char* db;      // the db label, or ""
  bool counter;
};
inline const std::vector<SeriesDef>& series_defs() {
  static const std::vector<SeriesDef> defs = {
      {"redis_up", "", false},
      {"redis_memory_used_bytes", "", false},
      {"redis_memory_max_bytes", "", false},
      {"redis_connected_clients", "", false},
      {"redis_blocked_clients", "", false},
      {"redis_db_keys", "db0", false},
      {"redis_db_keys", "db1", false},
      {"redis_commands_processed_total", "", true},
      {"redis_cpu_user_seconds_total", "", true},
      {"redis_keyspace_hits_total", "", true},
      {"redis_keyspace_misses_total", "", true},
      {"redis_evicted_keys_total", "", true},
  };
  return defs;
}

inline std::string instance_name(int k) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "redis-h%03d:9121", k);
  return buf;
}

// First and last day index (0-based, inclusive) with data for instance k.
inline int first_day(const Spec& s, int k) {
  if (k >= s.full_instances) return s.days - s.recent_days;
  return k == 3 ? 16 : 0;
}

inline bool has_sample(const Spec& s, int k, int day, int slot) {
  if (day < first_day(s, k) || day >= s.days) return false;
  if (k == 2 && day == 15 && slot >= 96 && slot < 168) return false;  // exporter gap
  return true;
}

// A counter from 0 at slot `n` since it (re)started: monotone, exact integers.
inline double counter_from_zero(int k, int series, int64_t n) {
  const int64_t r = 3 + (k * 7 + series * 13) % 50;
  return static_cast<double>(n * r + (n * n) / (1000 + 10 * series));
}

// The value of series `si` of instance `k` at absolute slot `abs` (slots since first_day_unix).
inline double value(const Spec& s, int k, int si, int64_t abs) {
  const SeriesDef& d = series_defs()[static_cast<size_t>(si)];
  const int64_t start = int64_t{first_day(s, k)} * kSlotsPerDay;
  const double x = static_cast<double>(abs) * 0.013 + k;
  if (d.counter) {
    const int64_t reset = 10 * kSlotsPerDay + 144;  // instance 0: restart on day 10 at 12:00
    if (k == 0 && abs >= reset) return counter_from_zero(k, si, abs - reset);
    return counter_from_zero(k, si, abs - start) + 1000.0 * k;
  }
  const std::string m = d.metric;
  if (m == "redis_up") return 1;
  if (m == "redis_memory_used_bytes") return 2.0e8 + 1.0e6 * k + 3.0e6 * std::sin(x);
  if (m == "redis_memory_max_bytes") return k == 1 ? 0 : 1.0e9;
  if (m == "redis_connected_clients") return std::floor(40 + k % 17 + 10 * std::sin(x * 1.7));
  if (m == "redis_blocked_clients") return static_cast<double>(abs % 5 == 0);
  if (m == "redis_db_keys") return std::floor((d.db[2] == '0' ? 5000 : 700) + 100 * std::cos(x));
  return 0;
}

// Writes the OpenMetrics text promtool backfills from: counter families are declared without
// _total, timestamps are seconds, every series ascends in time, and the file ends with # EOF.
inline void write_openmetrics(const Spec& s, std::FILE* out) {
  const auto& defs = series_defs();
  std::string last_family;
  for (size_t si = 0; si < defs.size(); ++si) {
    const SeriesDef& d = defs[si];
    std::string family = d.metric;
    if (d.counter) family = family.substr(0, family.size() - 6);
    if (family != last_family)
      std::fprintf(out, "# TYPE %s %s\n", family.c_str(), d.counter ? "counter" : "gauge");
    last_family = family;
    for (int k = 0; k < s.instances(); ++k) {
      const std::string labels = "{instance=\"" + instance_name(k) + "\",job=\"redis\"" +
                                 (d.db[0] ? std::string(",db=\"") + d.db + "\"" : "") + "}";
      for (int day = first_day(s, k); day < s.days; ++day)
        for (int slot = 0; slot < kSlotsPerDay; ++slot) {
          if (!has_sample(s, k, day, slot)) continue;
          const int64_t abs = int64_t{day} * kSlotsPerDay + slot;
          std::fprintf(out, "%s%s %.17g %lld\n", d.metric, labels.c_str(),
                       value(s, k, static_cast<int>(si), abs),
                       static_cast<long long>(s.first_day_unix + abs * kStep));
        }
    }
  }
  std::fprintf(out, "# EOF\n");
}

}  // namespace im::test::history
