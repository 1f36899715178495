// Steps 1-3 on source: live against the harness's Prometheus (real Redis exporters), and
// with Prometheus unreachable.
#include <gtest/gtest.h>

#include <ctime>
#include <functional>
#include <map>
#include <set>

#include "collect/faulty_prometheus.h"
#include "pipeline/pipeline.h"
#include "pipeline/pipeline_fixture.h"
#include "prom_test_util.h"
#include "store/store.h"
#include "test_util.h"

namespace im::pipeline {
namespace {

const StepResult& step(const DayResult& d, int num) {
  return d.steps.at(static_cast<size_t>(num - 1));
}

Settings live(const std::string& url) {
  Settings s;
  s.source = Settings::Source::LIVE;
  s.prometheus.url = url;
  s.prometheus.scrape_interval = "1s";
  s.prometheus.scrape_interval_seconds = 1;  // the harness scrapes every second
  s.prometheus.timeout_seconds = 5;
  s.pipeline.max_retries = 0;
  return s;
}

std::unique_ptr<store::Store> temp_store(const test::TempDir& dir) {
  std::string why;
  return store::open_store(*parse_storage_url("sqlite://" + dir.file("p.db"), why));
}

// The given steps for `day`, with the wall clock at `now`.
RunReport run_steps(const Settings& s, store::Store& store, Day day, int64_t now,
                    std::set<int> steps) {
  auto p = pipeline::test_fixture::assemble(
      s, store, pipeline::test_fixture::test_clock([now] { return now; }));
  RunOptions o;
  o.days = {day};
  o.steps = std::move(steps);
  return p.run(o);
}

// Every step for yesterday (UTC).
RunReport run_yesterday(const Settings& s, store::Store& store) {
  const int64_t now = std::time(nullptr);
  return run_steps(s, store, Day::from_unix_seconds(now) - 1, now, {});
}

TEST(LivePrometheus, CollectsEveryLiveRedisInstance) {
  test::TempDir dir;
  auto store = temp_store(dir);
  Settings s = live(test::prom("IM_TEST_PROM_URL"));
  const int64_t now = std::time(nullptr);
  const Day today = Day::from_unix_seconds(now);  // the live server holds only today
  auto r = run_steps(s, *store, today, now, {1, 2, 3, 6, 7, 8});
  const DayResult& d = r.days.at(0);
  EXPECT_EQ(step(d, 1).status, StepStatus::SUCCESS) << step(d, 1).message;
  EXPECT_EQ(step(d, 2).status, StepStatus::SUCCESS) << step(d, 2).message;
  EXPECT_NE(step(d, 2).message.find("2 target(s) up, 1 down"), std::string::npos)
      << step(d, 2).message;
  EXPECT_NE(step(d, 2).message.find(test::prom("IM_TEST_PROM_DOWN_TARGET")), std::string::npos);
  EXPECT_EQ(step(d, 3).status, StepStatus::SUCCESS) << step(d, 3).message;
  EXPECT_EQ(step(d, 4).status, StepStatus::SKIPPED);
  EXPECT_EQ(step(d, 8).status, StepStatus::SUCCESS) << step(d, 8).message;

  std::map<std::string, store::InventoryRow> inv;
  for (auto& row : store->load_inventory()) inv[row.instance.id] = row;
  std::map<std::string, std::set<std::string>> metrics;
  for (const auto& m : store->load_daily_metrics(today, today, {})) {
    metrics[m.instance_id].insert(m.metric);
    EXPECT_EQ(m.source, "prometheus");
  }
  const std::string targets = test::prom("IM_TEST_PROM_LIVE_TARGETS");
  const std::string first = targets.substr(0, targets.find(',')),
                    second = targets.substr(targets.find(',') + 1);
  ASSERT_EQ(inv.size(), 2u);
  EXPECT_EQ(inv[first].instance.max_memory_bytes, 64.0 * 1024 * 1024);
  EXPECT_EQ(inv[second].instance.max_memory_bytes, 0);
  EXPECT_EQ(inv[first].instance.source, "prometheus");
  for (const auto& name : {"memory_used_bytes", "connected_clients", "blocked_clients", "db_keys",
                           "ops_per_sec", "cpu_user_pct"}) {
    EXPECT_TRUE(metrics[first].count(name)) << first << " " << name;
    EXPECT_TRUE(metrics[second].count(name)) << second << " " << name;
  }
  EXPECT_TRUE(metrics[first].count("memory_usage_pct"));
  EXPECT_FALSE(metrics[second].count("memory_usage_pct"));  // maxmemory 0: no percentage
}

TEST(LivePrometheus, UnreachablePrometheusFailsStep2AndSkipsStep3) {
  test::TempDir dir;
  auto store = temp_store(dir);
  auto r = run_yesterday(live("http://127.0.0.1:1"), *store);
  const DayResult& d = r.days.at(0);
  EXPECT_TRUE(r.failed());
  // An unreachable configured source fails the inventory step (issue #13, item 9); the
  // steps after it still run on the instances last seen.
  EXPECT_EQ(step(d, 1).status, StepStatus::FAILED) << step(d, 1).message;
  EXPECT_TRUE(step(d, 1).partial);
  EXPECT_NE(step(d, 1).message.find("prometheus unavailable"), std::string::npos)
      << step(d, 1).message;
  EXPECT_EQ(step(d, 2).status, StepStatus::FAILED);
  EXPECT_NE(step(d, 2).message.find("127.0.0.1:1"), std::string::npos) << step(d, 2).message;
  EXPECT_NE(step(d, 2).message.find("readiness"), std::string::npos) << step(d, 2).message;
  EXPECT_EQ(step(d, 3).status, StepStatus::SKIPPED);
  EXPECT_TRUE(step(d, 3).skipped_by_failure);
  EXPECT_EQ(step(d, 4).status, StepStatus::SKIPPED);  // AWS: not built, not blocked
  EXPECT_FALSE(step(d, 4).skipped_by_failure);
  EXPECT_EQ(step(d, 14).status, StepStatus::SUCCESS);
}

TEST(LivePrometheus, PrometheusLostAfterStep2FailsStep3AndTheRunExitsOne) {
  // Ready, targets and discovery answer; every query after them gets 503, as from a server
  // going down between step 2 and step 3.
  int queries = 0;
  collect::prometheus::FaultyPrometheus server([&](const httplib::Request& req,
                                                   httplib::Response& res) {
    if (req.path == "/-/ready") return res.set_content("Prometheus Server is Ready.", "text/plain");
    if (req.path == "/api/v1/targets")
      return res.set_content(
          R"({"status":"success","data":{"activeTargets":[{"labels":{"job":"redis","instance":"r1:9121"},"health":"up"}]}})",
          "application/json");
    if (++queries <= 2)
      return res.set_content(
          R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"instance":"r1:9121"},"value":[1,"1"]}]}})",
          "application/json");
    res.status = 503;
    res.set_content("Service Unavailable", "text/plain");
  });
  test::TempDir dir;
  auto store = temp_store(dir);
  auto r = run_yesterday(live(server.url()), *store);
  const DayResult& d = r.days.at(0);
  EXPECT_TRUE(r.failed());
  EXPECT_EQ(step(d, 1).status, StepStatus::SUCCESS) << step(d, 1).message;
  EXPECT_EQ(step(d, 2).status, StepStatus::SUCCESS) << step(d, 2).message;
  EXPECT_EQ(step(d, 3).status, StepStatus::FAILED);
  EXPECT_NE(step(d, 3).message.find("HTTP 503"), std::string::npos) << step(d, 3).message;
  EXPECT_NE(step(d, 3).message.find("redis_memory_used_bytes"), std::string::npos)
      << step(d, 3).message;
  EXPECT_FALSE(step(d, 4).skipped_by_failure);  // the CloudWatch steps do not depend on it
  EXPECT_EQ(step(d, 14).status, StepStatus::SUCCESS);
  EXPECT_EQ(store->load_inventory().size(), 1u);
}

TEST(LivePrometheus, PrometheusWarningsAreReportedNotDropped) {
  collect::prometheus::FaultyPrometheus server([](const httplib::Request& req,
                                                  httplib::Response& res) {
    if (req.path == "/-/ready") return res.set_content("Prometheus Server is Ready.", "text/plain");
    if (req.path == "/api/v1/targets")
      return res.set_content(R"({"status":"success","data":{"activeTargets":[]}})",
                             "application/json");
    const bool discovery = req.get_param_value("query").starts_with("max by");
    res.set_content(
        discovery
            ? R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"instance":"r1:9121"},"value":[1,"1"]}]}})"
            : R"({"status":"success","warnings":["partial data: one store is down"],"data":{"resultType":"matrix","result":[{"metric":{"instance":"r1:9121"},"values":[[1,"5"]]}]}})",
        "application/json");
  });
  test::TempDir dir;
  auto store = temp_store(dir);
  Settings s = live(server.url());
  s.prometheus.scrape_interval_seconds = 300;
  const Day day = *Day::parse("1970-01-01");  // the injector's samples are at t = 1 s
  auto r = run_steps(s, *store, day, 86400 * 2, {1, 2, 3});
  const DayResult& d = r.days.at(0);
  EXPECT_EQ(step(d, 3).status, StepStatus::SUCCESS) << step(d, 3).message;
  EXPECT_NE(step(d, 3).message.find("10 Prometheus warning(s)"), std::string::npos)
      << step(d, 3).message;
}

// Issue #13, items 1, 18 and 19 through the real client: a Prometheus answering +Inf, -Inf,
// negative and overflowing samples, an infinite maxmemory, a series whose value is a number and
// labels carrying a newline and a byte that is not UTF-8. Each costs only itself: the day is
// stored for every instance.
TEST(LivePrometheus, HostileValuesAndLabelsCostOnlyThemselves) {
  auto matrix = [](const std::string& instance, const std::function<std::string(int)>& value) {
    std::string values;
    for (int k = 0; k < 288; ++k)
      values +=
          (k ? "," : "") + std::string("[") + std::to_string(k * 300) + ",\"" + value(k) + "\"]";
    return R"({"metric":{"instance":")" + instance + R"("},"values":[)" + values + "]}";
  };
  collect::prometheus::FaultyPrometheus server(
      [&](const httplib::Request& req, httplib::Response& res) {
        if (req.path == "/-/ready")
          return res.set_content("Prometheus Server is Ready.", "text/plain");
        if (req.path == "/api/v1/targets")
          return res.set_content(R"({"status":"success","data":{"activeTargets":[]}})",
                                 "application/json");
        const std::string q = req.get_param_value("query");
        std::string result;
        if (q.starts_with("max by") && q.find("redis_memory_max_bytes") != std::string::npos) {
          result = R"({"metric":{"instance":"r1:9121"},"value":[1,"+Inf"]},)"
                   R"({"metric":{"instance":"r2:9121"},"value":[1,"1000000"]})";
          return res.set_content(
              R"({"status":"success","data":{"resultType":"vector","result":[)" + result + "]}}",
              "application/json");
        }
        if (q.starts_with("max by")) {  // discovery: two good instances, two hostile labels
          result = R"({"metric":{"instance":"r1:9121"},"value":[1,"1"]},)"
                   R"({"metric":{"instance":"r2:9121"},"value":[1,"1"]},)"
                   R"({"metric":{"instance":"forged\nINFO line"},"value":[1,"1"]},)"
                   "{\"metric\":{\"instance\":\"bad-\xff\"},\"value\":[1,\"1\"]}";
          return res.set_content(
              R"({"status":"success","data":{"resultType":"vector","result":[)" + result + "]}}",
              "application/json");
        }
        if (q.starts_with("redis_memory_used_bytes"))
          result = matrix("r1:9121",
                          [](int k) {
                            return k == 5 ? "+Inf" : k == 6 ? "-Inf" : k == 7 ? "-5" : "1e308";
                          }) +
                   "," + matrix("r2:9121", [](int) { return "500000"; }) +
                   R"(,{"metric":{"instance":"r2:9121","db":"x"},"values":[[0,5]]})";
        else if (q.starts_with("redis_memory_max_bytes"))
          result = matrix("r1:9121", [](int) { return "+Inf"; }) + "," +
                   matrix("r2:9121", [](int) { return "1000000"; });
        else
          result = matrix("r1:9121", [](int k) { return std::to_string(k); }) + "," +
                   matrix("r2:9121", [](int k) { return std::to_string(2 * k); });
        res.set_content(
            R"({"status":"success","data":{"resultType":"matrix","result":[)" + result + "]}}",
            "application/json");
      });
  test::TempDir dir;
  auto store = temp_store(dir);
  Settings s = live(server.url());
  s.prometheus.scrape_interval_seconds = 300;
  const Day day = *Day::parse("1970-01-01");  // the injector's samples start at t = 0
  auto r = run_steps(s, *store, day, 86400 * 2, {1, 2, 3, 6, 7, 8});
  const DayResult& d = r.days.at(0);
  EXPECT_EQ(step(d, 1).status, StepStatus::SUCCESS) << step(d, 1).message;
  EXPECT_NE(step(d, 1).message.find("\"forged\\nINFO line\" (it holds a control character)"),
            std::string::npos)
      << step(d, 1).message;
  EXPECT_NE(step(d, 1).message.find("(it is not valid UTF-8)"), std::string::npos)
      << step(d, 1).message;
  EXPECT_EQ(step(d, 3).status, StepStatus::SUCCESS) << step(d, 3).message;
  // 3 of r1's used memory, and its 288 maxmemory samples of +Inf.
  EXPECT_NE(step(d, 6).message.find("291 sample(s) not finite or negative dropped"),
            std::string::npos)
      << step(d, 6).message;
  ASSERT_EQ(step(d, 8).status, StepStatus::SUCCESS) << step(d, 8).message;
  std::map<std::string, std::map<std::string, DailyMetric>> by;
  for (const auto& m : store->load_daily_metrics(day, day, {})) by[m.instance_id][m.metric] = m;
  ASSERT_EQ(by.size(), 2u);  // r1 and r2: the hostile labels were refused
  EXPECT_DOUBLE_EQ(by["r1:9121"]["memory_used_bytes"].avg, 1e308);  // no overflow
  EXPECT_EQ(by["r1:9121"]["memory_used_bytes"].sample_count, 285);
  EXPECT_EQ(by["r1:9121"].count("memory_usage_pct"), 0u);  // maxmemory +Inf: unknown
  EXPECT_DOUBLE_EQ(by["r2:9121"]["memory_usage_pct"].avg, 50.0);
  for (const auto& row : store->load_inventory())
    if (row.instance.id == "r1:9121") {
      EXPECT_EQ(row.instance.max_memory_bytes, 0);
    }
}

}  // namespace
}  // namespace im::pipeline
