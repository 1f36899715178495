#include <algorithm>
#include <cmath>

#include "spc/spc.h"

namespace im::spc {

std::optional<double> metric_health(const Finding& f) {
  std::optional<double> h;
  if (f.scored) {
    bool anomalous =
        f.harmful && (f.severity == Severity::WARNING || f.severity == Severity::CRITICAL);
    h = anomalous ? 100.0 - f.anomaly_score.value_or(0) : 100.0;
  }
  double cap = f.limit == Severity::EMERGENCY  ? 29
               : f.limit == Severity::CRITICAL ? 49
               : f.limit == Severity::WARNING  ? 69
                                               : 100;
  if (cap < 100) h = std::min(h.value_or(100.0), cap);
  return h;
}

Grade grade_of(double score) {
  if (score >= 90) return Grade::A;
  if (score >= 80) return Grade::B;
  if (score >= 70) return Grade::C;
  if (score >= 60) return Grade::D;
  return Grade::F;
}

HealthRow instance_health(std::span<const MetricHealthInput> metrics,
                          std::span<const double> previous) {
  HealthRow h;
  for (const auto& m : metrics) {
    auto mh = metric_health(*m.finding);
    if (!mh) continue;
    auto& dim = h.dimension[static_cast<int>(m.dimension)];
    dim = dim ? std::min(*dim, *mh) : *mh;
  }
  double sum = 0;
  int n = 0;
  for (const auto& d : h.dimension)
    if (d) sum += *d, ++n;
  if (n == 0) return h;
  h.health_score = std::round(sum / n * 10.0) / 10.0;
  h.grade = grade_of(*h.health_score);
  if (previous.size() >= 3) {
    double mean = 0;
    for (double v : previous) mean += v;
    mean /= double(previous.size());
    double delta = *h.health_score - mean;
    h.trend = delta >= 5 ? Trend::IMPROVING : delta <= -5 ? Trend::DEGRADING : Trend::STABLE;
  }
  return h;
}

}  // namespace im::spc
