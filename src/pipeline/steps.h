// Internal to pipeline/: the working state of one run and the 14 step bodies.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "collect/source.h"
#include "core/catalog.h"
#include "pipeline/pipeline.h"
#include "spc/spc.h"

namespace im::pipeline {

// One series scored on the run's day: its day row, its history of day values, its baseline.
struct SeriesWork {
  DailyMetric today;
  const MetricDef* def = nullptr;
  std::vector<spc::DayValue> history;  // day values before the day, ascending
  spc::Baseline baseline;
};

struct Context {
  const Settings& settings;
  store::Store& store;
  Day day;
  std::string run_id;
  bool dry_run = false;
  std::vector<ServiceType> services;  // the services this run covers

  // Sources; null when not configured for this run (the steps then SKIP with a reason).
  collect::InventorySource* inventory_source = nullptr;
  collect::SampleSource* sample_source = nullptr;
  std::string source_name;        // written to infra_metric_daily.source
  std::string unconfigured_why;   // why sources are null

  // What the steps hand on, in step order.
  std::optional<std::vector<Instance>> inventory;   // 1
  std::vector<RawSeries> raw;                       // 3-5
  bool collected = false;                           // some of 3-5 ran
  std::vector<MetricSeries> normalized;             // 6
  std::optional<std::vector<DailyMetric>> daily;    // 7
  std::vector<SeriesWork> series;                   // 9
  std::vector<store::AnomalyScoreRow> scores;       // 10
  int log_rows_written = 0;                         // rows this run wrote to the step log

  bool covers(ServiceType s) const;
};

struct StepDef {
  int num;
  std::string_view name;
  std::vector<int> needs_all;  // a FAILED one of these skips this step
  std::vector<int> needs_any;  // skipped only when every one of these FAILED
  StepFn fn;
};

const std::vector<StepDef>& step_definitions();

}  // namespace im::pipeline
