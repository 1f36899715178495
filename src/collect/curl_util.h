// What the HTTP clients of collect/ (Prometheus, AWS) share about libcurl.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/text_safety.h"

namespace im::collect {

// libcurl's global initialization, once per process, before the first handle is made.
void curl_init_once();

// A CURLOPT_WRITEFUNCTION that appends the body to the std::string given as CURLOPT_WRITEDATA.
size_t append_to_string(char* data, size_t size, size_t n, void* out);

// Makes a transfer of handle `curl` (a CURL*) end with CURLE_ABORTED_BY_CALLBACK soon after
// a signal asked the program to stop (core/stop.h), instead of waiting for its timeout.
void abort_on_stop(void* curl);

// answer_excerpt, the start of an answer for an error message on one line: core/text_safety.h.
using im::answer_excerpt;

}  // namespace im::collect
