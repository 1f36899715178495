// Internal to pipeline/: the working state of one run and the 14 step bodies.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "collect/prometheus/redis_source.h"
#include "collect/source.h"
#include "core/catalog.h"
#include "pipeline/pipeline.h"
#include "spc/spc.h"

namespace im::pipeline {

// A catalog metric with the configuration's per-metric overrides applied.
struct EffectiveMetric {
  const MetricDef* def = nullptr;
  Stat spc_stat = Stat::AVG;
  spc::MetricRules rules;
};
EffectiveMetric effective_metric(const Settings& s, const MetricDef& def);

// One series on the run's day: its day row and the history the engine needs.
struct SeriesWork {
  DailyMetric today;
  EffectiveMetric metric;
  std::vector<spc::DayValue> history;  // day values before the day, ascending
  std::vector<spc::PastScore> past;    // previous scored days, ascending
  spc::Baseline baseline;
};

struct Context {
  Context(const Settings& s, store::Store& st, Day d, std::string id, bool dry)
      : settings(s), store(st), day(d), run_id(std::move(id)), dry_run(dry) {}

  const Settings& settings;
  store::Store& store;
  Day day;
  std::string run_id;
  bool dry_run = false;
  std::vector<ServiceType> services;  // the services this run covers

  // Where each service's instances and samples come from. A service no source covers is
  // SKIPPED by the steps with the reason in `unavailable`.
  struct Source {
    collect::InventorySource* inventory = nullptr;
    collect::SampleSource* samples = nullptr;
    std::string name;  // infra_metric_daily.source and infra_fleet_inventory.source
    std::vector<ServiceType> services;
    int grace_days = 0;        // days unseen before an instance is DECOMMISSIONED
    std::string metrics_name;  // infra_metric_daily.source ("" = name)
    // What p95 of this source's raw series is (DailyMetric::p95_method).
    std::string series_p95_method = "samples";
  };
  std::vector<Source> sources;
  std::map<ServiceType, std::string> unavailable;
  collect::prometheus::RedisSource* prometheus = nullptr;  // step 2; null: not configured
  std::string prometheus_why;                              // why it is null
  const Source* source_for(ServiceType s) const;
  std::string why_unavailable(ServiceType s) const;

  // What the steps hand on, in step order.
  std::optional<std::vector<Instance>> inventory;     // 1
  std::vector<RawSeries> raw;                         // 3-5
  std::vector<SourceDaily> raw_daily;                 // 3-5: statistics of the whole day
  bool collected = false;                             // some of 3-5 ran
  std::vector<MetricSeries> normalized;               // 6
  std::vector<DailyMetric> normalized_daily;          // 6: from raw_daily
  std::optional<std::vector<DailyMetric>> daily;      // 7
  std::vector<SeriesWork> series;                     // 9
  std::vector<spc::SeriesFinding> findings;           // 10
  std::vector<store::AnomalyScoreRow> scores;         // 10
  std::map<std::string, spc::InstanceGrades> grades;  // 12, keyed "SERVICE/instance"
  bool health_done = false;                           // 12
  int log_rows_written = 0;                           // rows this run wrote to the step log

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
