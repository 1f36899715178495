#include "store/mysql/connection.h"

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include <charconv>
#include <cmath>
#include <cstring>

namespace im::store::mysql {

bool is_transient_error(unsigned code) {
  switch (code) {
    case CR_CONNECTION_ERROR:   // 2002: cannot connect (socket)
    case CR_CONN_HOST_ERROR:    // 2003: cannot connect (TCP refused / unreachable)
    case CR_SERVER_GONE_ERROR:  // 2006: server has gone away
    case CR_SERVER_LOST:        // 2013: lost connection during query
    case 2055:                  // CR_SERVER_LOST_EXTENDED
    case ER_CON_COUNT_ERROR:    // 1040: too many connections
    case ER_SERVER_SHUTDOWN:    // 1053: server shutdown in progress
    case ER_LOCK_WAIT_TIMEOUT:  // 1205
    case ER_LOCK_DEADLOCK:      // 1213
    case 1927:                  // MariaDB ER_CONNECTION_KILLED
    case 4031:                  // MySQL 8: disconnected by the server for inactivity
      return true;
    default:
      return false;
  }
}

namespace {

// After these the session is gone and must be replaced.
bool session_lost(unsigned code) {
  return code == CR_SERVER_GONE_ERROR || code == CR_SERVER_LOST || code == 2055 ||
         code == ER_SERVER_SHUTDOWN || code == 1927 || code == 4031 ||
         code == CR_CONNECTION_ERROR || code == CR_CONN_HOST_ERROR;
}

}  // namespace

// ---- Connection -------------------------------------------------------------------------

Connection::Connection(const StorageUrl& url, const MysqlOptions& o) : label_(url.str()) {
  db_ = mysql_init(nullptr);
  if (!db_) throw StoreError("mysql: out of memory creating a connection");
  unsigned connect_timeout = static_cast<unsigned>(o.connect_timeout);
  unsigned io_timeout = static_cast<unsigned>(o.read_timeout);
  mysql_optionsv(db_, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
  mysql_optionsv(db_, MYSQL_OPT_READ_TIMEOUT, &io_timeout);
  mysql_optionsv(db_, MYSQL_OPT_WRITE_TIMEOUT, &io_timeout);
  mysql_optionsv(db_, MYSQL_SET_CHARSET_NAME, to_string(o.charset).data());
  my_bool off = 0, on = 1;
  mysql_optionsv(db_, MYSQL_OPT_RECONNECT, &off);  // a silent reconnect would lose the transaction
  if (o.ssl_mode != TlsMode::DISABLED) {
    // preferred asks for TLS and accepts a server without it; required refuses such a server;
    // verify_identity also checks the certificate chain and the host name.
    mysql_ssl_set(db_, nullptr, nullptr, o.ssl_ca.empty() ? nullptr : o.ssl_ca.c_str(), nullptr,
                  nullptr);
    if (tls_required(o.ssl_mode)) mysql_optionsv(db_, MYSQL_OPT_SSL_ENFORCE, &on);
    mysql_optionsv(db_, MYSQL_OPT_SSL_VERIFY_SERVER_CERT,
                   o.ssl_mode == TlsMode::VERIFY_IDENTITY ? &on : &off);
  }
  if (!mysql_real_connect(db_, url.host.c_str(), url.user.c_str(), o.password.c_str(),
                          url.database.c_str(), static_cast<unsigned>(url.port), nullptr,
                          CLIENT_FOUND_ROWS)) {
    unsigned code = mysql_errno(db_);
    std::string msg = mysql_error(db_);
    mysql_close(db_);
    db_ = nullptr;
    std::string text =
        "mysql: cannot connect to " + label_ + ": " + msg + " (error " + std::to_string(code) + ")";
    if (code == ER_ACCESS_DENIED_ERROR || code == ER_DBACCESS_DENIED_ERROR)
      text += "; check DB_USER / DB_PASSWORD (or storage.url and mysql.password)";
    if (code == ER_BAD_DB_ERROR) text += "; create the database first (CREATE DATABASE ...)";
    if (is_transient_error(code)) throw TransientError(text);
    throw StoreError(text);
  }
  // Connector/C 3.3 does not always refuse a server without TLS on its own: check here.
  if (tls_required(o.ssl_mode) && !mysql_get_ssl_cipher(db_)) {
    mysql_close(db_);
    db_ = nullptr;
    throw StoreError("mysql: " + label_ + " did not set up TLS but mysql.ssl_mode is " +
                     std::string(to_string(o.ssl_mode)) +
                     " (the server may have TLS disabled: have_ssl)");
  }
  // UTC for CURRENT_TIMESTAMP, NOW() and the cleanup event; strict modes so a bad value is
  // an error, never a silent truncation.
  query("SET time_zone = '+00:00'");
  query(
      "SET SESSION sql_mode = 'STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
      "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'");
}

Connection::~Connection() {
  if (db_) mysql_close(db_);
}

unsigned Connection::last_error() const {
  return mysql_errno(db_);
}

void Connection::raise(const std::string& what) {
  raise(what, mysql_errno(db_), mysql_error(db_));
}

void Connection::raise(const std::string& what, unsigned code, const std::string& message) {
  if (session_lost(code)) usable_ = false;
  std::string text = "mysql: " + what + ": " + message + " (error " + std::to_string(code) + ")";
  if (is_transient_error(code)) throw TransientError(text);
  // 1021 disk full, 1114 table full, 1290 --read-only: no write can succeed until an operator
  // acts.
  if (code == 1021 || code == 1114 || code == 1290) throw StoreUnusableError(text);
  throw StoreError(text);
}

std::vector<Connection::Row> Connection::query(const std::string& sql) {
  if (mysql_real_query(db_, sql.data(), sql.size()) != 0) raise(sql.substr(0, 80));
  std::vector<Row> rows;
  do {
    MYSQL_RES* res = mysql_store_result(db_);
    if (res) {
      unsigned n = mysql_num_fields(res);
      while (MYSQL_ROW r = mysql_fetch_row(res)) {
        unsigned long* len = mysql_fetch_lengths(res);
        Row row(n);
        for (unsigned i = 0; i < n; ++i)
          if (r[i]) row[i] = std::string(r[i], len[i]);
        rows.push_back(std::move(row));
      }
      mysql_free_result(res);
    } else if (mysql_field_count(db_) != 0) {
      raise(sql.substr(0, 80));
    }
  } while (mysql_next_result(db_) == 0);
  if (mysql_errno(db_)) raise(sql.substr(0, 80));
  return rows;
}

std::string Connection::scalar(const std::string& sql) {
  auto rows = query(sql);
  return rows.empty() || rows[0].empty() || !rows[0][0] ? std::string() : *rows[0][0];
}

uint64_t Connection::connection_id() const {
  return mysql_thread_id(db_);
}

// ---- Statement --------------------------------------------------------------------------

struct Statement::Param {
  enum Kind { NUL, TEXT, REAL, INT } kind = NUL;
  std::string text;
  double real = 0;
  long long integer = 0;
  unsigned long length = 0;
};

struct Statement::Column {
  enum Kind { TEXT, REAL, INT } kind = TEXT;
  std::string buf;  // TEXT: value bytes (resized on demand)
  double real = 0;
  long long integer = 0;
  unsigned long length = 0;
  my_bool null = 0, error = 0;
};

Statement::Statement(Connection& conn, std::string sql) : conn_(conn), sql_(std::move(sql)) {
  st_ = mysql_stmt_init(conn_.handle());
  if (!st_) conn_.raise("cannot create a statement");
  if (mysql_stmt_prepare(st_, sql_.data(), sql_.size()) != 0) {
    unsigned code = mysql_stmt_errno(st_);
    std::string msg = mysql_stmt_error(st_);
    mysql_stmt_close(st_);
    st_ = nullptr;
    conn_.raise("cannot prepare `" + sql_.substr(0, 120) + "`", code, msg);
  }
  params_.resize(mysql_stmt_param_count(st_));
}

Statement::~Statement() {
  if (st_) mysql_stmt_close(st_);
}

Statement& Statement::reset() {
  done();
  next_ = 0;
  return *this;
}

Statement::Param& Statement::next_param() {
  if (next_ >= params_.size())
    throw StoreError("mysql: too many parameters for `" + sql_.substr(0, 120) + "`");
  return params_[next_++];
}

Statement& Statement::bind(const std::string& v) {
  Param& p = next_param();
  p.kind = Param::TEXT;
  p.text = v;
  return *this;
}
Statement& Statement::bind(double v) {
  if (!std::isfinite(v)) return bind_null();
  Param& p = next_param();
  p.kind = Param::REAL;
  p.real = v;
  return *this;
}
Statement& Statement::bind(int64_t v) {
  Param& p = next_param();
  p.kind = Param::INT;
  p.integer = v;
  return *this;
}
Statement& Statement::bind(const std::optional<double>& v) {
  return v ? bind(*v) : bind_null();
}
Statement& Statement::bind_null() {
  next_param().kind = Param::NUL;
  return *this;
}
Statement& Statement::bind_text_or_null(const std::string& v) {
  return v.empty() ? bind_null() : bind(v);
}

uint64_t Statement::execute() {
  done();
  if (next_ != params_.size())
    throw StoreError("mysql: " + std::to_string(next_) + " of " + std::to_string(params_.size()) +
                     " parameters bound for `" + sql_.substr(0, 120) + "`");
  std::vector<MYSQL_BIND> b(params_.size());
  for (size_t i = 0; i < params_.size(); ++i) {
    Param& p = params_[i];
    std::memset(&b[i], 0, sizeof(MYSQL_BIND));
    switch (p.kind) {
      case Param::NUL:
        b[i].buffer_type = MYSQL_TYPE_NULL;
        break;
      case Param::TEXT:
        p.length = p.text.size();
        b[i].buffer_type = MYSQL_TYPE_STRING;
        b[i].buffer = p.text.data();
        b[i].buffer_length = p.length;
        b[i].length = &p.length;
        break;
      case Param::REAL:
        b[i].buffer_type = MYSQL_TYPE_DOUBLE;
        b[i].buffer = &p.real;
        break;
      case Param::INT:
        b[i].buffer_type = MYSQL_TYPE_LONGLONG;
        b[i].buffer = &p.integer;
        break;
    }
  }
  next_ = 0;
  auto fail = [&] {
    conn_.raise("`" + sql_.substr(0, 120) + "`", mysql_stmt_errno(st_), mysql_stmt_error(st_));
  };
  if (!b.empty() && mysql_stmt_bind_param(st_, b.data())) fail();
  if (mysql_stmt_execute(st_) != 0) fail();
  if (mysql_stmt_field_count(st_) > 0) {
    bind_results();
    has_rows_ = true;
    return 0;
  }
  return mysql_stmt_affected_rows(st_);
}

void Statement::bind_results() {
  MYSQL_RES* meta = mysql_stmt_result_metadata(st_);
  if (!meta)
    conn_.raise("`" + sql_.substr(0, 120) + "`", mysql_stmt_errno(st_), mysql_stmt_error(st_));
  unsigned n = mysql_num_fields(meta);
  MYSQL_FIELD* fields = mysql_fetch_fields(meta);
  cols_.assign(n, Column{});
  for (unsigned i = 0; i < n; ++i) {
    switch (fields[i].type) {
      case MYSQL_TYPE_DOUBLE:
      case MYSQL_TYPE_FLOAT:
        cols_[i].kind = Column::REAL;
        break;
      case MYSQL_TYPE_TINY:
      case MYSQL_TYPE_SHORT:
      case MYSQL_TYPE_INT24:
      case MYSQL_TYPE_LONG:
      case MYSQL_TYPE_LONGLONG:
        cols_[i].kind = Column::INT;
        break;
      default:  // text, dates (as YYYY-MM-DD[ HH:MM:SS]), DECIMAL sums
        cols_[i].kind = Column::TEXT;
        cols_[i].buf.resize(64);
        break;
    }
  }
  mysql_free_result(meta);
  rebind();
}

// Points the result buffers at cols_ (again after a text buffer grew).
void Statement::rebind() {
  std::vector<MYSQL_BIND> b(cols_.size());
  for (size_t i = 0; i < cols_.size(); ++i) {
    Column& c = cols_[i];
    std::memset(&b[i], 0, sizeof(MYSQL_BIND));
    switch (c.kind) {
      case Column::REAL:
        b[i].buffer_type = MYSQL_TYPE_DOUBLE;
        b[i].buffer = &c.real;
        break;
      case Column::INT:
        b[i].buffer_type = MYSQL_TYPE_LONGLONG;
        b[i].buffer = &c.integer;
        break;
      case Column::TEXT:
        b[i].buffer_type = MYSQL_TYPE_STRING;
        b[i].buffer = c.buf.data();
        b[i].buffer_length = c.buf.size();
        break;
    }
    b[i].length = &c.length;
    b[i].is_null = &c.null;
    b[i].error = &c.error;
  }
  if (mysql_stmt_bind_result(st_, b.data()))
    conn_.raise("`" + sql_.substr(0, 120) + "`", mysql_stmt_errno(st_), mysql_stmt_error(st_));
}

bool Statement::fetch() {
  if (!has_rows_) return false;
  int rc = mysql_stmt_fetch(st_);
  if (rc == MYSQL_NO_DATA) {
    done();
    return false;
  }
  if (rc == 1) {
    has_rows_ = false;
    // The statement may carry no error code when the session's reading of the result failed:
    // the connection's own error says what happened. With none at all, the result ended
    // without a reason, which is worth a retry of the step rather than a guess.
    if (mysql_stmt_errno(st_) == 0 && conn_.last_error() == 0)
      throw TransientError("mysql: `" + sql_.substr(0, 120) +
                           "`: the server ended the result without an error code");
    if (mysql_stmt_errno(st_) == 0) conn_.raise("`" + sql_.substr(0, 120) + "`");
    conn_.raise("`" + sql_.substr(0, 120) + "`", mysql_stmt_errno(st_), mysql_stmt_error(st_));
  }
  // Text longer than its buffer: fetch that column again into a buffer of the right size.
  bool grown = false;
  for (unsigned i = 0; i < cols_.size(); ++i) {
    Column& c = cols_[i];
    if (c.kind != Column::TEXT || c.null || c.length <= c.buf.size()) continue;
    c.buf.resize(c.length);
    MYSQL_BIND b;
    std::memset(&b, 0, sizeof b);
    unsigned long len = 0;
    b.buffer_type = MYSQL_TYPE_STRING;
    b.buffer = c.buf.data();
    b.buffer_length = c.buf.size();
    b.length = &len;
    if (mysql_stmt_fetch_column(st_, &b, i, 0))
      conn_.raise("`" + sql_.substr(0, 120) + "`", mysql_stmt_errno(st_), mysql_stmt_error(st_));
    grown = true;
  }
  if (grown) rebind();
  return true;
}

void Statement::done() {
  if (has_rows_) mysql_stmt_free_result(st_);
  has_rows_ = false;
}

bool Statement::is_null(int c) const {
  return cols_.at(static_cast<size_t>(c)).null != 0;
}

std::string Statement::text(int c) const {
  const Column& col = cols_.at(static_cast<size_t>(c));
  if (col.null) return {};
  switch (col.kind) {
    case Column::TEXT:
      return std::string(col.buf.data(), std::min<size_t>(col.length, col.buf.size()));
    case Column::INT:
      return std::to_string(col.integer);
    case Column::REAL:
      return std::to_string(col.real);
  }
  return {};
}

double Statement::real(int c) const {
  const Column& col = cols_.at(static_cast<size_t>(c));
  if (col.null) return 0;
  if (col.kind == Column::REAL) return col.real;
  if (col.kind == Column::INT) return static_cast<double>(col.integer);
  return std::strtod(text(c).c_str(), nullptr);
}

int64_t Statement::integer(int c) const {
  const Column& col = cols_.at(static_cast<size_t>(c));
  if (col.null) return 0;
  if (col.kind == Column::INT) return col.integer;
  if (col.kind == Column::REAL) return static_cast<int64_t>(std::llround(col.real));
  std::string t = text(c);
  int64_t v = 0;
  auto dot = t.find('.');  // DECIMAL sums come back as "42" or "42.0000"
  std::from_chars(t.data(), t.data() + (dot == std::string::npos ? t.size() : dot), v);
  return v;
}

std::optional<double> Statement::opt(int c) const {
  return is_null(c) ? std::nullopt : std::optional<double>(real(c));
}

Day Statement::day(int c) const {
  auto d = Day::parse(text(c).substr(0, 10));
  if (!d) throw StoreError("mysql: malformed date '" + text(c) + "' in the database");
  return *d;
}

ServiceType Statement::service(int c) const {
  auto s = parse_service_type(text(c));
  if (!s) throw StoreError("mysql: unknown service_type '" + text(c) + "' in the database");
  return *s;
}

}  // namespace im::store::mysql
