// What the pipeline tests share: a fixed day and clock, a SQLite URL, a step's result.
#pragma once

#include <string>

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

inline const StepResult& step(const DayResult& d, int num) {
  return d.steps.at(static_cast<size_t>(num - 1));
}

}  // namespace im::pipeline::test_fixture
