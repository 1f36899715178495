// The one-pass GetMetricData JSON scanner (AWS JSON 1.0): any text must give results or an
// error string; never a crash, a read past the input, or an exception.
#include <cstdint>
#include <string>
#include <string_view>

#include "collect/aws/gmd_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // A copy of exactly `size` bytes: ASan then catches any read past the answer's end.
  const std::string copy(reinterpret_cast<const char*>(data), size);
  std::string next;
  size_t results = 0;
  im::collect::aws::scan_get_metric_data(
      std::string_view(copy.data(), copy.size()),
      [&](im::collect::aws::GmdResult& r) { results += r.timestamps.size() + r.values.size(); },
      next);
  return 0;
}
