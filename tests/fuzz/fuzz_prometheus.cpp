// The Prometheus HTTP API answer parser: any body must give a result (bad series refused one by
// one) or a SourceError naming the query; never a crash or another exception.
#include <cstdint>
#include <string>

#include "collect/prometheus/client.h"
#include "core/types.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  try {
    im::collect::prometheus::parse_query_response(body, "query `fuzz`");
  } catch (const im::SourceError&) {
  }
  return 0;
}
