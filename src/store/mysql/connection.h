// A MariaDB Connector/C session and its prepared statements: the small layer under the
// MySQL/MariaDB store (and the tests that administer their own server). Errors become
// TransientError (lost or refused connection, deadlock: worth retrying) or StoreError.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/day.h"
#include "core/storage_url.h"
#include "store/store.h"

struct st_mysql;
struct st_mysql_stmt;

namespace im::store::mysql {

class Connection;

// A server-side prepared statement. bind() parameters in order, then execute(); a statement
// with a result is read row by row with fetch() (unbuffered: read every row, or call done(),
// before the connection runs anything else).
class Statement {
 public:
  Statement(Connection& conn, std::string sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& reset();  // clears the parameters and any unread rows
  Statement& bind(const std::string& v);
  Statement& bind(std::string_view v) { return bind(std::string(v)); }
  Statement& bind(const char* v) { return bind(std::string(v)); }
  Statement& bind(Day d) { return bind(d.str()); }
  Statement& bind(double v);  // NaN and infinities become NULL
  Statement& bind(int64_t v);
  Statement& bind(int v) { return bind(int64_t{v}); }
  Statement& bind(bool v) { return bind(int64_t{v ? 1 : 0}); }
  Statement& bind(const std::optional<double>& v);
  Statement& bind_null();
  Statement& bind_text_or_null(const std::string& v);

  uint64_t execute();  // returns the affected rows
  bool fetch();        // true while a row is available
  void done();         // discards the rows not read

  bool is_null(int c) const;
  std::string text(int c) const;
  double real(int c) const;
  int64_t integer(int c) const;
  std::optional<double> opt(int c) const;
  Day day(int c) const;
  ServiceType service(int c) const;

  const std::string& sql() const { return sql_; }

 private:
  struct Param;
  struct Column;
  Param& next_param();
  void bind_results();
  void rebind();

  Connection& conn_;
  st_mysql_stmt* st_ = nullptr;
  std::string sql_;
  std::vector<Param> params_;
  size_t next_ = 0;
  std::vector<Column> cols_;
  bool has_rows_ = false;
};

class Connection {
 public:
  // Connects (throws TransientError when the server cannot be reached, StoreError when it
  // refuses the login or the options). The session runs in UTC with strict SQL modes.
  Connection(const StorageUrl& url, const MysqlOptions& opts);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs a statement without parameters (DDL, session settings, transactions) and returns
  // its rows as text (NULL as nullopt).
  using Row = std::vector<std::optional<std::string>>;
  std::vector<Row> query(const std::string& sql);
  // One value of a one-row query, "" for NULL or no row.
  std::string scalar(const std::string& sql);

  uint64_t connection_id() const;
  // The error code of the last failed call (0: none).
  unsigned last_error() const;
  // False once the server has gone away or killed this session: the owner reconnects.
  bool usable() const { return usable_; }
  const std::string& label() const { return label_; }  // "mysql://user@host:port/db"

  st_mysql* handle() { return db_; }
  // Throws the error the connection reports, prefixed with `what`; marks the session
  // unusable when the error means it is gone.
  [[noreturn]] void raise(const std::string& what);
  [[noreturn]] void raise(const std::string& what, unsigned code, const std::string& message);

 private:
  st_mysql* db_ = nullptr;
  std::string label_;
  bool usable_ = true;
};

// True for the error codes that mean "try again": the session was lost, refused or killed,
// the server is shutting down, or a lock wait timed out / deadlocked.
bool is_transient_error(unsigned code);

}  // namespace im::store::mysql
