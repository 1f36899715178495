// Rows for the store tests.
#pragma once

#include <string>

#include "store/store.h"

namespace im::store::test_rows {

inline const Day kDay = *Day::parse("2026-11-20");

inline DailyMetric metric(const std::string& instance, const std::string& name, double avg,
                          Day day = kDay) {
  DailyMetric m;
  m.date = day;
  m.service = ServiceType::REDIS;
  m.instance_id = instance;
  m.metric = name;
  m.unit = "percent";
  m.avg = avg;
  m.min = avg - 1;
  m.max = avg + 1;
  m.p95 = avg + 0.5;
  m.sample_count = 288;
  m.expected_samples = 288;
  m.source = "simulate";
  return m;
}

inline Instance instance(const std::string& id, const std::string& source = "simulate") {
  Instance i;
  i.service = ServiceType::REDIS;
  i.id = id;
  i.name = id;
  i.source = source;
  i.tags["role"] = "cart";
  return i;
}

inline Alert alert(const std::string& severity, double z) {
  Alert a;
  a.date = kDay;
  a.service = ServiceType::REDIS;
  a.instance_id = "redis-cart-01";
  a.metric = "memory_usage_pct";
  a.alert_type = AlertType::ZSCORE;
  a.severity = *parse_severity(severity);
  a.z = z;
  a.message = severity + " redis-cart-01 memory_usage_pct";
  return a;
}

}  // namespace im::store::test_rows
