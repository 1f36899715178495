#include "collect/curl_util.h"

#include <curl/curl.h>

#include <mutex>
#include <string>

#include "core/stop.h"

namespace im::collect {

void curl_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t append_to_string(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

namespace {
int stop_progress(void*, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return stop_signal() != 0 ? 1 : 0;  // non-zero aborts the transfer
}
}  // namespace

void abort_on_stop(void* curl) {
  CURL* c = static_cast<CURL*>(curl);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, stop_progress);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
}

}  // namespace im::collect
