// What the HTTP clients of collect/ (Prometheus, AWS) share about libcurl.
#pragma once

#include <cstddef>

namespace im::collect {

// libcurl's global initialization, once per process, before the first handle is made.
void curl_init_once();

// A CURLOPT_WRITEFUNCTION that appends the body to the std::string given as CURLOPT_WRITEDATA.
size_t append_to_string(char* data, size_t size, size_t n, void* out);

}  // namespace im::collect
