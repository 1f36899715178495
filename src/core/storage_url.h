// Where the tables live: storage.url parsed into a typed value.
//   sqlite:///abs/path.db   sqlite://relative/path.db   sqlite://:memory:
//   mysql://USER@HOST:PORT/DB   (password from DB_PASSWORD, never in the URL)
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace im {

struct StorageUrl {
  enum class Kind { SQLITE, MYSQL } kind = Kind::SQLITE;
  std::string path;  // sqlite: file path (relative to the working directory) or ":memory:"
  std::string user, host, database;  // mysql
  int port = 3306;                   // mysql

  bool operator==(const StorageUrl&) const = default;
  bool in_memory() const { return kind == Kind::SQLITE && path == ":memory:"; }
  std::string str() const;  // canonical text, never with a password
};

// TLS to a MySQL/MariaDB server (mysql.ssl_mode): none; when the server offers it; required;
// required with the certificate and host name verified.
enum class TlsMode { DISABLED, PREFERRED, REQUIRED, VERIFY_IDENTITY };
std::string_view to_string(TlsMode m);  // "disabled", "preferred", "required", "verify_identity"
inline bool tls_required(TlsMode m) {
  return m == TlsMode::REQUIRED || m == TlsMode::VERIFY_IDENTITY;
}

// The connection character set of a MySQL/MariaDB session (mysql.charset), by the name the
// client library takes: "utf8mb4", "utf8mb3", "utf8" (an older name of utf8mb3).
enum class Charset { UTF8MB4, UTF8MB3, UTF8 };
std::string_view to_string(Charset c);

// Parses storage.url; on failure returns nullopt and sets `why` to what is wrong.
std::optional<StorageUrl> parse_storage_url(std::string_view text, std::string& why);

}  // namespace im
