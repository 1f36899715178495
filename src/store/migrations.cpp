#include "store/migrations.h"

#include <cctype>

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

}  // namespace im::store
