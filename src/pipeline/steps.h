// Internal to pipeline/: the working state of one run and the 14 step bodies.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "collect/source.h"
#include "core/catalog.h"
#include "pipeline/pipeline.h"
#include "scoring/scoring.h"

namespace im::pipeline {

struct Context {
  Context(const Settings& s, store::Store& st, const Sources& src, Day d, std::string id, bool dry,
          std::function<void(const std::function<void()>&)> writer)
      : settings(s),
        out(st),
        history(st),
        sources(src),
        day(d),
        run_id(std::move(id)),
        dry_run(dry),
        writer_(std::move(writer)) {}

  const Settings& settings;
  store::PipelineWriter& out;     // only inside write()
  store::HistoryReader& history;  // anywhere
  const Sources& sources;
  Day day;
  std::string run_id;
  bool dry_run = false;
  std::vector<ServiceType> services;  // the services this run covers

  // A step's writes, in one short transaction opened here and committed (rolled back on a dry
  // run, an exception or a signal to stop) before write() returns. A step does its network and
  // compute first: no transaction is held while a source answers.
  void write(const std::function<void()>& writes) { writer_(writes); }

  // The binding that collects `s` (steps 3-5); null when none does.
  const SourceBinding* samples_for(ServiceType s) const;
  std::string why_unavailable(ServiceType s) const;

  // What the steps hand on, in step order.
  std::optional<std::vector<Instance>> inventory;     // 1
  std::vector<RawSeries> raw;                         // 3-5
  std::vector<SourceDaily> raw_daily;                 // 3-5: statistics of the whole day
  bool collected = false;                             // some of 3-5 ran
  std::vector<MetricSeries> normalized;               // 6
  std::vector<DailyMetric> normalized_daily;          // 6: from raw_daily
  std::optional<std::vector<DailyMetric>> daily;      // 7
  std::vector<scoring::SeriesHistory> series;         // 9
  scoring::ScoredSeries scored;                       // 10
  std::map<InstanceKey, spc::InstanceGrades> grades;  // 12
  bool health_done = false;                           // 12
  int log_rows_written = 0;                           // rows this run wrote to the step log

  bool covers(ServiceType s) const;

 private:
  std::function<void(const std::function<void()>&)> writer_;
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
