// What the pipeline tests share: a fixed day and clock, a SQLite URL, a step's result.
#pragma once

#include <string>

#include "app/wiring.h"
#include "core/clock.h"
#include "core/storage_url.h"
#include "pipeline/pipeline.h"

namespace im::pipeline::test_fixture {

inline const Day kDay = *Day::parse("2026-11-20");

// The wall clock of a daily run of kDay: 06:00 UTC the day after.
inline int64_t fixed_now() {
  return (kDay + 1).start_unix() + 6 * 3600;
}

inline StorageUrl sqlite_url(const std::string& path) {
  std::string why;
  return *parse_storage_url("sqlite://" + path, why);
}

// The system clock's waits (retries sleep for real) at a fixed time, or `sleep` instead (tests
// record the waits).
inline Clock test_clock(std::function<int64_t()> now, std::function<void(double)> sleep = {}) {
  Clock c = Clock::system();
  c.now = std::move(now);
  if (sleep) c.sleep = std::move(sleep);
  return c;
}

// A pipeline as the program assembles it (app/wiring.h), on `clock`.
inline Pipeline assemble(const Settings& s, store::Store& store, const Clock& clock) {
  return Pipeline(s, store, app::build_sources(s, process_environment(), clock), clock);
}

inline const StepResult& step(const DayResult& d, int num) {
  return d.steps.at(static_cast<size_t>(num - 1));
}

}  // namespace im::pipeline::test_fixture
