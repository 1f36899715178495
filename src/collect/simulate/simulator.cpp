#include "collect/simulate/simulator.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string_view>

namespace im::collect {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int kChurnSlots = 3;  // Redis slots whose instance is replaced every kLifespan days
constexpr int kLifespan = 42;   // so at any day one of them is younger than 14 days

uint64_t splitmix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
uint64_t mix(uint64_t a, uint64_t b) {
  return splitmix(a ^ splitmix(b));
}
uint64_t hash_str(std::string_view s) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

// Small counter-based generator: cheap, deterministic, good enough for simulated noise.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t next() { return splitmix(s_++); }
  double uniform() { return double(next() >> 11) * 0x1.0p-53; }
  double range(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u1 = std::max(uniform(), 1e-300), u2 = uniform();
    double r = std::sqrt(-2.0 * std::log(u1));
    spare_ = r * std::sin(2 * kPi * u2);
    has_spare_ = true;
    return r * std::cos(2 * kPi * u2);
  }

 private:
  uint64_t s_;
  double spare_ = 0;
  bool has_spare_ = false;
};

int32_t dn(Day d) {
  return d.days_since_epoch();
}
int cycle_pos(Day d, int cycle, int phase) {
  return ((dn(d) + phase) % cycle + cycle) % cycle;
}
int cycle_no(Day d, int cycle, int phase) {
  return static_cast<int>(std::floor(double(dn(d) + phase) / cycle));
}
// The stable instance index (0..n-1) an incident of `kind` hits in its current cycle.
int victim(uint64_t seed, std::string_view kind, int cycle, int n) {
  if (n <= 0) return -1;
  return static_cast<int>(mix(mix(seed, hash_str(kind)), uint64_t(cycle)) % uint64_t(n));
}

// Which incidents touch an instance on a day. Each recurs on a fixed cycle of absolute days.
struct Incidents {
  double leak_days = -1;      // memory leak: day index in its ramp (0..9), -1 none
  bool leak_restart = false;  // the day after a leak: restarted (counters reset)
  bool eviction_storm = false;
  bool cpu_spike = false;
  bool connection_spike = false;
  double latency_factor = 1;  // latency degradation
  double level_shift = 1;     // step change that becomes the new baseline
  bool long_gap = false;      // exporter down for 14 h: the day's coverage is too low
};

Incidents incidents_for(uint64_t seed, ServiceType svc, int stable_idx, int n_stable, Day d) {
  Incidents in;
  if (stable_idx < 0) return in;
  auto hit = [&](std::string_view kind, int cycle, int phase) {
    return victim(seed, kind, cycle_no(d, cycle, phase), n_stable) == stable_idx;
  };
  // One-day incidents strike every day, each day on another instance.
  auto daily_hit = [&](std::string_view kind) {
    return victim(seed, kind, dn(d), n_stable) == stable_idx;
  };
  if (svc == ServiceType::REDIS) {
    int p = cycle_pos(d, 21, 0);
    if (p < 10 && hit("leak", 21, 0)) in.leak_days = p;
    if (p == 10 && hit("leak", 21, 0)) in.leak_restart = true;
    in.eviction_storm = daily_hit("evict");
    if (hit("shift", 35, 11)) in.level_shift = 1.45;
    in.long_gap = cycle_pos(d, 17, 3) == 0 && hit("gap", 17, 3);
  } else if (svc == ServiceType::RDS) {
    in.cpu_spike = daily_hit("cpu");
    in.connection_spike = daily_hit("conn");
    int p = cycle_pos(d, 9, 6);
    if (p < 5 && hit("latency", 9, 6)) in.latency_factor = 1.8 + 0.6 * p;
    if (hit("rds-shift", 40, 23)) in.level_shift = 1.35;
  } else if (svc == ServiceType::EC2) {
    in.cpu_spike = daily_hit("ec2-cpu");
  }
  return in;
}

// Daily shape of traffic: a peak in the US afternoon, quieter weekends, and a per-day level.
double traffic(double hour, double amp, double phase, double weekend, double day_level) {
  return day_level * weekend * (1.0 + amp * std::sin(2 * kPi * (hour - phase) / 24.0));
}

const char* kRedisRoles[] = {"cart",      "session", "menu",  "order",   "loyalty",
                             "inventory", "pricing", "store", "payment", "promo"};
const char* kRdsApps[] = {"orders", "payments",  "menu",      "loyalty",
                          "users",  "inventory", "analytics", "stores"};

std::string numbered(const char* prefix, const char* role, int n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s-%s-%02d", prefix, role, n);
  return buf;
}

// Parses the stable index back out of the tags the simulator wrote.
int stable_index(const Instance& inst) {
  auto it = inst.tags.find("sim_index");
  return it == inst.tags.end() ? -1 : std::atoi(it->second.c_str());
}

struct SeriesSet {
  std::vector<RawSeries> out;
  const Instance* inst;
  Day day;
  double* add(const char* metric, const char* labels = "") {
    RawSeries s;
    s.service = inst->service;
    s.instance_id = inst->id;
    s.source_metric = metric;
    s.labels = labels;
    s.start_unix = day.start_unix();
    s.step_seconds = SimulatedFleet::kStepSeconds;
    s.values.assign(SimulatedFleet::kSamplesPerDay, NAN);
    out.push_back(std::move(s));
    return out.back().values.data();
  }
};

// Marks missing samples: a few random scrape failures, and the long gap of an incident.
void drop_samples(std::vector<RawSeries>& series, size_t from, Rng& rng, bool long_gap) {
  const int n = SimulatedFleet::kSamplesPerDay;
  std::vector<bool> missing(n, false);
  for (int k = 0; k < n; ++k) missing[k] = rng.uniform() < 0.004;
  if (long_gap)
    for (int k = 60; k < 60 + 168; ++k) missing[k] = true;  // 05:00-19:00 UTC
  for (size_t i = from; i < series.size(); ++i)
    for (int k = 0; k < n; ++k)
      if (missing[k]) series[i].values[k] = NAN;
}

void gen_redis(SeriesSet& ss, uint64_t seed, int n_stable) {
  const Instance& inst = *ss.inst;
  Day d = ss.day;
  Rng prof(mix(seed, hash_str(inst.id)));
  const double mem_ref = inst.max_memory_bytes > 0 ? inst.max_memory_bytes : 4.0 * (1ULL << 30);
  const double base_frac = prof.range(0.35, 0.68);
  const double clients0 = prof.range(40, 400);
  const double blocked0 = prof.uniform() < 0.3 ? prof.range(0.5, 3) : 0;
  const double keys0 = prof.range(2e5, 5e6), keys1 = keys0 * prof.range(0.01, 0.2);
  const double ops0 = prof.range(400, 20000);
  const double cpu_per_op = prof.range(8e-6, 2.5e-5);
  const double hr0 = prof.range(0.86, 0.985);
  const double evict0 = prof.uniform() < 0.7 ? 0 : prof.range(0.05, 2.0);
  const double amp = prof.range(0.25, 0.5), phase = prof.range(11, 16);
  const double counter0 = prof.range(1e6, 1e9);

  const int idx = stable_index(inst);
  Incidents in = incidents_for(seed, ServiceType::REDIS, idx, n_stable, d);
  Rng day(mix(mix(seed, hash_str(inst.id)), uint64_t(dn(d))));
  const double day_level = 1.0 + 0.05 * day.normal();
  const double mem_level = 1.0 + 0.015 * day.normal();
  const double weekend = d.weekday() >= 5 ? 0.9 : 1.0;
  const double age_days = dn(d) - 20000;  // counters grow with time since an arbitrary origin

  size_t first = ss.out.size();
  double* used = ss.add("redis_memory_used_bytes");
  double* maxb = ss.add("redis_memory_max_bytes");
  double* clients = ss.add("redis_connected_clients");
  double* blocked = ss.add("redis_blocked_clients");
  double* db0 = ss.add("redis_db_keys", "db=db0");
  double* db1 = ss.add("redis_db_keys", "db=db1");
  double* cmds = ss.add("redis_commands_processed_total");
  double* cpu = ss.add("redis_cpu_user_seconds_total");
  double* hits = ss.add("redis_keyspace_hits_total");
  double* misses = ss.add("redis_keyspace_misses_total");
  double* evicted = ss.add("redis_evicted_keys_total");

  // Counters restart from 0 after a restart (leak fix at 03:00, and an instance's first day).
  double c_cmd = counter0 + age_days * ops0 * 86400, c_cpu = age_days * ops0 * cpu_per_op * 86400;
  double c_hit = c_cmd * 0.45, c_miss = c_cmd * 0.05, c_evict = age_days * evict0 * 86400;
  const int restart_at = in.leak_restart ? 36 : -1;
  const int n = SimulatedFleet::kSamplesPerDay;
  for (int k = 0; k < n; ++k) {
    double hour = k * SimulatedFleet::kStepSeconds / 3600.0;
    double t = traffic(hour, amp, phase, weekend, day_level) * in.level_shift;
    if (k == restart_at) c_cmd = c_cpu = c_hit = c_miss = c_evict = 0;
    double leak = in.leak_days >= 0 ? 0.032 * (in.leak_days + hour / 24.0) : 0;
    double frac =
        base_frac * mem_level * (1 + 0.03 * std::sin(2 * kPi * (hour - phase) / 24)) + leak;
    frac = std::clamp(frac + 0.004 * day.normal(), 0.01, 0.995);
    used[k] = frac * mem_ref;
    maxb[k] = inst.max_memory_bytes;
    clients[k] = std::round(clients0 * t * (1 + 0.05 * day.normal()));
    blocked[k] = std::max(0.0, std::round(blocked0 + 0.7 * day.normal()));
    db0[k] = std::round(keys0 * mem_level * (1 + 0.01 * std::sin(2 * kPi * hour / 24)));
    db1[k] = std::round(keys1 * mem_level);
    double ops = std::max(0.0, ops0 * t * (1 + 0.08 * day.normal()));
    double hr = std::clamp(hr0 - (in.eviction_storm ? 0.18 : 0) + 0.01 * day.normal(), 0.2, 0.999);
    double ev =
        evict0 * t + (in.eviction_storm ? 40 + 10 * day.normal() : 0) + (frac > 0.93 ? 5 : 0);
    const double dt = SimulatedFleet::kStepSeconds;
    c_cmd += ops * dt;
    c_cpu += ops * cpu_per_op * (in.level_shift > 1 ? 1.1 : 1.0) * dt;
    c_hit += ops * 0.5 * hr * dt;
    c_miss += ops * 0.5 * (1 - hr) * dt;
    c_evict += std::max(0.0, ev) * dt;
    cmds[k] = std::floor(c_cmd);
    cpu[k] = c_cpu;
    hits[k] = std::floor(c_hit);
    misses[k] = std::floor(c_miss);
    evicted[k] = std::floor(c_evict);
  }
  drop_samples(ss.out, first, day, in.long_gap);
}

void gen_rds(SeriesSet& ss, uint64_t seed, int n_stable) {
  const Instance& inst = *ss.inst;
  Day d = ss.day;
  Rng prof(mix(seed, hash_str(inst.id)));
  const double cpu0 = prof.range(8, 45);
  const double conn0 = prof.range(20, 300);
  const double mem_total = prof.range(8, 64) * (1ULL << 30);
  const double freeable0 = mem_total * prof.range(0.25, 0.6);
  const double riops0 = prof.range(50, 3000), wiops0 = prof.range(30, 1500);
  const double rlat0 = prof.range(0.0004, 0.003), wlat0 = prof.range(0.0008, 0.005);
  const double io_size = prof.range(8e3, 64e3);
  const double net0 = prof.range(1e5, 2e7);
  const double queue0 = prof.range(0.2, 3);
  const double swap0 = prof.uniform() < 0.5 ? 0 : prof.range(1e6, 5e7);
  const double amp = prof.range(0.2, 0.45), phase = prof.range(11, 16);
  // Free storage: most instances drift slowly; some fill on a 60-day sawtooth (then grown).
  const bool filling = prof.uniform() < 0.15;
  const double free0 = prof.range(0.3, 0.7);
  const int fill_phase = static_cast<int>(prof.range(0, 60));

  const int idx = stable_index(inst);
  Incidents in = incidents_for(seed, ServiceType::RDS, idx, n_stable, d);
  Rng day(mix(mix(seed, hash_str(inst.id)), uint64_t(dn(d))));
  const double day_level = 1.0 + 0.05 * day.normal();
  const double weekend = d.weekday() >= 5 ? 0.9 : 1.0;
  // Storage is consumed at a rate that varies from day to day (a random walk along the cycle).
  const int pos = filling ? cycle_pos(d, 60, fill_phase) : cycle_pos(d, 365, fill_phase);
  const uint64_t walk_seed = mix(mix(seed, hash_str(inst.id)), uint64_t(dn(d) - pos));
  double free_frac = filling ? 0.32 : free0;
  for (int k = 0; k < pos; ++k) {
    Rng step(mix(walk_seed, uint64_t(k)));
    free_frac -= (filling ? 0.0048 : 0.0004) * std::max(0.0, 1.0 + 1.2 * step.normal());
  }
  free_frac = std::max(0.01, free_frac);
  const double alloc = inst.allocated_storage_gb * (1ULL << 30);

  size_t first = ss.out.size();
  double* cpu = ss.add("CPUUtilization");
  double* conn = ss.add("DatabaseConnections");
  double* freeable = ss.add("FreeableMemory");
  double* fss = ss.add("FreeStorageSpace");
  double* riops = ss.add("ReadIOPS");
  double* wiops = ss.add("WriteIOPS");
  double* rlat = ss.add("ReadLatency");
  double* wlat = ss.add("WriteLatency");
  double* rthr = ss.add("ReadThroughput");
  double* wthr = ss.add("WriteThroughput");
  double* nrx = ss.add("NetworkReceiveThroughput");
  double* ntx = ss.add("NetworkTransmitThroughput");
  double* queue = ss.add("DiskQueueDepth");
  double* swap = ss.add("SwapUsage");
  const int n = SimulatedFleet::kSamplesPerDay;
  for (int k = 0; k < n; ++k) {
    double hour = k * SimulatedFleet::kStepSeconds / 3600.0;
    double t = traffic(hour, amp, phase, weekend, day_level) * in.level_shift;
    bool spike_hours = hour >= 8 && hour < 18;
    cpu[k] = std::clamp(
        cpu0 * t * (1 + 0.06 * day.normal()) + (in.cpu_spike && spike_hours ? 45 : 0), 0.5, 100.0);
    conn[k] = std::max(0.0, std::round(conn0 * t * (1 + 0.05 * day.normal()) *
                                       (in.connection_spike && spike_hours ? 2.6 : 1.0)));
    freeable[k] = freeable0 * (1 - 0.05 * (t - 1)) * (1 + 0.01 * day.normal());
    fss[k] = alloc * free_frac * (1 - 0.002 * hour / 24) * (1 + 0.0005 * day.normal());
    riops[k] = std::max(0.0, riops0 * t * (1 + 0.08 * day.normal()));
    wiops[k] = std::max(0.0, wiops0 * t * (1 + 0.08 * day.normal()));
    rlat[k] = rlat0 * (0.8 + 0.2 * t) * in.latency_factor * std::exp(0.15 * day.normal());
    wlat[k] = wlat0 * (0.8 + 0.2 * t) * in.latency_factor * std::exp(0.15 * day.normal());
    rthr[k] = riops[k] * io_size;
    wthr[k] = wiops[k] * io_size;
    nrx[k] = std::max(0.0, net0 * t * (1 + 0.07 * day.normal()));
    ntx[k] = std::max(0.0, net0 * 1.6 * t * (1 + 0.07 * day.normal()));
    queue[k] = std::max(0.0, queue0 * t * (in.latency_factor > 1 ? 1.5 * in.latency_factor : 1.0) *
                                 (1 + 0.1 * day.normal()));
    swap[k] = std::max(0.0, swap0 * (1 + 0.02 * day.normal()));
  }
  drop_samples(ss.out, first, day, false);
}

void gen_ec2(SeriesSet& ss, uint64_t seed, int n_stable) {
  const Instance& inst = *ss.inst;
  Day d = ss.day;
  Rng prof(mix(seed, hash_str(inst.id)));
  const double cpu0 = prof.range(5, 55), net0 = prof.range(1e6, 5e8), pkt = prof.range(600, 1400);
  const double ebs_r = prof.range(1e5, 5e7), ebs_w = prof.range(1e5, 8e7);
  const double amp = prof.range(0.2, 0.5), phase = prof.range(11, 16);
  Incidents in = incidents_for(seed, ServiceType::EC2, stable_index(inst), n_stable, d);
  Rng day(mix(mix(seed, hash_str(inst.id)), uint64_t(dn(d))));
  const double day_level = 1.0 + 0.05 * day.normal();
  const double weekend = d.weekday() >= 5 ? 0.9 : 1.0;
  size_t first = ss.out.size();
  double* cpu = ss.add("CPUUtilization");
  double* nin = ss.add("NetworkIn");
  double* nout = ss.add("NetworkOut");
  double* pin = ss.add("NetworkPacketsIn");
  double* pout = ss.add("NetworkPacketsOut");
  double* chk = ss.add("StatusCheckFailed");
  double* er = ss.add("EBSReadBytes");
  double* ew = ss.add("EBSWriteBytes");
  for (int k = 0; k < SimulatedFleet::kSamplesPerDay; ++k) {
    double hour = k * SimulatedFleet::kStepSeconds / 3600.0;
    double t = traffic(hour, amp, phase, weekend, day_level);
    cpu[k] = std::clamp(
        cpu0 * t * (1 + 0.07 * day.normal()) + (in.cpu_spike && hour >= 6 && hour < 20 ? 40 : 0),
        0.1, 100.0);
    nin[k] = std::max(0.0, net0 * t * (1 + 0.08 * day.normal()));
    nout[k] = std::max(0.0, net0 * 0.7 * t * (1 + 0.08 * day.normal()));
    pin[k] = nin[k] / pkt;
    pout[k] = nout[k] / pkt;
    chk[k] = 0;
    er[k] = std::max(0.0, ebs_r * t * (1 + 0.1 * day.normal()));
    ew[k] = std::max(0.0, ebs_w * t * (1 + 0.1 * day.normal()));
  }
  drop_samples(ss.out, first, day, false);
}

int stable_count(ServiceType svc, const SimulationConfig& c) {
  switch (svc) {
    case ServiceType::REDIS:
      return c.redis_instances >= 10 ? c.redis_instances - kChurnSlots : c.redis_instances;
    case ServiceType::RDS:
      return c.rds_instances;
    case ServiceType::EC2:
      return c.ec2_instances;
    default:
      return 0;
  }
}

}  // namespace

std::vector<Instance> SimulatedFleet::discover(Day d, std::span<const ServiceType> services) {
  std::vector<Instance> out;
  const std::string region = "us-east-1";
  for (ServiceType svc : services) {
    int n_stable = stable_count(svc, cfg_);
    if (svc == ServiceType::REDIS) {
      for (int i = 0; i < cfg_.redis_instances; ++i) {
        Instance inst;
        inst.service = svc;
        inst.region = region;
        inst.source = "simulate";
        if (i < n_stable) {
          inst.id = numbered("redis", kRedisRoles[i % 10], i / 10 + 1);
          inst.tags["sim_index"] = std::to_string(i);
        } else {
          int slot = i - n_stable;
          int gen = cycle_no(d, kLifespan, slot * 14);
          char buf[64];
          std::snprintf(buf, sizeof buf, "redis-edge-%d-g%d", slot + 1, gen);
          inst.id = buf;
          inst.tags["lifecycle"] = "replaced every 42 days";
        }
        Rng prof(mix(cfg_.seed ^ 0x5eed, hash_str(inst.id)));
        inst.name = inst.id;
        inst.engine = "redis 7.0";
        const char* classes[] = {"cache.r6g.large", "cache.r6g.xlarge", "cache.m6g.large"};
        inst.instance_class = classes[prof.next() % 3];
        // one stable instance runs without maxmemory: it has no memory_usage_pct
        inst.max_memory_bytes = (i == 5) ? 0 : double(1ULL << 30) * double(2 + prof.next() % 15);
        inst.tags["role"] = i < n_stable ? kRedisRoles[i % 10] : "edge";
        out.push_back(std::move(inst));
      }
    } else if (svc == ServiceType::RDS) {
      for (int i = 0; i < cfg_.rds_instances; ++i) {
        Instance inst;
        inst.service = svc;
        inst.region = region;
        inst.source = "simulate";
        inst.id = numbered("rds", kRdsApps[i % 8], i / 8 + 1);
        inst.name = inst.id;
        Rng prof(mix(cfg_.seed ^ 0x5eed, hash_str(inst.id)));
        const char* classes[] = {"db.r6g.large", "db.r6g.xlarge", "db.m6g.2xlarge"};
        inst.instance_class = classes[prof.next() % 3];
        inst.engine = (prof.next() % 2) ? "aurora-mysql 8.0" : "mysql 8.0";
        inst.allocated_storage_gb = double(100 * (1 + prof.next() % 20));
        inst.tags["sim_index"] = std::to_string(i);
        inst.tags["app"] = kRdsApps[i % 8];
        out.push_back(std::move(inst));
      }
    } else if (svc == ServiceType::EC2) {
      for (int i = 0; i < cfg_.ec2_instances; ++i) {
        Instance inst;
        inst.service = svc;
        inst.region = region;
        inst.source = "simulate";
        char buf[32];
        std::snprintf(
            buf, sizeof buf, "i-%017llx",
            static_cast<unsigned long long>(mix(cfg_.seed, uint64_t(i)) & 0xfffffffffffffffULL));
        inst.id = buf;
        inst.name = numbered("ec2", "app", i + 1);
        inst.instance_class = "m6i.large";
        inst.engine = "linux";
        inst.tags["sim_index"] = std::to_string(i);
        inst.tags["Name"] = inst.name;
        out.push_back(std::move(inst));
      }
    }
    (void)n_stable;
  }
  return out;
}

std::vector<RawSeries> SimulatedFleet::collect_series(Day d, ServiceType svc,
                                                      std::span<const Instance> instances) {
  SeriesSet ss{{}, nullptr, d};
  ss.out.reserve(instances.size() * 14);
  int n_stable = stable_count(svc, cfg_);
  for (const Instance& inst : instances) {
    if (inst.service != svc || inst.source != "simulate") continue;
    ss.inst = &inst;
    switch (svc) {
      case ServiceType::REDIS:
        gen_redis(ss, cfg_.seed, n_stable);
        break;
      case ServiceType::RDS:
        gen_rds(ss, cfg_.seed, n_stable);
        break;
      case ServiceType::EC2:
        gen_ec2(ss, cfg_.seed, n_stable);
        break;
      default:
        break;
    }
  }
  return std::move(ss.out);
}

}  // namespace im::collect
