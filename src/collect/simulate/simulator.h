// A deterministic simulated fleet (source: simulate). Every value is a pure function of
// (seed, instance, UTC day): any day can be generated alone, in any order, and always
// gives the same samples. Incidents recur on fixed cycles of absolute days, so every day
// has some, on instances that change from cycle to cycle (see docs/architecture.md).
#pragma once

#include <cstdint>

#include "collect/source.h"

namespace im::collect {

struct SimulationConfig {
  uint64_t seed = 42;
  int redis_instances = 76;
  int rds_instances = 62;
  int ec2_instances = 20;
};

class SimulatedFleet final : public InventorySource, public SampleSource {
 public:
  explicit SimulatedFleet(SimulationConfig cfg) : cfg_(cfg) {}

  std::vector<Instance> discover(Day day, std::span<const ServiceType> services) override;
  Collected collect(Day day, ServiceType service, std::span<const Instance> instances) override {
    return {collect_series(day, service, instances), {}, {}, {}, {}};
  }
  // The day's raw series of `instances` (what collect() returns in `series`).
  std::vector<RawSeries> collect_series(Day day, ServiceType service,
                                        std::span<const Instance> instances);

  static constexpr int32_t kStepSeconds = 300;
  static constexpr int kSamplesPerDay = 86400 / kStepSeconds;

 private:
  SimulationConfig cfg_;
};

}  // namespace im::collect
