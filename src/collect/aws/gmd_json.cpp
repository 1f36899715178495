#include "collect/aws/gmd_json.h"

#include <simdjson.h>

#include <cmath>

namespace im::collect::aws {

namespace {

namespace od = simdjson::ondemand;

// A member of an object being read, or the error that stopped the reading.
od::field member_of(simdjson::simdjson_result<od::field>&& r) {
  od::field f;
  if (auto e = std::move(r).get(f)) throw simdjson::simdjson_error(e);
  return f;
}

// What stopped the reading, in the words of the collector's messages.
std::string reason(simdjson::error_code e) {
  switch (e) {
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
    case simdjson::TAPE_ERROR:
      return "cut short, or text after the answer";
    case simdjson::INCORRECT_TYPE:
      return "a value of the wrong type";
    case simdjson::UNCLOSED_STRING:
      return "a string is never closed";
    case simdjson::EMPTY:
      return "no JSON at all";
    default:
      return simdjson::error_message(e);
  }
}

// The array of member `f` of a result, each element a number, into `out`.
template <class T, class Convert>
void numbers(od::field& f, std::vector<T>& out, Convert convert) {
  for (auto item : f.value().get_array()) out.push_back(convert(item.get_double().value()));
}

}  // namespace

std::string scan_get_metric_data(std::string_view json,
                                 const std::function<void(GmdResult&)>& on_result,
                                 std::string& next_token) {
  next_token.clear();
  const simdjson::padded_string text(json);
  thread_local od::parser parser;  // its buffers are kept from one answer to the next
  GmdResult res;
  od::document doc;
  if (auto e = parser.iterate(text).get(doc)) return reason(e);
  try {
    for (auto member : doc.get_object()) {
      od::field m = member_of(std::move(member));
      const std::string_view key = m.unescaped_key();
      if (key == "NextToken") {
        if (!m.value().is_null()) next_token = std::string_view(m.value().get_string());
      } else if (key == "MetricDataResults") {
        for (auto result : m.value().get_array()) {
          res.id.clear();
          res.timestamps.clear();
          res.values.clear();
          for (auto part : result.get_object()) {
            od::field f = member_of(std::move(part));
            const std::string_view name = f.unescaped_key();
            if (name == "Id")
              res.id = std::string_view(f.value().get_string());
            else if (name == "Timestamps")
              numbers(f, res.timestamps, [](double t) { return std::llround(t); });
            else if (name == "Values")
              numbers(f, res.values, [](double v) { return v; });
          }
          on_result(res);
        }
      }
    }
    const char* after = nullptr;
    if (doc.current_location().get(after) == simdjson::SUCCESS)
      return "text after the answer at byte " + std::to_string(after - text.data());
  } catch (const simdjson::simdjson_error& e) {
    std::string why = reason(e.error());
    const char* at = nullptr;  // where the reading stopped, when simdjson can say
    if (doc.current_location().get(at) == simdjson::SUCCESS)
      why += " at byte " + std::to_string(at - text.data());
    return why;
  }
  return "";
}

}  // namespace im::collect::aws
