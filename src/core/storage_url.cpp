#include "core/storage_url.h"

#include <charconv>

namespace im {

std::string_view to_string(TlsMode m) {
  switch (m) {
    case TlsMode::DISABLED:
      return "disabled";
    case TlsMode::PREFERRED:
      return "preferred";
    case TlsMode::REQUIRED:
      return "required";
    case TlsMode::VERIFY_IDENTITY:
      return "verify_identity";
  }
  return "?";
}

std::string_view to_string(Charset c) {
  switch (c) {
    case Charset::UTF8MB4:
      return "utf8mb4";
    case Charset::UTF8MB3:
      return "utf8mb3";
    case Charset::UTF8:
      return "utf8";
  }
  return "?";
}

std::string StorageUrl::str() const {
  if (kind == Kind::SQLITE) return "sqlite://" + path;
  return "mysql://" + user + "@" + host + ":" + std::to_string(port) + "/" + database;
}

std::optional<StorageUrl> parse_storage_url(std::string_view t, std::string& why) {
  StorageUrl u;
  if (t.starts_with("sqlite://")) {
    u.path = std::string(t.substr(9));
    if (u.path.empty()) {
      why = "sqlite URL has no path (sqlite:///abs/path.db or sqlite://relative/path.db)";
      return std::nullopt;
    }
    return u;
  }
  if (t.starts_with("mysql://")) {
    u.kind = StorageUrl::Kind::MYSQL;
    std::string_view rest = t.substr(8);
    auto at = rest.find('@');
    auto slash = rest.find('/');
    if (at == std::string_view::npos || slash == std::string_view::npos || at > slash) {
      why = "mysql URL must look like mysql://USER@HOST:PORT/DB";
      return std::nullopt;
    }
    u.user = std::string(rest.substr(0, at));
    if (u.user.find(':') != std::string::npos) {
      why = "mysql URL must not carry a password; set DB_PASSWORD instead";
      return std::nullopt;
    }
    std::string_view hostport = rest.substr(at + 1, slash - at - 1);
    u.database = std::string(rest.substr(slash + 1));
    auto colon = hostport.rfind(':');
    u.host = std::string(hostport.substr(0, colon));
    if (colon != std::string_view::npos) {
      auto p = hostport.substr(colon + 1);
      auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), u.port);
      if (ec != std::errc() || ptr != p.data() + p.size() || u.port < 1 || u.port > 65535) {
        why = "mysql URL port must be a number from 1 to 65535";
        return std::nullopt;
      }
    }
    if (u.user.empty() || u.host.empty() || u.database.empty()) {
      why = "mysql URL must name a user, a host and a database: mysql://USER@HOST:PORT/DB";
      return std::nullopt;
    }
    return u;
  }
  why = "unknown scheme; expected sqlite://PATH or mysql://USER@HOST:PORT/DB";
  return std::nullopt;
}

}  // namespace im
