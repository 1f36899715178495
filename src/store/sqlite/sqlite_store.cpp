#include "store/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "store/migrations.h"
#include "store/rows.h"
#include "store/sql_core.h"

namespace im::store {

namespace {

constexpr const char* kNow = "strftime('%Y-%m-%d %H:%M:%S','now')";

// "sqlite: FILE: what went wrong": an error names the database it happened in (a message such
// as "file is not a database" alone does not say which file).
std::string sqlite_file(sqlite3* db) {
  const char* file = sqlite3_db_filename(db, "main");
  return file && *file ? file : ":memory:";
}
std::string sqlite_error(sqlite3* db, const std::string& what = {}) {
  return "sqlite: " + sqlite_file(db) + ": " + what + sqlite3_errmsg(db);
}

// Errors after which nothing more can be written to the file.
bool unusable(int rc) {
  switch (rc & 0xff) {
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
      return true;
    default:
      return false;
  }
}

[[noreturn]] void raise(sqlite3* db, int rc, const std::string& what = {}) {
  if (unusable(rc)) throw StoreUnusableError(sqlite_error(db, what));
  throw StoreError(sqlite_error(db, what));
}

class Stmt {
 public:
  Stmt(sqlite3* db, const std::string& sql) : db_(db) {
    if (int rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &st_, nullptr); rc != SQLITE_OK)
      raise(db, rc, "cannot prepare statement: ");
  }
  ~Stmt() { sqlite3_finalize(st_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& reset() {
    sqlite3_reset(st_);
    sqlite3_clear_bindings(st_);
    idx_ = 0;
    return *this;
  }
  Stmt& bind(const std::string& v) {
    check(sqlite3_bind_text(st_, ++idx_, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    return *this;
  }
  Stmt& bind(std::string_view v) { return bind(std::string(v)); }
  Stmt& bind(const char* v) { return bind(std::string(v)); }
  Stmt& bind(Day d) { return bind(d.str()); }
  Stmt& bind(double v) {
    check(std::isfinite(v) ? sqlite3_bind_double(st_, ++idx_, v) : sqlite3_bind_null(st_, ++idx_));
    return *this;
  }
  Stmt& bind(int64_t v) {
    check(sqlite3_bind_int64(st_, ++idx_, v));
    return *this;
  }
  Stmt& bind(int v) { return bind(int64_t{v}); }
  Stmt& bind(bool v) { return bind(int64_t{v ? 1 : 0}); }
  Stmt& bind(const std::optional<double>& v) {
    if (v) return bind(*v);
    check(sqlite3_bind_null(st_, ++idx_));
    return *this;
  }
  Stmt& bind_text_or_null(const std::string& v) {
    if (!v.empty()) return bind(v);
    check(sqlite3_bind_null(st_, ++idx_));
    return *this;
  }
  // Returns true while a row is available.
  bool step() {
    int rc = sqlite3_step(st_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    raise(db_, rc);
  }
  void run() {
    while (step()) {
    }
  }

  std::string text(int c) const {
    auto p = sqlite3_column_text(st_, c);
    return p ? std::string(reinterpret_cast<const char*>(p)) : std::string();
  }
  double real(int c) const { return sqlite3_column_double(st_, c); }
  int64_t integer(int c) const { return sqlite3_column_int64(st_, c); }
  bool is_null(int c) const { return sqlite3_column_type(st_, c) == SQLITE_NULL; }
  std::optional<double> opt(int c) const {
    return is_null(c) ? std::nullopt : std::optional<double>(real(c));
  }
  Day day(int c) const {
    auto d = Day::parse(text(c));
    if (!d)
      throw StoreError("sqlite: " + sqlite_file(db_) + ": malformed date '" + text(c) +
                       "' in the database");
    return *d;
  }
  ServiceType service(int c) const {
    auto s = parse_service_type(text(c));
    if (!s)
      throw StoreError("sqlite: " + sqlite_file(db_) + ": unknown service_type '" + text(c) +
                       "' in the database");
    return *s;
  }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) throw StoreError(sqlite_error(db_, "bind failed: "));
  }
  sqlite3* db_;
  sqlite3_stmt* st_ = nullptr;
  int idx_ = 0;
};

class FileLock final : public RunLock {
 public:
  explicit FileLock(int fd) : fd_(fd) {}
  ~FileLock() override {
    flock(fd_, LOCK_UN);
    close(fd_);
  }

 private:
  int fd_;
};

class NoLock final : public RunLock {};

using rows::kDataTables;

class SqliteStore final : public SqlCore<SqliteStore> {
 public:
  SqliteStore(std::string path, OpenMode mode) : path_(std::move(path)), mode_(mode) {
    std::string open_path = path_;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX;
    if (path_ != ":memory:") {
      bool exists = std::filesystem::exists(path_);
      if (mode == OpenMode::READ_ONLY && exists) {
        db_ = open_read_only(path_);
        return;
      } else if (mode == OpenMode::DRY_RUN && exists && access(path_.c_str(), W_OK) != 0) {
        // A dry run writes inside transactions it rolls back: on a file this process may not
        // write, it works on an in-memory copy instead.
        sqlite3* file = open_read_only(path_);
        open_memory_copy(file);
        sqlite3_close_v2(file);
        return;
      } else if (mode != OpenMode::READ_WRITE && !exists) {
        open_path = ":memory:";  // nothing on disk yet: read an empty schema, create nothing
      } else if (!exists) {
        auto parent = std::filesystem::path(path_).parent_path();
        std::error_code ec;
        if (!parent.empty()) std::filesystem::create_directories(parent, ec);
        if (ec)
          throw StoreError("sqlite: cannot create folder " + parent.string() + ": " + ec.message());
        flags |= SQLITE_OPEN_CREATE;
      }
    }
    memory_ = open_path == ":memory:";
    if (sqlite3_open_v2(open_path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw StoreError("sqlite: cannot open " + path_ + ": " + msg);
    }
    sqlite3_busy_timeout(db_, 10000);
    exec("PRAGMA foreign_keys = ON");
    if (!memory_ && mode == OpenMode::READ_WRITE) {
      // Switching to WAL takes the database's exclusive lock and, unlike a write, does not
      // always wait for it: two processes opening a new file at once retry here.
      for (int attempt = 0;; ++attempt) {
        int rc = sqlite3_exec(db_, "PRAGMA journal_mode = WAL", nullptr, nullptr, nullptr);
        if (rc == SQLITE_OK) break;
        if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || attempt >= 200)
          exec("PRAGMA journal_mode = WAL");
        usleep(50 * 1000);
      }
      exec("PRAGMA synchronous = NORMAL");
    }
    if (mode != OpenMode::READ_ONLY || memory_)
      exec(
          "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description "
          "TEXT NOT NULL, applied_at TEXT NOT NULL)");
  }
  // A read-only connection. A database in WAL mode needs its -shm file to be read that way;
  // where this process can create none (a read-only folder), the file is opened as immutable,
  // which reads it without any lock.
  static sqlite3* open_read_only(const std::string& path) {
    sqlite3* db = nullptr;
    int rc =
        sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX, nullptr);
    if (rc == SQLITE_OK) {
      sqlite3_busy_timeout(db, 10000);
      rc = sqlite3_exec(db, "SELECT COUNT(*) FROM sqlite_master", nullptr, nullptr, nullptr);
      if (rc == SQLITE_OK) return db;
    }
    const std::string first = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    db = nullptr;
    if ((rc & 0xff) != SQLITE_READONLY && (rc & 0xff) != SQLITE_CANTOPEN)
      throw StoreError("sqlite: " + path + ": " + first);
    std::string uri = "file:";
    for (char c : std::filesystem::absolute(path).string()) {
      if (c == '%' || c == '?' || c == '#') {
        char hex[4];
        std::snprintf(hex, sizeof hex, "%%%02x", static_cast<unsigned char>(c));
        uri += hex;
      } else {
        uri += c;
      }
    }
    uri += "?immutable=1";
    if (sqlite3_open_v2(uri.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr) !=
        SQLITE_OK) {
      const std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
      sqlite3_close_v2(db);
      throw StoreError("sqlite: cannot open " + path + " read-only: " + first + "; " + msg);
    }
    return db;
  }

  // db_ becomes an in-memory copy of `file` (the backup API, page by page).
  void open_memory_copy(sqlite3* file) {
    memory_ = true;
    if (sqlite3_open_v2(":memory:", &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
      throw StoreError("sqlite: cannot open an in-memory database");
    sqlite3_backup* b = sqlite3_backup_init(db_, "main", file, "main");
    const int rc = b ? sqlite3_backup_step(b, -1) : SQLITE_ERROR;
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE)
      throw StoreError("sqlite: " + path_ +
                       ": cannot copy it into memory for a dry run: " + sqlite3_errmsg(db_));
  }

  ~SqliteStore() override {
    if (in_tx_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close_v2(db_);
  }

  std::string describe() const override {
    if (path_ == ":memory:") return "sqlite://:memory:";
    std::error_code ec;
    auto abs = std::filesystem::absolute(path_, ec);
    return "sqlite://" + (ec ? path_ : abs.string());
  }

  int schema_version() override {
    Stmt t(db_,
           "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'");
    t.step();
    if (t.integer(0) == 0) return 0;
    Stmt s(db_, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
    s.step();
    return static_cast<int>(s.integer(0));
  }
  int latest_schema_version() const override {
    const auto& m = sqlite_migrations();
    return m.empty() ? 0 : m.back().version;
  }

  int migrate() override {
    int current = schema_version(), applied = 0;
    if (current > latest_schema_version())
      throw_schema_too_new(describe(), current, latest_schema_version());
    if (mode_ != OpenMode::READ_WRITE && !memory_ && current < latest_schema_version())
      throw StoreError("the database " + path_ + " has schema version " + std::to_string(current) +
                       " but this program needs " + std::to_string(latest_schema_version()) +
                       "; run `infra-monitor init-db` first (" +
                       (mode_ == OpenMode::DRY_RUN ? "a dry run" : "a read-only command") +
                       " changes nothing)");
    for (const Migration& m : sqlite_migrations()) {
      if (m.version <= current) continue;
      begin();
      // Another process may have applied it while this one waited for the write lock.
      current = schema_version();
      if (m.version <= current) {
        rollback();
        continue;
      }
      try {
        exec(std::string(m.sql));
        Stmt s(db_,
               std::string(
                   "INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ") +
                   kNow + ")");
        s.bind(m.version).bind(m.description).run();
        tx_commit();
      } catch (const std::exception& e) {
        rollback();
        throw StoreError("migration " + std::to_string(m.version) + " (" +
                         std::string(m.description) + ") failed: " + e.what());
      }
      ++applied;
    }
    return applied;
  }

  std::unique_ptr<RunLock> acquire_run_lock(const std::string& holder) override {
    if (memory_) return std::make_unique<NoLock>();
    std::string lock_path = path_ + ".lock";
    int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
      throw StoreError("cannot open lock file " + lock_path + ": " + std::strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
      char buf[256] = {0};
      ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
      close(fd);
      std::string who = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "another process";
      throw LockBusyError("another run holds the lock on " + path_ + " (" + who +
                          "); wait for it to finish");
    }
    if (ftruncate(fd, 0) == 0) {
      const std::string text =
          holder + " since " + format_utc_timestamp(std::time(nullptr)) + " UTC";
      [[maybe_unused]] auto w = pwrite(fd, text.data(), text.size(), 0);
    }
    return std::make_unique<FileLock>(fd);
  }

  std::string run_lock_holder() override {
    if (memory_) return "";
    const std::string lock_path = path_ + ".lock";
    int fd = ::open(lock_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return "";  // no run ever took it
    std::string who;
    if (flock(fd, LOCK_SH | LOCK_NB) != 0) {
      char buf[256] = {0};
      ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
      who = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "another process";
    }
    close(fd);  // also drops the shared lock when it was free
    return who;
  }

  void begin() override {
    if (in_tx_) throw StoreError("sqlite: nested transaction");
    exec("BEGIN IMMEDIATE");
    in_tx_ = true;
  }
  void commit() override {
    if (mode_ == OpenMode::DRY_RUN) return rollback();
    tx_commit();
  }
  void rollback() override {
    if (!in_tx_) return;
    in_tx_ = false;
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }

  size_t upsert_inventory(std::span<const Instance> seen, Day day) override {
    auto& s = cached(
        "INSERT INTO infra_fleet_inventory (service_type, instance_id, instance_name, "
        "instance_class, engine, "
        "region, allocated_storage_gb, max_memory_bytes, tags, status, source, first_seen, "
        "last_seen) "
        "VALUES (?,?,?,?,?,?,?,?,?,'ACTIVE',?,?,?) "
        "ON CONFLICT (service_type, instance_id) DO UPDATE SET "
        " first_seen = min(first_seen, excluded.first_seen),"
        " last_seen = max(last_seen, excluded.last_seen),"
        // ACTIVE again only when this refresh is of the newest day seen for the source:
        // re-running an old day must not revive an instance retired since.
        " status = CASE WHEN excluded.last_seen >= (SELECT MAX(i2.last_seen) FROM "
        "infra_fleet_inventory i2"
        "   WHERE i2.service_type = excluded.service_type AND i2.source = excluded.source)"
        "   THEN 'ACTIVE' ELSE status END,"
        " instance_name = CASE WHEN excluded.last_seen >= last_seen THEN excluded.instance_name "
        "ELSE instance_name END,"
        " instance_class = CASE WHEN excluded.last_seen >= last_seen THEN excluded.instance_class "
        "ELSE instance_class END,"
        " engine = CASE WHEN excluded.last_seen >= last_seen THEN excluded.engine ELSE engine END,"
        " region = CASE WHEN excluded.last_seen >= last_seen THEN excluded.region ELSE region END,"
        " allocated_storage_gb = CASE WHEN excluded.last_seen >= last_seen THEN "
        "excluded.allocated_storage_gb ELSE allocated_storage_gb END,"
        " max_memory_bytes = CASE WHEN excluded.last_seen >= last_seen THEN "
        "excluded.max_memory_bytes ELSE max_memory_bytes END,"
        " tags = CASE WHEN excluded.last_seen >= last_seen THEN excluded.tags ELSE tags END,"
        " source = excluded.source,"
        " updated_at = " +
        std::string(kNow));
    for (const Instance& i : seen) {
      rows::bind_instance(s.reset(), i, day);
      s.run();
    }
    return seen.size();
  }

  size_t mark_decommissioned(std::span<const ServiceType> services, const std::string& source,
                             Day day, int grace_days) override {
    auto& s =
        cached("UPDATE infra_fleet_inventory SET status = 'DECOMMISSIONED', updated_at = " +
               std::string(kNow) +
               " WHERE service_type = ?1 AND source = ?2 AND status = 'ACTIVE' AND last_seen < ?4"
               " AND ?3 >= (SELECT MAX(last_seen) FROM infra_fleet_inventory WHERE service_type = "
               "?1 AND source = ?2)");
    size_t changed = 0;
    for (ServiceType svc : services) {
      s.reset().bind(to_string(svc)).bind(source).bind(day).bind(day - grace_days).run();
      changed += static_cast<size_t>(sqlite3_changes(db_));
    }
    return changed;
  }

 private:
  // Pipeline log rows selected by `where_order` (one text parameter).
  // ---- The dialect (store/sql_core.h) ----
  friend class SqlCore<SqliteStore>;
  template <class Bind, class Row>
  void query(const std::string& sql, Bind&& bind, Row&& row) {
    Stmt s(db_, sql);
    bind(s);
    while (s.step()) row(s);
  }
  template <class Bind>
  size_t exec(const std::string& sql, Bind&& bind) {
    Stmt s(db_, sql);
    bind(s);
    s.run();
    return static_cast<size_t>(sqlite3_changes(db_));
  }
  static std::string ts(const std::string& expr) { return expr; }  // stored as text already
  static std::string now() { return kNow; }
  // The unary + keeps SQLite from choosing the per-series index for the service filter: the
  // date range on the date-leading unique index is what bounds these reads.
  static std::string services_in(std::span<const ServiceType> s) {
    return rows::services_in(s, "+");
  }

  // One cached statement per table, run per row (SQLite's fastest batching: multi-row
  // statements add nothing inside a transaction).
  template <class Row, class Bind>
  size_t upsert(const rows::UpsertSpec& u, std::span<const Row> rows, Bind bind) {
    auto& s = cached(
        rows::upsert_insert(u) + " " + rows::upsert_row(u) + " ON CONFLICT (" +
        rows::upsert_key(u) + ") DO UPDATE SET " +
        rows::upsert_updates(u, [](const std::string& c) { return c + " = excluded." + c; }) +
        (u.has_updated_at ? std::string(", updated_at = ") + kNow : std::string()));
    for (const Row& r : rows) {
      bind(s.reset(), r);
      s.run();
    }
    return rows.size();
  }

  void exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      const std::string text = "sqlite: " + sqlite_file(db_) + ": " + msg;
      if (unusable(sqlite3_extended_errcode(db_))) throw StoreUnusableError(text);
      throw StoreError(text);
    }
  }
  void tx_commit() {
    if (!in_tx_) throw StoreError("sqlite: commit without a transaction");
    exec("COMMIT");
    in_tx_ = false;
  }
  Stmt& cached(const std::string& sql) {
    auto it = stmts_.find(sql);
    if (it == stmts_.end()) it = stmts_.emplace(sql, std::make_unique<Stmt>(db_, sql)).first;
    return *it->second;
  }

  std::string path_;
  OpenMode mode_;
  bool memory_ = false;
  sqlite3* db_ = nullptr;
  bool in_tx_ = false;
  std::map<std::string, std::unique_ptr<Stmt>> stmts_;
};

}  // namespace

std::unique_ptr<Store> open_sqlite(const std::string& path, OpenMode mode) {
  auto s = std::make_unique<SqliteStore>(path, mode);
  return s;
}

}  // namespace im::store
