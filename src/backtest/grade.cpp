#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "backtest/backtest.h"
#include "core/text_safety.h"
#include "core/types.h"

namespace im::backtest {

namespace {

[[noreturn]] void refuse(const std::string& name, const std::string& where,
                         const std::string& what) {
  throw UsageError("labelled incidents " + name + (where.empty() ? "" : ", " + where) + ": " +
                   what);
}

Day day_of(const std::string& text, const std::string& name, const std::string& where,
           const char* field) {
  auto d = Day::parse(text);
  if (!d)
    refuse(name, where,
           std::string(field) + " \"" + escape_control(text.substr(0, 40)) +
               "\" is not a date (YYYY-MM-DD)");
  return *d;
}

void check_order(const Incident& i, const std::string& name, const std::string& where) {
  if (i.last < i.first)
    refuse(name, where, "last day " + i.last.str() + " is before first day " + i.first.str());
  if (i.metrics.empty()) refuse(name, where, "no metric");
  if (i.instance.empty()) refuse(name, where, "no instance");
}

// The labelled fleet's TRUTH.json.
Truth parse_json(std::string_view text, const std::string& name) {
  const auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    refuse(name, "", "neither CSV with an instance,metrics,first_day,last_day header nor JSON");
  if (!doc.contains("incidents") || !doc["incidents"].is_array())
    refuse(name, "", "the JSON has no \"incidents\" list");
  Truth t;
  auto text_of = [&](const nlohmann::json& o, const char* key, const std::string& where) {
    if (!o.contains(key) || !o[key].is_string())
      refuse(name, where, std::string("\"") + key + "\" is missing or not text");
    return o[key].get<std::string>();
  };
  size_t n = 0;
  for (const auto& item : doc["incidents"]) {
    const std::string where = "incident " + std::to_string(++n);
    if (!item.is_object()) refuse(name, where, "not an object");
    Incident i;
    i.id = item.contains("id") && item["id"].is_string() ? item["id"].get<std::string>() : where;
    i.kind =
        item.contains("type") && item["type"].is_string() ? item["type"].get<std::string>() : "";
    i.instance = text_of(item, "instance", where);
    i.first = day_of(text_of(item, "start_day", where), name, where, "start_day");
    i.last = day_of(text_of(item, "end_day", where), name, where, "end_day");
    if (!item.contains("metrics") || !(item["metrics"].is_object() || item["metrics"].is_array()))
      refuse(name, where, "\"metrics\" is missing (an object or a list of metric names)");
    for (const auto& m : item["metrics"].items()) {
      if (item["metrics"].is_array() && !m.value().is_string())
        refuse(name, where, "a metric name is not text");
      i.metrics.insert(item["metrics"].is_object() ? m.key() : m.value().get<std::string>());
    }
    check_order(i, name, i.id);
    t.incidents.push_back(std::move(i));
  }
  if (doc.contains("controls") && doc["controls"].is_array())
    for (const auto& c : doc["controls"])
      if (c.is_string()) t.controls.insert(c.get<std::string>());
  if (doc.contains("metrics") && doc["metrics"].is_object())
    for (const auto& [m, dir] : doc["metrics"].items()) t.metrics.insert(m);
  if (doc.contains("instances") && doc["instances"].is_object())
    for (const auto& [inst, info] : doc["instances"].items()) t.instances.insert(inst);
  return t;
}

std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(line);
  while (std::getline(in, item, sep)) {
    while (!item.empty() && (item.back() == ' ' || item.back() == '\r')) item.pop_back();
    size_t b = 0;
    while (b < item.size() && item[b] == ' ') ++b;
    out.push_back(item.substr(b));
  }
  if (!line.empty() && line.back() == sep) out.emplace_back();
  return out;
}

// CSV: instance,metrics,first_day,last_day[,kind][,id] in any column order, named by a header.
Truth parse_csv(std::string_view text, const std::string& name) {
  std::istringstream in{std::string(text)};
  std::string line;
  int line_no = 0;
  std::map<std::string, size_t> col;
  Truth t;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const auto cells = split(line, ',');
    const std::string where = "line " + std::to_string(line_no);
    if (col.empty()) {
      for (size_t k = 0; k < cells.size(); ++k) col[cells[k]] = k;
      for (const char* need : {"instance", "metrics", "first_day", "last_day"})
        if (!col.count(need))
          refuse(name, where,
                 std::string("the header has no \"") + need +
                     "\" column (expected instance,metrics,first_day,last_day[,kind][,id])");
      continue;
    }
    if (cells.size() != col.size())
      refuse(name, where,
             std::to_string(cells.size()) + " fields where the header has " +
                 std::to_string(col.size()));
    auto cell = [&](const char* c) { return col.count(c) ? cells[col.at(c)] : std::string(); };
    Incident i;
    i.id = cell("id").empty() ? where : cell("id");
    i.kind = cell("kind");
    i.instance = cell("instance");
    i.first = day_of(cell("first_day"), name, where, "first_day");
    i.last = day_of(cell("last_day"), name, where, "last_day");
    for (const auto& m : split(cell("metrics"), ';'))
      if (!m.empty()) i.metrics.insert(m);
    check_order(i, name, where);
    t.incidents.push_back(std::move(i));
  }
  if (col.empty()) refuse(name, "", "empty: no header and no incident");
  return t;
}

bool warning_plus(Severity s) {
  return s >= Severity::WARNING;
}

}  // namespace

Truth parse_truth(std::string_view text, const std::string& name) {
  size_t b = 0;
  while (b < text.size() && std::isspace(static_cast<unsigned char>(text[b]))) ++b;
  return b < text.size() && text[b] == '{' ? parse_json(text, name) : parse_csv(text, name);
}

int Report::within(int days) const {
  int n = 0;
  for (int d = 0; d <= days && d < 3; ++d) n += detected_by_day[d];
  return n;
}
double Report::recall(int days) const {
  return incidents ? static_cast<double>(within(days)) / incidents : NAN;
}
double Report::false_per_1000() const {
  return scored_series_days ? 1000.0 * false_alerts / static_cast<double>(scored_series_days) : NAN;
}
double Report::false_per_1000_controls() const {
  return control_series_days ? 1000.0 * false_on_controls / static_cast<double>(control_series_days)
                             : NAN;
}
double Report::critical_precision() const {
  return critical_plus ? static_cast<double>(critical_plus_true) / critical_plus : NAN;
}
double Report::alerts_per_day() const {
  int n = 0;
  for (const auto& [sev, count] : alerts_by_severity) n += count;
  const int days = last - first + 1;
  return days > 0 ? static_cast<double>(n) / days : NAN;
}

Report grade(const Truth& truth, std::span<const Alert> alerts,
             std::span<const AnomalyScoreRow> scores, Day first, Day last) {
  if (last < first)
    throw UsageError("backtest: the range ends (" + last.str() + ") before it starts (" +
                     first.str() + ")");
  Report r;
  r.first = first;
  r.last = last;
  auto graded = [&](const std::string& metric) {
    return truth.metrics.empty() || truth.metrics.count(metric) > 0;
  };
  auto in_range = [&](Day d) { return !(d < first) && !(last < d); };

  std::set<std::string> seen;  // instances the scores mention
  for (const auto& s : scores) {
    seen.insert(s.instance_id);
    if (!s.z || !in_range(s.date) || !graded(s.metric)) continue;
    ++r.scored_series_days;
    if (truth.controls.count(s.instance_id)) ++r.control_series_days;
  }
  for (const auto& i : truth.incidents) {
    const bool known = truth.instances.empty() ? seen.count(i.instance) > 0
                                               : truth.instances.count(i.instance) > 0;
    if (!known)
      throw UsageError("backtest: incident " + i.id + " names instance \"" +
                       escape_control(i.instance) +
                       "\", which the stored scores of the range do not have (another fleet, "
                       "or another range?)");
  }

  // Incidents by instance, for the truth of an alert.
  std::map<std::string, std::vector<const Incident*>> by_instance;
  for (const auto& i : truth.incidents) by_instance[i.instance].push_back(&i);
  auto is_true = [&](const Alert& a) {
    auto it = by_instance.find(a.instance_id);
    if (it == by_instance.end()) return false;
    for (const Incident* i : it->second)
      if (i->metrics.count(a.metric) && !(a.date < i->first) && !(i->last + 2 < a.date))
        return true;
    return false;
  };

  std::map<const Incident*, int> first_alert;  // days after the incident's first day
  for (const auto& a : alerts) {
    if (!in_range(a.date)) continue;
    r.alerts_by_severity[a.severity]++;
    if (a.alert_type == AlertType::HEALTH || !warning_plus(a.severity) || !graded(a.metric))
      continue;
    const bool real = is_true(a);
    if (a.severity >= Severity::CRITICAL) {
      ++r.critical_plus;
      r.critical_plus_true += real;
    }
    if (!real) {
      ++r.false_alerts;
      r.false_on_controls += truth.controls.count(a.instance_id) > 0;
      r.false_by_metric[a.metric]++;
      r.false_by_type[a.alert_type]++;
      continue;
    }
    for (const Incident* i : by_instance[a.instance_id]) {
      if (!i->metrics.count(a.metric) || a.date < i->first) continue;
      const int after = a.date - i->first;
      auto [it, fresh] = first_alert.try_emplace(i, after);
      if (!fresh) it->second = std::min(it->second, after);
    }
  }

  for (const auto& i : truth.incidents) {
    if (!in_range(i.first)) continue;  // graded only when it starts inside the range
    ++r.incidents;
    auto& kind = r.by_kind[i.kind.empty() ? "(no kind)" : i.kind];
    ++kind.second;
    auto it = first_alert.find(&i);
    if (it == first_alert.end()) {
      ++r.missed;
      r.missed_ids.push_back(i.id);
      continue;
    }
    if (it->second <= 2)
      ++r.detected_by_day[it->second];
    else
      ++r.detected_later;
    if (it->second <= 1) ++kind.first;
  }
  return r;
}

}  // namespace im::backtest
