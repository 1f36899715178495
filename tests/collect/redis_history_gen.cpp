// Writes the synthetic Redis history (tests/collect/redis_history.h) as OpenMetrics for
// `promtool tsdb create-blocks-from openmetrics`:
//   redis_history_gen FILE [RECENT_INSTANCES [RECENT_DAYS]]
#include <cstdio>
#include <cstdlib>

#include "collect/redis_history.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: redis_history_gen FILE [RECENT_INSTANCES [RECENT_DAYS]]\n");
    return 2;
  }
  im::test::history::Spec spec;
  if (argc > 2) spec.recent_instances = std::atoi(argv[2]);
  if (argc > 3) spec.recent_days = std::atoi(argv[3]);
  std::FILE* out = std::fopen(argv[1], "w");
  if (!out) {
    std::perror(argv[1]);
    return 1;
  }
  im::test::history::write_openmetrics(spec, out);
  return std::fclose(out) == 0 ? 0 : 1;
}
