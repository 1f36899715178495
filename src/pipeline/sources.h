// What a run reads from, handed to the pipeline by whoever assembles it (app/wiring.h for the
// program; a test, `backtest` or `serve` build their own). The pipeline never builds a source.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "collect/source.h"
#include "core/types.h"

namespace im::pipeline {

// One source and the services it answers for.
struct SourceBinding {
  std::string name;  // infra_fleet_inventory.source; infra_metric_daily.source unless metrics_name
  collect::InventorySource* inventory = nullptr;  // step 1
  std::vector<ServiceType> inventory_services;
  collect::SampleSource* samples = nullptr;  // steps 3-5
  std::vector<ServiceType> sample_services;
  int grace_days = 0;        // days unseen before an instance is DECOMMISSIONED
  std::string metrics_name;  // infra_metric_daily.source ("" = name)
  // What p95 of this source's raw series is (DailyMetric::p95_method).
  std::string series_p95_method = "samples";
};

struct Sources {
  std::vector<SourceBinding> bindings;  // in order of precedence (the first one wins a service)
  // Why a service no binding covers is not collected (said by the steps that skip it).
  std::map<ServiceType, std::string> unavailable;
  collect::HealthCheck* health = nullptr;  // step 2; null: nothing to check, for health_why
  std::string health_why;
  // The concrete sources the pointers above refer to, kept alive as long as the pipeline.
  std::vector<std::shared_ptr<void>> owned;
};

}  // namespace im::pipeline
