// Steps 6-7: source series -> catalog metrics (units, counters -> per-second rates,
// derived ratios) -> one daily aggregate per series over exactly one UTC day.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "core/records.h"
#include "core/types.h"

namespace im::transform {

struct Normalized {
  std::vector<MetricSeries> series;
  std::vector<std::string> notes;  // e.g. "redis-x has maxmemory 0: no memory_usage_pct"
};

// Samples that cannot be measurements: +Inf, -Inf, or below zero (every catalog input is a
// count, a size, a duration or a percentage). Each becomes a missing sample (NaN), so a bad
// sample costs at most its own slot (and, when too many go, its series-day's coverage), never
// the fleet's day. Returns how many were dropped.
size_t drop_impossible_samples(RawSeries& s);
// The same check of a source's statistics of the day (CloudWatch): false when any of avg,
// min, max or p95 is not finite or is negative; the series-day is then not used.
bool plausible(const SourceDaily& d);

// Normalizes the raw series of one day. `inventory` supplies what the samples lack
// (allocated storage for free_storage_pct). Series of unknown instances still normalize.
Normalized normalize(std::span<const RawSeries> raw, std::span<const Instance> inventory);

// Per-second rate of a counter sampled on a fixed grid, with resets handled as Prometheus
// does (a drop means the counter restarted from zero). rate[k] covers (t[k-1], t[k]];
// rate[0] and samples after a gap longer than `max_gap_steps` are NaN.
std::vector<double> counter_rate(std::span<const double> counter, int32_t step_seconds,
                                 int max_gap_steps = 3);

using im::quantile_sorted;  // core/types.h

// Aggregates one series over [day 00:00, day+1 00:00) UTC. Returns false when the day
// holds no sample (no row is stored for it, never a zero). Values that are not finite (a
// ratio over a near-zero denominator) count as missing; when their sum overflows, the mean is
// accumulated as a running mean instead.
bool aggregate_day(const MetricSeries& s, Day day, DailyMetric& out);

// Aggregates every series; units and sources come from the catalog.
std::vector<DailyMetric> aggregate(std::span<const MetricSeries> series, Day day);

// What the collection steps (3-5) hand to step 6: a day of source series and a source's own
// statistics of the day.
struct CollectedDay {
  std::vector<RawSeries> series;
  std::vector<SourceDaily> daily;
};

// What step 6 hands to step 7: catalog metrics as series, and as day rows where the source
// aggregated itself (CloudWatch's statistics).
struct NormalizedDay {
  std::vector<MetricSeries> series;
  std::vector<DailyMetric> daily;
  size_t impossible = 0;             // samples dropped as not finite or negative
  std::vector<std::string> dropped;  // one line per series that lost samples (a warning)
  std::vector<std::string> notes;    // what could not be derived (information)
};

// Step 6 of a day: drops impossible samples, normalizes `collected` one instance at a time
// (freeing its raw samples as soon as they are done: the day's raw and normalized samples never
// have to fit in memory together), and derives the catalog rows of the source statistics.
NormalizedDay normalize_day(CollectedDay collected, Day day, std::span<const Instance> inventory);

// Statistics a source computed over the whole day (CloudWatch) -> catalog metrics of `day`.
// Only GAUGE (× scale) and STORAGE_PCT (100 × value / allocated storage) metrics can be
// derived this way: both are increasing linear maps, so avg, min, max and p95 map through
// them exactly. Notes say what could not be derived.
std::vector<DailyMetric> normalize_daily(std::span<const SourceDaily> daily, Day day,
                                         std::span<const Instance> inventory,
                                         std::vector<std::string>& notes);

}  // namespace im::transform
