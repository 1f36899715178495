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
#include "transform/transform.h"

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

  // What each stage hands to the next, in step order: a stage's output is set when the step
  // that makes it ran (a step that finds its input unset is SKIPPED and says why), and a stage
  // takes its input by moving it out (step 6 frees the raw samples as it goes).
  std::optional<std::vector<Instance>> inventory;                    // 1 -> 3-5
  std::optional<transform::CollectedDay> collected;                  // 3-5 -> 6
  std::optional<transform::NormalizedDay> normalized;                // 6 -> 7
  std::optional<std::vector<DailyMetric>> daily;                     // 7 -> 8, 9
  std::optional<std::vector<scoring::SeriesHistory>> series;         // 9 -> 10
  std::optional<scoring::ScoredSeries> scored;                       // 10 -> 11, 12, 13
  std::optional<std::map<InstanceKey, spc::InstanceGrades>> grades;  // 12 -> 13
  int log_rows_written = 0;  // rows this run wrote to the step log

  bool covers(ServiceType s) const;

 private:
  std::function<void(const std::function<void()>&)> writer_;
};

// A step of the guide's table. `takes` is the data flow: the steps whose output (a Context
// stage field) this one takes, one of which must be selected with it (--steps); the body says
// SKIPPED, with the reason, when none of them made it. `needs_all`/`needs_any` are the guide's
// failure semantics: a FAILED step skips the steps that need it, including the ones that read
// what it wrote from the store (9 after 8) or whose calls it vouches for (3 after 2).
struct StepDef {
  int num;
  std::string_view name;
  std::vector<int> needs_all;  // a FAILED one of these skips this step
  std::vector<int> needs_any;  // skipped only when every one of these FAILED
  std::vector<int> takes;      // takes the in-memory output of one of these
  StepFn fn;
};

const std::vector<StepDef>& step_definitions();

}  // namespace im::pipeline
