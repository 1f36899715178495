#include "core/text_safety.h"

#include <cctype>
#include <cstdio>

namespace im {

namespace {

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

bool is_scheme_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
}

// The length of the well-formed UTF-8 sequence at `i` (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF), or 0.
size_t utf8_sequence(std::string_view t, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(t[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > t.size()) return 0;
  if (b(i + 1) < lo || b(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k)
    if (b(i + k) < 0x80 || b(i + k) > 0xBF) return 0;
  return n;
}

}  // namespace

std::string mask_url_credentials(std::string text) {
  for (size_t pos = text.find("://"); pos != std::string::npos; pos = text.find("://", pos + 3)) {
    if (pos == 0 || !is_scheme_char(text[pos - 1])) continue;
    const size_t auth = pos + 3;
    // The authority ends at the first '/', '?', '#' or white space; the user part at the
    // last '@' within it (a password may itself hold '@' when not percent-encoded).
    size_t end = auth;
    while (end < text.size() && text[end] != '/' && text[end] != '?' && text[end] != '#' &&
           !std::isspace(static_cast<unsigned char>(text[end])) && text[end] != '"' &&
           text[end] != '\'')
      ++end;
    const size_t at = text.rfind('@', end == 0 ? 0 : end - 1);
    if (at == std::string::npos || at < auth || at >= end) continue;
    const size_t colon = text.find(':', auth);
    if (colon == std::string::npos || colon > at) continue;
    if (text.compare(colon + 1, at - colon - 1, "***") == 0) continue;
    text.replace(colon + 1, at - colon - 1, "***");
  }
  return text;
}

std::string redact(std::string text, const std::vector<std::string>& secrets) {
  for (const auto& s : secrets) {
    if (s.empty()) continue;
    const bool whole_word_only = s.size() < kMinSubstringSecret;
    for (size_t pos = text.find(s); pos != std::string::npos;) {
      const size_t after = pos + s.size();
      const bool bounded = (pos == 0 || !is_word_char(text[pos - 1])) &&
                           (after >= text.size() || !is_word_char(text[after]));
      if (whole_word_only && !bounded) {
        pos = text.find(s, pos + 1);
        continue;
      }
      text.replace(pos, s.size(), "***");
      pos = text.find(s, pos + 3);
    }
  }
  return mask_url_credentials(std::move(text));
}

std::string escape_control(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) {  // a well-formed UTF-8 character passes; a stray byte is shown as \xNN
      if (const size_t n = utf8_sequence(text, i)) {
        out.append(text.substr(i, n));
        i += n - 1;
        continue;
      }
    } else if (u >= 0x20 && u != 0x7f) {
      out += c;
      continue;
    }
    switch (c) {
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default: {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", u);
        out += buf;
      }
    }
  }
  return out;
}

std::string answer_excerpt(std::string_view body, size_t max_chars) {
  std::string out;
  bool space = false;  // whitespace seen since the last character kept
  for (const char c : body) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) {
      space = !out.empty();
      continue;
    }
    if (out.size() + (space ? 2 : 1) > max_chars) return out + "...";
    if (space) out += ' ';
    out += c;
    space = false;
  }
  return out;
}

size_t invalid_utf8_at(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const size_t n = utf8_sequence(text, i);
    if (n == 0) return i;
    i += n;
  }
  return std::string_view::npos;
}

std::string replace_invalid_utf8(std::string_view text, size_t& replaced) {
  replaced = 0;
  size_t bad = invalid_utf8_at(text);
  if (bad == std::string_view::npos) return std::string(text);
  std::string out(text.substr(0, bad));
  for (size_t i = bad; i < text.size();) {
    const size_t n = utf8_sequence(text, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++replaced;
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string identifier_problem(std::string_view id) {
  if (id.empty()) return "it is empty";
  if (invalid_utf8_at(id) != std::string_view::npos ||
      id.find("\xEF\xBF\xBD") != std::string_view::npos)
    return "it is not valid UTF-8";
  size_t chars = 0;
  for (char c : id) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return "it holds a control character";
    if ((u & 0xC0) != 0x80) ++chars;  // count the first byte of each character
  }
  if (chars > kMaxIdentifierChars)
    return "it is " + std::to_string(chars) + " characters long (at most " +
           std::to_string(kMaxIdentifierChars) + ")";
  return "";
}

}  // namespace im
