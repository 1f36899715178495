// What the pipeline asks of a data source. Sources know their APIs, never the database.
#pragma once

#include <span>
#include <vector>

#include "core/types.h"

namespace im::collect {

// Step 1: which instances exist on a day.
class InventorySource {
 public:
  virtual ~InventorySource() = default;
  virtual std::vector<Instance> discover(Day day, std::span<const ServiceType> services) = 0;
};

// Steps 3-5: the raw samples of one UTC day, [day 00:00, day+1 00:00), for the given
// instances of one service, as source series (exporter or CloudWatch names).
class SampleSource {
 public:
  virtual ~SampleSource() = default;
  virtual std::vector<RawSeries> collect(Day day, ServiceType service,
                                         std::span<const Instance> instances) = 0;
};

}  // namespace im::collect
