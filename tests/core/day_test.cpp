#include <gtest/gtest.h>

#include "core/catalog.h"
#include "core/day.h"
#include "core/storage_url.h"

namespace im {
namespace {

TEST(Day, ParsesAndFormatsIsoDates) {
  auto d = Day::parse("2026-02-15");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->str(), "2026-02-15");
  EXPECT_EQ(Day::parse("1970-01-01")->days_since_epoch(), 0);
  EXPECT_EQ(Day::parse("2024-02-29")->str(), "2024-02-29");
}

TEST(Day, RejectsAnythingButARealCalendarDate) {
  for (const char* bad : {"2026-02-30", "2025-02-29", "2026-13-01", "2026-1-01", "20260101",
                          "2026-01-01T00:00", "", "abcd-ef-gh", "2026/01/01", " 2026-01-01"})
    EXPECT_FALSE(Day::parse(bad)) << bad;
}

TEST(Day, UtcDayBoundariesAreHalfOpen) {
  Day d = *Day::parse("2026-03-08");  // a US DST change: irrelevant in UTC
  EXPECT_EQ(d.end_unix() - d.start_unix(), 86400);
  EXPECT_EQ(Day::from_unix_seconds(d.start_unix()), d);
  EXPECT_EQ(Day::from_unix_seconds(d.end_unix() - 1), d);
  EXPECT_EQ(Day::from_unix_seconds(d.end_unix()), d + 1);
  EXPECT_EQ(Day::from_unix_seconds(-1).str(), "1969-12-31");
}

TEST(Day, ArithmeticCrossesMonthsYearsAndLeapDays) {
  EXPECT_EQ((*Day::parse("2024-02-28") + 1).str(), "2024-02-29");
  EXPECT_EQ((*Day::parse("2024-02-28") + 2).str(), "2024-03-01");
  EXPECT_EQ((*Day::parse("2026-01-01") - 1).str(), "2025-12-31");
  EXPECT_EQ(*Day::parse("2026-03-01") - *Day::parse("2026-02-01"), 28);
}

TEST(Day, Weekday) {
  EXPECT_EQ(Day::parse("1970-01-01")->weekday(), 3);  // Thursday
  EXPECT_EQ(Day::parse("2026-11-30")->weekday(), 0);  // Monday
  EXPECT_EQ(Day::parse("2026-11-29")->weekday(), 6);  // Sunday
}

TEST(Day, TimestampFormat) {
  EXPECT_EQ(format_utc_timestamp(0), "1970-01-01 00:00:00");
  EXPECT_EQ(format_utc_timestamp(Day::parse("2026-02-15")->start_unix() + 6 * 3600 + 61),
            "2026-02-15 06:01:01");
}

TEST(StorageUrl, ParsesSqliteAndMysqlForms) {
  std::string why;
  EXPECT_EQ(parse_storage_url("sqlite:///abs/x.db", why)->path, "/abs/x.db");
  EXPECT_EQ(parse_storage_url("sqlite://rel/x.db", why)->path, "rel/x.db");
  EXPECT_TRUE(parse_storage_url("sqlite://:memory:", why)->in_memory());
  auto m = parse_storage_url("mysql://mon@db.internal:3307/infra", why);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->user, "mon");
  EXPECT_EQ(m->host, "db.internal");
  EXPECT_EQ(m->port, 3307);
  EXPECT_EQ(m->database, "infra");
  EXPECT_EQ(parse_storage_url("mysql://mon@db/infra", why)->port, 3306);
  EXPECT_FALSE(parse_storage_url("mysql://db/infra", why));
  EXPECT_FALSE(parse_storage_url("mysql://mon@db:0/infra", why));
  EXPECT_FALSE(parse_storage_url("sqlite://", why));
}

TEST(Catalog, HasTheGuidesMetricSets) {
  int redis = 0, rds = 0, ec2 = 0;
  for (const auto& m : metric_catalog()) {
    redis += m.service == ServiceType::REDIS;
    rds += m.service == ServiceType::RDS;
    ec2 += m.service == ServiceType::EC2;
    EXPECT_FALSE(m.action.empty()) << m.name;
    if (!m.preferred.empty()) {
      EXPECT_TRUE(find_metric(m.service, m.preferred)) << m.name;
    }
  }
  EXPECT_EQ(redis, 10);
  EXPECT_EQ(rds, 15);  // 14 CloudWatch metrics + free_storage_pct
  EXPECT_EQ(ec2, 8);
  const MetricDef* mem = find_metric(ServiceType::REDIS, "memory_usage_pct");
  ASSERT_TRUE(mem);
  EXPECT_EQ(mem->limits.warning, 80);
  EXPECT_EQ(mem->limits.critical, 90);
  EXPECT_EQ(mem->limits.emergency, 95);
  EXPECT_EQ(find_metric(ServiceType::RDS, "read_latency_ms")->scale, 1000);
  EXPECT_EQ(find_metric(ServiceType::RDS, "free_storage_pct")->direction, Direction::DOWN);
}

}  // namespace
}  // namespace im
