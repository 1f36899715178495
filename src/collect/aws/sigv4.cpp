#include "collect/aws/sigv4.h"

#include <array>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <stdexcept>

namespace im::collect::aws {

namespace {

std::string hex(const unsigned char* p, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = digits[p[i] >> 4];
    out[2 * i + 1] = digits[p[i] & 15];
  }
  return out;
}

// HMAC-SHA256. OpenSSL 3's one-shot HMAC() looks the MAC up by name on every call; this
// fetches it once.
std::string hmac(const std::string& key, const std::string& data) {
  static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  std::unique_ptr<EVP_MAC_CTX, void (*)(EVP_MAC_CTX*)> ctx(mac ? EVP_MAC_CTX_new(mac) : nullptr,
                                                           EVP_MAC_CTX_free);
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_construct_end()};
  unsigned char out[EVP_MAX_MD_SIZE];
  size_t len = 0;
  if (!ctx ||
      !EVP_MAC_init(ctx.get(), reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                    params) ||
      !EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()),
                      data.size()) ||
      !EVP_MAC_final(ctx.get(), out, &len, sizeof out))
    throw std::runtime_error("HMAC-SHA256 failed");
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Trims both ends and collapses runs of spaces inside, as the canonical headers require.
std::string trim_all(const std::string& v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

// A query component as the server sees it: %XX decoded, '+' kept as is.
std::string uri_decode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_digit(s[i + 1]) >= 0 && hex_digit(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Header names in order, each with its values joined by ','.
std::map<std::string, std::string> canonical_headers(const SignableRequest& r) {
  std::map<std::string, std::string> h;
  for (const auto& [name, value] : r.headers) {
    std::string& v = h[lower(name)];
    v += (v.empty() ? "" : ",") + trim_all(value);
  }
  return h;
}

}  // namespace

namespace {
// OpenSSL 3 looks a digest up by name on every one-shot call; this fetches it once.
const EVP_MD* sha256_md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (!md) throw std::runtime_error("OpenSSL has no SHA-256");
  return md;
}
}  // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  if (!EVP_Digest(data.data(), data.size(), d, &len, sha256_md(), nullptr))
    throw std::runtime_error("SHA-256 failed");
  return hex(d, len);
}

void uri_encode_to(std::string& out, std::string_view s, bool keep_slash) {
  // RFC 3986 unreserved characters, by table: this runs over every byte of a request body.
  static const auto unreserved = [] {
    std::array<bool, 256> t{};
    for (int c = 0; c < 256; ++c)
      t[static_cast<size_t>(c)] = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                                  (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
                                  c == '~';
    return t;
  }();
  static const char* digits = "0123456789ABCDEF";
  for (unsigned char c : s) {
    if (unreserved[c] || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      const char esc[3] = {'%', digits[c >> 4], digits[c & 15]};
      out.append(esc, 3);
    }
  }
}

std::string uri_encode(const std::string& s, bool keep_slash) {
  std::string out;
  out.reserve(s.size());
  uri_encode_to(out, s, keep_slash);
  return out;
}

std::string signed_headers(const SignableRequest& r) {
  std::string out;
  for (const auto& [name, value] : canonical_headers(r)) out += (out.empty() ? "" : ";") + name;
  return out;
}

std::string canonical_request(const SignableRequest& r) {
  std::vector<std::pair<std::string, std::string>> params;
  size_t pos = 0;
  while (pos < r.query.size()) {
    size_t amp = r.query.find('&', pos);
    if (amp == std::string::npos) amp = r.query.size();
    std::string item = r.query.substr(pos, amp - pos);
    if (!item.empty()) {
      size_t eq = item.find('=');
      std::string k = item.substr(0, eq), v = eq == std::string::npos ? "" : item.substr(eq + 1);
      params.emplace_back(uri_encode(uri_decode(k), false), uri_encode(uri_decode(v), false));
    }
    pos = amp + 1;
  }
  std::sort(params.begin(), params.end());
  std::string query;
  for (const auto& [k, v] : params) query += (query.empty() ? "" : "&") + k + "=" + v;

  std::string headers;
  for (const auto& [name, value] : canonical_headers(r)) headers += name + ":" + value + "\n";
  return r.method + "\n" + uri_encode(uri_decode(r.path.empty() ? "/" : r.path), true) + "\n" +
         query + "\n" + headers + "\n" + signed_headers(r) + "\n" + sha256_hex(r.body);
}

std::string string_to_sign(const std::string& amz_date, const std::string& scope,
                           const std::string& canonical) {
  return "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + sha256_hex(canonical);
}

std::string signing_key(const std::string& secret_access_key, const std::string& date,
                        const std::string& region, const std::string& service) {
  return hmac(hmac(hmac(hmac("AWS4" + secret_access_key, date), region), service), "aws4_request");
}

std::string authorization(const SignableRequest& r, const Credentials& c, const std::string& region,
                          const std::string& service, const std::string& amz_date) {
  return authorization(r, c.access_key_id,
                       signing_key(c.secret_access_key, amz_date.substr(0, 8), region, service),
                       region, service, amz_date);
}

std::string authorization(const SignableRequest& r, const std::string& access_key_id,
                          const std::string& key, const std::string& region,
                          const std::string& service, const std::string& amz_date) {
  const std::string scope = amz_date.substr(0, 8) + "/" + region + "/" + service + "/aws4_request";
  const std::string sig = hmac(key, string_to_sign(amz_date, scope, canonical_request(r)));
  return "AWS4-HMAC-SHA256 Credential=" + access_key_id + "/" + scope +
         ", SignedHeaders=" + signed_headers(r) +
         ", Signature=" + hex(reinterpret_cast<const unsigned char*>(sig.data()), sig.size());
}

}  // namespace im::collect::aws
