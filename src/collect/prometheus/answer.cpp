// Reading the JSON answers of the Prometheus HTTP API with simdjson's On-Demand API: the
// samples go straight from the text into the series, with no document tree in between (a
// range-vector answer for 2,000 instances is ~20 MB; see docs/architecture.md for the figures).
#include <simdjson.h>

#include <charconv>
#include <exception>
#include <optional>

#include "collect/prometheus/client.h"
#include "core/text_safety.h"
#include "core/types.h"

namespace im::collect::prometheus {

namespace {

namespace od = simdjson::ondemand;

// What is wrong with one series (a label or a value of the wrong type, a sample that is not a
// pair): that series is refused alone, named with its labels.
struct SeriesError {
  std::string why;
};

// Errors about one value of well-formed JSON (of the wrong type, or an object without a member
// it needs). Any other error means the text is not JSON
// (truncated, an HTML page, ...): the whole answer is refused.
bool about_one_value(simdjson::error_code e) {
  return e == simdjson::INCORRECT_TYPE || e == simdjson::NUMBER_OUT_OF_RANGE ||
         e == simdjson::NO_SUCH_FIELD;
}

// The value of `r`; a wrong type becomes the series' refusal `why`, any other error ends the
// answer.
template <class T>
T take(simdjson::simdjson_result<T>&& r, const char* why) {
  T v;
  const auto e = std::move(r).get(v);
  if (e == simdjson::SUCCESS) return v;
  if (about_one_value(e)) throw SeriesError{why};
  throw simdjson::simdjson_error(e);
}

// A scalar's JSON text, for a message ("7", "true").
std::string token_text(od::value& v) {
  std::string_view t = v.raw_json_token();
  while (!t.empty() &&
         (t.back() == ' ' || t.back() == '\n' || t.back() == '\r' || t.back() == '\t'))
    t.remove_suffix(1);
  return std::string(t);
}

// Prometheus encodes sample values as strings: "1.5", "NaN", "+Inf", "-Inf".
double sample_value(od::value v) {
  std::string_view s;
  if (v.get_string().get(s)) throw SeriesError{"a sample value is not a string: " + token_text(v)};
  std::string_view digits = s;  // from_chars reads no leading '+' ("+Inf")
  if (digits.size() > 1 && digits[0] == '+' && digits[1] != '-') digits.remove_prefix(1);
  double d = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), d);
  if (ec != std::errc() || end != digits.data() + digits.size())
    throw SeriesError{"bad sample value '" + escape_control(std::string(s.substr(0, 40))) + "'"};
  return d;
}

// [time, "value"]
void read_sample(od::value p, double& t, double& v) {
  const char* const shape = "a sample is not [time, \"value\"]";
  od::array pair = take(p.get_array(), shape);
  int n = 0;
  for (auto item : pair) {
    od::value x = take(std::move(item), shape);
    if (n == 0) t = take(x.get_double(), shape);
    if (n == 1) v = sample_value(x);
    ++n;
  }
  if (n != 2) throw SeriesError{shape};
}

// {k="v", ...} for a message, control characters escaped and cut at 160 characters.
std::string shown(const std::string& labels) {
  std::string out = escape_control(labels);
  if (out.size() > 160) out = out.substr(0, 160) + "...";
  return "{" + out + "}";
}

// A series' labels: every value must be a string (the API's own form). `described` gets each
// label as k="v" (or k=<json> for one that is not a string) for a refusal's message.
Labels series_labels(od::value metric, std::string& described, std::string& error) {
  Labels out;
  od::object m;
  if (metric.get_object().get(m)) {
    error = "its \"metric\" is not an object of labels";
    return out;
  }
  for (auto f : m) {
    od::field field = take(std::move(f), "a label is malformed");
    const std::string key(take(field.unescaped_key(), "a label name is not a string"));
    od::value v = field.value();
    std::string_view text;
    described += (described.empty() ? "" : ", ") + key + "=";
    if (v.get_string().get(text) == simdjson::SUCCESS) {
      described += "\"" + std::string(text) + "\"";
      out[key] = std::string(text);
    } else {
      described += token_text(v);
      if (error.empty()) error = "label " + escape_control(key) + " is not a string";
    }
  }
  return out;
}

enum class ResultType { MATRIX, VECTOR };

// One element of data.result, into `r`; a malformed one becomes a refusal naming its labels.
void read_series(od::value item, ResultType type, QueryResult& r) {
  std::string described, error;
  Labels labels;
  Series s;
  Sample one;
  bool have_value = false;
  od::object obj;
  if (item.get_object().get(obj)) {
    r.rejected.push_back(shown("") + ": it is not an object");
    return;
  }
  for (auto f : obj) {
    od::field field = take(std::move(f), "a member is malformed");
    const std::string_view key = take(field.unescaped_key(), "a member name is not a string");
    if (key == "metric") {
      labels = series_labels(field.value(), described, error);
      continue;
    }
    const bool wanted = type == ResultType::MATRIX ? key == "values" : key == "value";
    if (!wanted || !error.empty()) continue;
    try {
      if (type == ResultType::VECTOR) {
        read_sample(field.value(), one.time, one.value);
        have_value = true;
        continue;
      }
      od::array values = take(field.value().get_array(), "its \"values\" is not a list");
      for (auto p : values) {
        double t = 0, v = 0;
        read_sample(take(std::move(p), "a sample is malformed"), t, v);
        s.times.push_back(t);
        s.values.push_back(v);
      }
    } catch (const SeriesError& e) {  // the rest of the series is skipped as it is read
      error = e.why;
    }
  }
  if (error.empty() && type == ResultType::VECTOR && !have_value)
    error = "a sample is not [time, \"value\"]";
  if (!error.empty()) {
    r.rejected.push_back(shown(described) + ": " + error);
  } else if (type == ResultType::MATRIX) {
    s.labels = std::move(labels);
    r.matrix.push_back(std::move(s));
  } else {
    one.labels = std::move(labels);
    r.vector.push_back(std::move(one));
  }
}

// Reads the JSON envelope of every API answer, {"status": "success"|"error", "data": ...,
// "warnings": [...]}, and hands `data` to `on_data`. Bytes that are not UTF-8 (a hostile or
// broken label) would make the whole answer unreadable: they become U+FFFD, the series holding
// them are refused where their labels are checked, and a warning says how many there were.
template <class OnData>
void read_envelope(const std::string& body, const std::string& what, OnData&& on_data,
                   std::vector<std::string>& warnings) {
  size_t not_utf8 = 0;
  const simdjson::padded_string text(replace_invalid_utf8(body, not_utf8));
  if (not_utf8)
    warnings.push_back(std::to_string(not_utf8) +
                       " byte(s) of the answer are not UTF-8 (read as U+FFFD)");
  const std::string not_json = "prometheus: " + what +
                               ": the answer is not JSON (truncated, or not a Prometheus "
                               "server?): " +
                               answer_excerpt(body);
  thread_local od::parser parser;  // its buffers are kept from one answer to the next
  try {
    od::document doc = parser.iterate(text);
    od::object root;
    if (doc.get_object().get(root)) throw SourceError(not_json);
    // One pass over the members, whatever their order, to the end: a cut answer is refused
    // whole, even when all it lost was its last brace.
    std::optional<std::string> status;
    std::string type = "unknown", error;
    bool have_data = false;
    std::exception_ptr data_error;
    for (auto f : root) {
      od::field field = take(std::move(f), "a member is malformed");
      const std::string_view key = take(field.unescaped_key(), "a member name is not a string");
      std::string_view text;
      if (key == "status" && field.value().get_string().get(text) == simdjson::SUCCESS) {
        status = std::string(text);
      } else if (key == "errorType" && field.value().get_string().get(text) == simdjson::SUCCESS) {
        type = std::string(text);
      } else if (key == "error" && field.value().get_string().get(text) == simdjson::SUCCESS) {
        error = std::string(text);
      } else if (key == "data" && status.value_or("success") == "success") {
        // Read as it comes; what is wrong with it counts only once "status" says success.
        try {
          on_data(field.value());
        } catch (const SourceError&) {
          data_error = std::current_exception();
        } catch (const SeriesError&) {
          data_error = std::current_exception();
        }
        have_data = true;
      } else if (key == "warnings") {
        od::array list;
        if (field.value().get_array().get(list) == simdjson::SUCCESS)
          for (auto w : list)
            if (w.get_string().get(text) == simdjson::SUCCESS) warnings.emplace_back(text);
      }
    }
    const char* after = nullptr;  // text after the answer's object
    if (doc.current_location().get(after) == simdjson::SUCCESS) throw SourceError(not_json);
    if (!status)
      throw SourceError("prometheus: " + what +
                        ": the answer has no \"status\": " + answer_excerpt(body));
    if (*status != "success") {
      const std::string message =
          "prometheus: " + what + " was refused (" + type + "): " + answer_excerpt(error);
      // Prometheus gives no code for this one: its error text is the only mark, read here once.
      if (type == "execution" && error.find("too many samples") != std::string::npos)
        throw QueryTooLargeError(message);
      throw SourceError(message);
    }
    if (!have_data) throw SourceError("prometheus: " + what + ": the answer has no \"data\"");
    if (data_error) std::rethrow_exception(data_error);
  } catch (const simdjson::simdjson_error&) {
    throw SourceError(not_json);
  } catch (const SeriesError& e) {  // outside a series: the answer's own shape is wrong
    throw SourceError("prometheus: " + what + ": " + e.why);
  }
}

}  // namespace

QueryResult parse_query_response(const std::string& body, const std::string& what) {
  QueryResult r;
  read_envelope(
      body, what,
      [&](od::value data) {
        const char* const shape = "the answer has no data.resultType string and data.result list";
        od::object d = take(data.get_object(), shape);
        const std::string_view type =
            take(d.find_field_unordered("resultType").get_string(), shape);
        if (type != "matrix" && type != "vector")
          throw SourceError("prometheus: " + what + ": unexpected result type '" +
                            escape_control(std::string(type)) + "'");
        const ResultType t = type == "matrix" ? ResultType::MATRIX : ResultType::VECTOR;
        od::array result = take(d.find_field_unordered("result").get_array(), shape);
        for (auto item : result) read_series(take(std::move(item), shape), t, r);
      },
      r.warnings);
  return r;
}

std::vector<Target> parse_targets_response(const std::string& body, const std::string& what) {
  std::vector<Target> out;
  std::vector<std::string> warnings;
  read_envelope(
      body, what,
      [&](od::value data) {
        const char* const shape = "data is not an object";
        od::object d = take(data.get_object(), shape);
        od::array active;
        if (d.find_field_unordered("activeTargets").get_array().get(active)) return;
        for (auto item : active) {
          od::value element = take(std::move(item), "a target is malformed");
          od::object t = take(element.get_object(), "a target is malformed: it is not an object");
          Target target{{}, "", "unknown", ""};
          for (auto f : t) {
            od::field field = take(std::move(f), "a target is malformed");
            const std::string_view key = take(field.unescaped_key(), "a target is malformed");
            std::string* text = key == "scrapeUrl"   ? &target.scrape_url
                                : key == "health"    ? &target.health
                                : key == "lastError" ? &target.last_error
                                                     : nullptr;
            if (text) {
              *text = take(field.value().get_string(),
                           "a target is malformed: a text member is not a string");
            } else if (key == "labels") {
              od::object labels;
              if (field.value().get_object().get(labels)) continue;
              for (auto l : labels) {  // labels that are not strings are left out
                od::field label = take(std::move(l), "a target is malformed");
                const std::string name(take(label.unescaped_key(), "a target is malformed"));
                std::string_view v;
                if (label.value().get_string().get(v) == simdjson::SUCCESS)
                  target.labels[name] = std::string(v);
              }
            }
          }
          out.push_back(std::move(target));
        }
      },
      warnings);
  return out;
}

}  // namespace im::collect::prometheus
