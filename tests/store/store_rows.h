// Rows for the store tests.
#pragma once

#include <string>

#include <gtest/gtest.h>

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

// Issue #14's upgrade check, on a database written by release f3b5262 (tests/data/store/
// README.md: 15 alerts from 2026-11-10 to 2026-11-20) whose first alert an operator
// acknowledged ('ops-jane', note 'known') before the upgrade: every alert is kept with its
// acknowledgement, and an alert of another service with the same instance id, metric, type and
// day is a row of its own (service_type joined the natural key), upserted twice, stored once.
inline void expect_release_alerts_upgraded(Store& store) {
  std::vector<Alert> alerts;
  for (Day d = *Day::parse("2026-11-10"); d <= *Day::parse("2026-11-20"); ++d)
    for (auto& a : store.load_alerts(d)) alerts.push_back(std::move(a));
  ASSERT_EQ(alerts.size(), 15u);  // what the release wrote
  const Alert* acked = &alerts.front();
  for (const auto& a : alerts)
    if (a.id < acked->id) acked = &a;
  EXPECT_TRUE(acked->acknowledged);
  EXPECT_EQ(acked->acknowledged_by, "ops-jane");
  EXPECT_EQ(acked->notes, "known");
  Alert twin = *acked;
  twin.service = twin.service == ServiceType::REDIS ? ServiceType::RDS : ServiceType::REDIS;
  twin.message = "twin";
  {
    Transaction tx(store);
    store.upsert_alerts(std::vector<Alert>{twin});
    store.upsert_alerts(std::vector<Alert>{twin});
    tx.commit();
  }
  size_t same_key_but_service = 0;
  for (const auto& a : store.load_alerts(acked->date)) {
    same_key_but_service += a.instance_id == acked->instance_id && a.metric == acked->metric &&
                            a.alert_type == acked->alert_type;
    if (a.id == acked->id) {
      EXPECT_EQ(a.message, acked->message);  // untouched by its twin
      EXPECT_TRUE(a.acknowledged);
    }
  }
  EXPECT_EQ(same_key_but_service, 2u);
}

}  // namespace im::store::test_rows
