// AWS collection of one day (steps 1 and 4 without the database) against a moto server the
// caller seeded: inventory pages, GetMetricData requests against the minimum CloudWatch's
// 500-queries limit allows, bytes each way, and this process's own CPU time per request (the
// server runs in another process), for `make bench`.
//   aws_bench ENDPOINT REGION YYYY-MM-DD
#include <sys/resource.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <set>

#include "collect/aws/cloudwatch.h"
#include "collect/aws/inventory.h"
#include "core/catalog.h"

using namespace im;

namespace {
double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
}
// This process so far: user and system CPU (seconds), times it slept (voluntary context
// switches) and was preempted.
struct Usage {
  double user, sys;
  long slept, preempted;
};
Usage usage() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return {double(u.ru_utime.tv_sec) + double(u.ru_utime.tv_usec) * 1e-6,
          double(u.ru_stime.tv_sec) + double(u.ru_stime.tv_usec) * 1e-6, u.ru_nvcsw, u.ru_nivcsw};
}
double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: aws_bench ENDPOINT REGION YYYY-MM-DD\n");
    return 2;
  }
  auto day = Day::parse(argv[3]);
  if (!day) return 2;
  collect::aws::AwsOptions ao;
  ao.region = argv[2];
  ao.endpoint_url = argv[1];
  ao.environment = {{"AWS_ACCESS_KEY_ID", "bench"}, {"AWS_SECRET_ACCESS_KEY", "bench"}};
  ao.max_attempts = 1;  // moto refuses p95 with HTTP 500: no retry to time
  auto creds = collect::aws::default_credentials_chain(ao);

  collect::aws::AwsInventory inventory(ao, *creds);
  const ServiceType rds[] = {ServiceType::RDS};
  auto t0 = std::chrono::steady_clock::now();
  double c0 = cpu_seconds();
  auto instances = inventory.discover(*day, rds);
  const auto inv = inventory.traffic();
  std::printf(
      "  inventory: %zu RDS instances in %lld requests (DescribeDBInstances pages of 100 + "
      "DescribeDBClusters), %.2f s wall, client CPU %.1f ms\n",
      instances.size(), static_cast<long long>(inv.requests), since(t0),
      (cpu_seconds() - c0) * 1e3);

  collect::aws::CloudWatchOptions co;
  co.instances_per_request = 50;  // cloudwatch.batch_size's default
  collect::aws::CloudWatchSource cw(ao, *creds, co, [](double) {});
  std::set<std::string> inputs;
  for (const MetricDef& d : metric_catalog())
    if (d.service == ServiceType::RDS) inputs.insert(std::string(d.input));
  t0 = std::chrono::steady_clock::now();
  c0 = cpu_seconds();
  const Usage before = usage();
  auto got = cw.collect(*day, ServiceType::RDS, instances);
  const double cpu = cpu_seconds() - c0, wall = since(t0);
  const Usage after = usage();
  const auto& t = cw.traffic();
  const size_t with_data = got.daily.size();
  // What had to be asked: 4 statistics per (instance, metric), then p95 and the 5-minute
  // averages of the pairs with data.
  const size_t queries = instances.size() * inputs.size() * 4 + 2 * with_data;
  const size_t minimum = (queries + 499) / 500;
  std::printf(
      "  GetMetricData: %zu queries in %lld requests (minimum %zu, +%.1f%%) over %lld "
      "connection%s, %.1f MB sent, %.1f MB received, %.2f s wall; client CPU %.2f ms per request "
      "(user %.2f, system %.2f), %.1f sleeps and %.1f preemptions per request; %zu daily "
      "statistics, %zu instances missing\n",
      queries, static_cast<long long>(t.requests), minimum,
      100.0 * (double(t.requests) - double(minimum)) / double(minimum),
      static_cast<long long>(t.connections), t.connections == 1 ? "" : "s", t.bytes_sent / 1e6,
      t.bytes_received / 1e6, wall, cpu * 1e3 / double(t.requests),
      (after.user - before.user) * 1e3 / double(t.requests),
      (after.sys - before.sys) * 1e3 / double(t.requests),
      double(after.slept - before.slept) / double(t.requests),
      double(after.preempted - before.preempted) / double(t.requests), with_data,
      got.missing.size());

  // The same client with one query per request, over the last 50 instances (no data): what a
  // request costs whatever its size (connection if the server closed it, signing, headers,
  // the wait and the wake-up on this machine). The rest of a full request's CPU is its 500 queries.
  collect::aws::CloudWatchOptions one = co;
  one.queries_per_request = 1;
  one.percentiles = false;
  one.only[ServiceType::RDS] = {"CPUUtilization"};
  collect::aws::CloudWatchSource small(ao, *creds, one, [](double) {});
  const std::vector<Instance> idle(instances.end() - std::min<ptrdiff_t>(50, ssize(instances)),
                                   instances.end());
  c0 = cpu_seconds();
  auto got_small = small.collect(*day, ServiceType::RDS, idle);
  const double fixed = (cpu_seconds() - c0) * 1e3 / double(small.traffic().requests);
  std::printf(
      "  one-query requests: %lld over %lld connection%s, client CPU %.2f ms per request: a full "
      "request's 500 queries add %.2f ms\n",
      static_cast<long long>(small.traffic().requests),
      static_cast<long long>(small.traffic().connections),
      small.traffic().connections == 1 ? "" : "s", fixed, cpu * 1e3 / double(t.requests) - fixed);
  return got.missing.empty() && got_small.missing.empty() ? 0 : 1;
}
