// The Prometheus client against a real Prometheus scraping real Redis exporters, and against
// a fault-injecting HTTP server written for these tests (FaultyPrometheus): garbage, HTML,
// truncated JSON, 5xx, a hang.
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "collect/faulty_prometheus.h"
#include "collect/prometheus/client.h"
#include "collect/prometheus/redis_source.h"
#include "core/types.h"
#include "prom_test_util.h"

namespace im::collect::prometheus {
namespace {

using Clock = std::chrono::steady_clock;

Client live_client(double timeout = 10) {
  return Client(ClientOptions{test::prom("IM_TEST_PROM_URL"), timeout, "", "", "", ""});
}

TEST(PrometheusClient, ReadyAndTargetsOfTheLiveServer) {
  Client c = live_client();
  EXPECT_NO_THROW(c.ready());
  int up = 0, down = 0;
  for (const auto& t : c.targets()) {
    EXPECT_EQ(t.labels.at("job"), "redis");
    up += t.health == "up";
    down += t.health == "down";
  }
  EXPECT_EQ(up, 2);
  EXPECT_EQ(down, 1);
  EXPECT_EQ(c.requests(), 2);
}

TEST(PrometheusClient, InstantAndRangeVectorQueries) {
  Client c = live_client();
  const double now = static_cast<double>(std::time(nullptr));
  auto v = c.query("redis_up", now);
  EXPECT_EQ(v.vector.size(), 2u);
  for (const auto& s : v.vector) EXPECT_EQ(s.value, 1);
  auto m = c.query("redis_connected_clients[30s]", now);
  ASSERT_EQ(m.matrix.size(), 2u);
  for (const auto& s : m.matrix) {
    EXPECT_GE(s.values.size(), 1u);
    EXPECT_EQ(s.times.size(), s.values.size());
  }
}

TEST(PrometheusClient, RangeQueryResamplesAtItsStep) {
  Client c = live_client();
  const double now = static_cast<double>(std::time(nullptr));
  auto r = c.query_range("redis_up", now - 2, now, 1);
  ASSERT_EQ(r.matrix.size(), 2u);
  for (const auto& s : r.matrix) {
    EXPECT_EQ(s.times.size(), 3u);  // start, start + 1 s, end
    for (double v : s.values) EXPECT_EQ(v, 1);
  }
  EXPECT_THROW(c.query_range("redis_up", now, now - 10, 1), SourceError);  // end before start
}

TEST(PrometheusClient, ARefusedQueryNamesTheQueryAndTheReason) {
  Client c = live_client();
  try {
    c.query("sum(redis_up", 0);
    FAIL() << "a bad query was accepted";
  } catch (const SourceError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("`sum(redis_up`"), std::string::npos) << msg;
    EXPECT_NE(msg.find("bad_data"), std::string::npos) << msg;
  }
}

TEST(PrometheusClient, AnUnreachableServerIsTransient) {
  Client c(ClientOptions{"http://127.0.0.1:1", 2, "", "", "", ""});
  EXPECT_THROW(c.ready(), TransientError);
}

struct Fault {
  const char* name;
  int status;
  const char* content_type;
  const char* body;
  bool transient;
  const char* expect;  // in the message
};

void PrintTo(const Fault& f, std::ostream* os) {
  *os << f.name;
}

class PrometheusFaults : public testing::TestWithParam<Fault> {};

TEST_P(PrometheusFaults, GiveAClearErrorNamingTheQuery) {
  const Fault f = GetParam();
  FaultyPrometheus server([&](const httplib::Request&, httplib::Response& res) {
    res.status = f.status;
    res.set_content(f.body, f.content_type);
  });
  Client c = server.client();
  try {
    c.query("redis_up", 0);
    FAIL() << f.name << ": no error";
  } catch (const TransientError& e) {
    EXPECT_TRUE(f.transient) << f.name << ": " << e.what();
    EXPECT_NE(std::string(e.what()).find(f.expect), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("redis_up"), std::string::npos) << e.what();
  } catch (const SourceError& e) {
    EXPECT_FALSE(f.transient) << f.name << ": " << e.what();
    EXPECT_NE(std::string(e.what()).find(f.expect), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("redis_up"), std::string::npos) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Answers, PrometheusFaults,
    testing::Values(
        Fault{"html", 200, "text/html", "<html><body>Bad Gateway</body></html>", false, "not JSON"},
        Fault{"truncated", 200, "application/json", "{\"status\":\"success\",\"data\":{\"resu",
              false, "not JSON"},
        Fault{"no_status", 200, "application/json", "{\"data\":{}}", false, "no \"status\""},
        Fault{"api_error", 422, "application/json",
              "{\"status\":\"error\",\"errorType\":\"execution\",\"error\":\"query processing "
              "would load too many samples into memory\"}",
              false, "too many samples"},
        Fault{"result_type_not_a_string", 200, "application/json",
              "{\"status\":\"success\",\"data\":{\"resultType\":5,\"result\":[]}}", false,
              "no data.resultType string"},
        Fault{"unavailable", 503, "text/plain", "Service Unavailable", true, "HTTP 503"},
        Fault{"unauthorized", 401, "text/plain", "no", false, "HTTP 401"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(PrometheusClient, WarningsAreReturnedWithTheData) {
  FaultyPrometheus server([](const httplib::Request&, httplib::Response& res) {
    res.set_content(
        "{\"status\":\"success\",\"warnings\":[\"partial data: 1 store down\"],\"data\":{"
        "\"resultType\":\"vector\",\"result\":[{\"metric\":{\"instance\":\"a\"},\"value\":[1,"
        "\"2.5\"]}]}}",
        "application/json");
  });
  Client c = server.client();
  auto r = c.query("redis_up", 0);
  ASSERT_EQ(r.vector.size(), 1u);
  EXPECT_EQ(r.vector[0].value, 2.5);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0], "partial data: 1 store down");
}

TEST(PrometheusClient, SendsBasicAuthOrABearerToken) {
  std::string auth;
  FaultyPrometheus server([&](const httplib::Request& req, httplib::Response& res) {
    auth = req.get_header_value("Authorization");
    res.set_content("Prometheus Server is Ready.", "text/plain");
  });
  Client basic(ClientOptions{server.url(), 5, "monitor", "s3cret", "", ""});
  basic.ready();
  EXPECT_EQ(auth, "Basic bW9uaXRvcjpzM2NyZXQ=");  // base64("monitor:s3cret")
  Client bearer(ClientOptions{server.url(), 5, "", "", "tok-123", ""});
  bearer.ready();
  EXPECT_EQ(auth, "Bearer tok-123");
}

TEST(PrometheusClient, AHungServerTimesOutAsTransient) {
  FaultyPrometheus server([](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(std::chrono::seconds(4));
    res.set_content("{}", "application/json");
  });
  Client c = server.client(1);
  auto t0 = Clock::now();
  try {
    c.query("redis_up", 0);
    FAIL() << "no timeout";
  } catch (const TransientError& e) {
    EXPECT_NE(std::string(e.what()).find("redis_up"), std::string::npos) << e.what();
  }
  EXPECT_LT(Clock::now() - t0, std::chrono::milliseconds(2500));
}

TEST(RedisSource, SplitsByInstanceWhenPrometheusRefusesTooManySamples) {
  // The fault injector refuses any query that would return more than one instance.
  std::vector<std::string> queries;
  std::mutex mu;
  FaultyPrometheus server([&](const httplib::Request& req, httplib::Response& res) {
    const std::string q = req.get_param_value("query");
    {
      std::lock_guard<std::mutex> lock(mu);
      queries.push_back(q);
    }
    const auto single = q.find("instance=~\"") != std::string::npos &&
                        q.find('|', q.find("instance=~")) == std::string::npos;
    if (!single) {
      res.status = 422;
      return res.set_content(
          R"({"status":"error","errorType":"execution","error":"query processing would load too many samples into memory in query execution"})",
          "application/json");
    }
    const std::string inst = q.substr(q.find("=~\"") + 3, q.find("\"}") - q.find("=~\"") - 3);
    std::string name;  // undo the regex escaping: r\\.1 -> r.1
    for (size_t i = 0; i < inst.size(); ++i)
      if (inst[i] != '\\') name += inst[i];
    res.set_content(
        R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{"instance":")" +
            name + R"("},"values":[[1790812800,"7"]]}]}})",
        "application/json");
  });
  Client c = server.client();
  RedisSource src(c, RedisSourceOptions{{"redis_connected_clients"}, "redis", "instance", 300});
  std::vector<Instance> inv(3);
  inv[0].id = "r.1:9121";
  inv[1].id = "r.2:9121";
  inv[2].id = "r.3:9121";
  auto series = src.collect_series(*Day::parse("2026-10-01"), ServiceType::REDIS, inv);
  ASSERT_EQ(series.size(), 3u);
  for (const auto& s : series) EXPECT_EQ(s.values[0], 7) << s.instance_id;
  // all at once, then halves: {r.1}, {r.2, r.3} -> {r.2}, {r.3}
  EXPECT_EQ(queries.size(), 5u);
  EXPECT_NE(queries.back().find("r\\\\.3:9121"), std::string::npos) << queries.back();
}

TEST(RedisSource, HealthSeesTheLiveExportersUpAndTheStoppedOneDown) {
  Client c = live_client();
  RedisSource src(c, RedisSourceOptions{{}, "redis", "instance", 300});
  auto h = src.health();
  EXPECT_EQ(h.up, 2);
  EXPECT_EQ(h.down, 1);
  ASSERT_EQ(h.down_targets.size(), 1u);
  EXPECT_NE(h.down_targets[0].find(test::prom("IM_TEST_PROM_DOWN_TARGET")), std::string::npos);
}

}  // namespace
}  // namespace im::collect::prometheus
