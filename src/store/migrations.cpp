#include "store/migrations.h"

#include <cctype>

#include "core/text_safety.h"
#include "core/types.h"

namespace im::store {

namespace {

bool blank_or_comments(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    if (c == '#' || (c == '-' && i + 1 < s.size() && s[i + 1] == '-')) {
      while (i < s.size() && s[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      auto end = s.find("*/", i + 2);
      if (end == std::string_view::npos) return true;
      i = end + 1;
      continue;
    }
    return false;
  }
  return true;
}

}  // namespace

std::vector<std::string> split_sql_statements(std::string_view script) {
  std::vector<std::string> out;
  size_t start = 0, i = 0;
  auto flush = [&](size_t end) {
    std::string_view stmt = script.substr(start, end - start);
    if (!blank_or_comments(stmt)) out.emplace_back(stmt);
    start = end + 1;
  };
  while (i < script.size()) {
    char c = script[i];
    if (c == '\'' || c == '"' || c == '`') {
      // A quote ends at the same quote not escaped by a backslash (doubled quotes simply
      // close and reopen, which splits the same way).
      for (++i; i < script.size() && script[i] != c; ++i)
        if (script[i] == '\\' && c != '`') ++i;
      ++i;
    } else if (c == '#' || (c == '-' && i + 1 < script.size() && script[i + 1] == '-')) {
      while (i < script.size() && script[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < script.size() && script[i + 1] == '*') {
      auto end = script.find("*/", i + 2);
      i = end == std::string_view::npos ? script.size() : end + 2;
    } else if (c == ';') {
      flush(i);
      ++i;
    } else {
      ++i;
    }
  }
  if (start < script.size()) flush(script.size());
  return out;
}

const std::vector<std::string>& own_tables() {
  static const std::vector<std::string> tables = {
      "infra_fleet_inventory",       "infra_metric_daily",
      "infra_anomaly_scores",        "infra_health_scores",
      "infra_anomaly_alerts",        "infra_monitoring_pipeline_log",
      "infra_metric_daily_archive",  "infra_anomaly_scores_archive",
      "infra_health_scores_archive", "infra_anomaly_alerts_archive",
      "infra_run_lock_holder"};
  return tables;
}

void throw_foreign_tables(const std::string& where, const std::vector<std::string>& found) {
  std::string list;
  for (const auto& t : found) list += (list.empty() ? "" : ", ") + t;
  throw ConfigError("the database " + where + " has no infra-monitor schema but already holds " +
                    list +
                    ": tables that infra-monitor did not create. Use a database of its own (or "
                    "move those tables away); nothing was changed");
}

std::string statement_summary(std::string_view stmt, size_t max_chars) {
  std::string code;  // the statement without its comments
  for (size_t i = 0; i < stmt.size(); ++i) {
    if (stmt[i] == '#' || (stmt[i] == '-' && i + 1 < stmt.size() && stmt[i + 1] == '-')) {
      while (i < stmt.size() && stmt[i] != '\n') ++i;
      code += ' ';
      continue;
    }
    code += stmt[i];
  }
  return answer_excerpt(code, max_chars);
}

}  // namespace im::store
