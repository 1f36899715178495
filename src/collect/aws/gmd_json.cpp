#include "collect/aws/gmd_json.h"

#include <charconv>
#include <cmath>

namespace im::collect::aws {

namespace {

// A recursive-descent reader of just enough JSON: strings (with escapes), numbers, literals,
// objects and arrays; errors carry the byte offset.
class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}

  std::string error;
  bool ok() const { return error.empty(); }

  void ws() {
    while (p_ < s_.size() && (s_[p_] == ' ' || s_[p_] == '\n' || s_[p_] == '\r' || s_[p_] == '\t'))
      ++p_;
  }
  bool peek(char c) {
    ws();
    return p_ < s_.size() && s_[p_] == c;
  }
  bool expect(char c) {
    if (peek(c)) {
      ++p_;
      return true;
    }
    fail(std::string("expected '") + c + "'");
    return false;
  }
  void fail(const std::string& what) {
    if (error.empty()) error = what + " at byte " + std::to_string(p_);
  }

  // A string; its unescaped text in `out` (when given).
  bool string(std::string* out) {
    if (!expect('"')) return false;
    if (out) out->clear();
    std::string_view plain;
    if (plain_rest(plain)) {
      if (out) out->assign(plain);
      return true;
    }
    while (p_ < s_.size()) {
      const char c = s_[p_++];
      if (c == '"') return true;
      if (c != '\\') {
        if (out) *out += c;
        continue;
      }
      if (p_ >= s_.size()) break;
      const char e = s_[p_++];
      switch (e) {
        case 'n':
          if (out) *out += '\n';
          break;
        case 't':
          if (out) *out += '\t';
          break;
        case 'r':
          if (out) *out += '\r';
          break;
        case 'b':
          if (out) *out += '\b';
          break;
        case 'f':
          if (out) *out += '\f';
          break;
        case 'u': {
          if (p_ + 4 > s_.size()) return fail("bad \\u escape"), false;
          unsigned cp = 0;
          auto r = std::from_chars(s_.data() + p_, s_.data() + p_ + 4, cp, 16);
          if (r.ptr != s_.data() + p_ + 4) return fail("bad \\u escape"), false;
          p_ += 4;
          if (out) {  // UTF-8 (ids and tokens are ASCII; surrogates pass through as is)
            if (cp < 0x80) {
              *out += static_cast<char>(cp);
            } else if (cp < 0x800) {
              *out += static_cast<char>(0xC0 | (cp >> 6));
              *out += static_cast<char>(0x80 | (cp & 0x3F));
            } else {
              *out += static_cast<char>(0xE0 | (cp >> 12));
              *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
              *out += static_cast<char>(0x80 | (cp & 0x3F));
            }
          }
          break;
        }
        default:
          if (out) *out += e;  // \" \\ \/
      }
    }
    fail("unterminated string");
    return false;
  }

  bool number(double& v) {
    ws();
    const char* b = s_.data() + p_;
    const char* e = s_.data() + s_.size();
    auto r = std::from_chars(b, e, v);
    if (r.ec != std::errc() || r.ptr == b) return fail("expected a number"), false;
    p_ += static_cast<size_t>(r.ptr - b);
    return true;
  }

  // Skips any value.
  bool skip() {
    ws();
    if (p_ >= s_.size()) return fail("unexpected end"), false;
    const char c = s_[p_];
    if (c == '"') return string(nullptr);
    if (c == '{' || c == '[') {
      const char close = c == '{' ? '}' : ']';
      ++p_;
      if (peek(close)) return ++p_, true;
      do {
        if (c == '{' && !(string(nullptr) && expect(':'))) return false;
        if (!skip()) return false;
      } while (more());
      return expect(close);
    }
    for (std::string_view lit : {"true", "false", "null"})
      if (s_.substr(p_, lit.size()) == lit) return p_ += lit.size(), true;
    double ignored;
    return number(ignored);
  }

  // After an element: true when a ',' follows (consumed).
  bool more() {
    if (peek(',')) return ++p_, true;
    return false;
  }

  template <class F>
  bool array(F&& each) {
    if (!expect('[')) return false;
    if (peek(']')) return ++p_, true;
    do {
      if (!each()) return false;
    } while (more());
    return expect(']');
  }

  // A member name: a view of the text when it has no escape (the usual case), else of its
  // unescaped copy in scratch_.
  bool key(std::string_view& out) {
    if (!expect('"')) return false;
    if (plain_rest(out)) return true;
    --p_;  // back to the opening quote: string() reads it with its escapes
    if (!string(&scratch_)) return false;
    out = scratch_;
    return true;
  }

  template <class F>  // each(key): reads the member's value
  bool object(F&& each) {
    if (!expect('{')) return false;
    if (peek('}')) return ++p_, true;
    std::string_view name;
    do {
      if (!key(name) || !expect(':') || !each(name)) return false;
    } while (more());
    return expect('}');
  }

  bool at_end() {
    ws();
    return p_ == s_.size();
  }

 private:
  // After an opening quote: when the string has no escape (the usual case), its text up to
  // the closing quote, which is consumed.
  bool plain_rest(std::string_view& text) {
    const size_t close = s_.find('"', p_);
    if (close == std::string_view::npos) return false;
    text = s_.substr(p_, close - p_);
    if (text.find('\\') != std::string_view::npos) return false;
    p_ = close + 1;
    return true;
  }

  std::string_view s_;
  size_t p_ = 0;
  std::string scratch_;
};

}  // namespace

std::string scan_get_metric_data(std::string_view json,
                                 const std::function<void(GmdResult&)>& on_result,
                                 std::string& next_token) {
  next_token.clear();
  Reader r(json);
  GmdResult res;
  const bool ok = r.object([&](std::string_view key) {
    if (key == "NextToken") return r.peek('"') ? r.string(&next_token) : r.skip();
    if (key != "MetricDataResults") return r.skip();
    return r.array([&] {
      res.id.clear();
      res.timestamps.clear();
      res.values.clear();
      const bool read = r.object([&](std::string_view k) {
        if (k == "Id") return r.string(&res.id);
        if (k == "Timestamps")
          return r.array([&] {
            double t;
            if (!r.number(t)) return false;
            res.timestamps.push_back(static_cast<int64_t>(std::llround(t)));
            return true;
          });
        if (k == "Values")
          return r.array([&] {
            double v;
            if (!r.number(v)) return false;
            res.values.push_back(v);
            return true;
          });
        return r.skip();
      });
      if (read) on_result(res);
      return read;
    });
  });
  if (ok && !r.at_end()) r.fail("text after the answer");
  return r.error;
}

}  // namespace im::collect::aws
