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

// The unary + keeps SQLite from choosing the per-series index for the service filter: the
// date range on the date-leading unique index is what bounds these reads.
std::string services_in(std::span<const ServiceType> s) {
  if (s.empty()) return "";
  std::string q = " AND +service_type IN (";
  for (size_t i = 0; i < s.size(); ++i) q += i ? ",?" : "?";
  return q + ")";
}

using rows::kDataTables;

class SqliteStore final : public Store {
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

  std::vector<InventoryRow> load_inventory() override {
    Stmt s(db_, std::string("SELECT ") + rows::kInventoryColumns +
                    " FROM infra_fleet_inventory ORDER BY service_type, instance_id");
    std::vector<InventoryRow> out;
    while (s.step()) out.push_back(rows::read_inventory(s));
    return out;
  }

  size_t upsert_daily_metrics(std::span<const DailyMetric> rows) override {
    auto& s = cached(
        "INSERT INTO infra_metric_daily (metric_date, service_type, instance_id, metric_name, "
        "unit, avg_value, "
        "min_value, max_value, p95_value, sample_count, expected_samples, source, p95_method) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) "
        "ON CONFLICT (metric_date, service_type, instance_id, metric_name) DO UPDATE SET "
        "unit = excluded.unit, avg_value = excluded.avg_value, min_value = excluded.min_value, "
        "max_value = excluded.max_value, p95_value = excluded.p95_value, sample_count = "
        "excluded.sample_count, "
        "expected_samples = excluded.expected_samples, source = excluded.source, p95_method = "
        "excluded.p95_method, updated_at = " +
        std::string(kNow));
    for (const DailyMetric& m : rows) {
      rows::bind_daily_metric(s.reset(), m);
      s.run();
    }
    return rows.size();
  }

  // Whether `table`'s archive holds a row dated in [from, to] (history reads then see it).
  bool archived(const std::string& table, Day from, Day to) {
    Stmt s(db_, rows::archived_between(table));
    s.bind(from).bind(to);
    return s.step() && s.integer(0) > 0;
  }

  void visit_daily_metrics(Day from, Day to, std::span<const ServiceType> services,
                           const std::function<void(const DailyMetric&)>& fn) override {
    const bool arch = archived("infra_metric_daily", from, to);
    Stmt s(db_, rows::history_select("infra_metric_daily", rows::kDailyMetricColumns,
                                     "metric_date BETWEEN ? AND ?" + services_in(services),
                                     "1, 2, 3, 4", arch));
    rows::bind_window(s, from, to, services, arch);
    DailyMetric m;  // reused: its strings keep their capacity from row to row
    while (s.step()) {
      rows::read_daily_metric(s, m);
      fn(m);
    }
  }

  size_t upsert_anomaly_scores(std::span<const AnomalyScoreRow> rows) override {
    auto& s = cached(
        "INSERT INTO infra_anomaly_scores (metric_date, service_type, instance_id, metric_name, "
        "spc_stat, value, "
        "rolling_mean_14d, rolling_std_14d, sigma, baseline_days, z_score, we_rules, roc_pct, "
        "anomaly_score, "
        "severity, is_baseline_period, score_status) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
        "ON CONFLICT (metric_date, service_type, instance_id, metric_name) DO UPDATE SET "
        "spc_stat = excluded.spc_stat, value = excluded.value, rolling_mean_14d = "
        "excluded.rolling_mean_14d, "
        "rolling_std_14d = excluded.rolling_std_14d, sigma = excluded.sigma, baseline_days = "
        "excluded.baseline_days, "
        "z_score = excluded.z_score, we_rules = excluded.we_rules, roc_pct = excluded.roc_pct, "
        "anomaly_score = excluded.anomaly_score, severity = excluded.severity, "
        "is_baseline_period = excluded.is_baseline_period, score_status = excluded.score_status, "
        "updated_at = " +
        std::string(kNow));
    for (const AnomalyScoreRow& r : rows) {
      rows::bind_anomaly_score(s.reset(), r);
      s.run();
    }
    return rows.size();
  }

  std::vector<AnomalyScoreRow> load_anomaly_scores(Day from, Day to) override {
    Stmt s(db_, std::string("SELECT ") + rows::kAnomalyScoreColumns +
                    " FROM infra_anomaly_scores WHERE metric_date BETWEEN ? AND ? ORDER BY "
                    "metric_date, service_type, instance_id, metric_name");
    s.bind(from).bind(to);
    std::vector<AnomalyScoreRow> out;
    while (s.step()) out.push_back(rows::read_anomaly_score(s));
    return out;
  }

  void visit_scored_history(Day from, Day to, std::span<const ServiceType> services,
                            const std::function<void(const AnomalyScoreRow&)>& fn) override {
    const bool arch = archived("infra_anomaly_scores", from, to);
    Stmt s(db_, rows::history_select("infra_anomaly_scores", rows::kScoredHistoryColumns,
                                     "metric_date BETWEEN ? AND ? AND score_status = 'SCORED'" +
                                         services_in(services),
                                     "1, 2, 3, 4", arch));
    rows::bind_window(s, from, to, services, arch);
    AnomalyScoreRow r;
    while (s.step()) {
      rows::read_scored_history(s, r);
      fn(r);
    }
  }

  size_t upsert_health_scores(std::span<const HealthRow> rows) override {
    auto& s = cached(
        "INSERT INTO infra_health_scores (metric_date, service_type, instance_id, cpu_score, "
        "memory_score, "
        "storage_score, connections_score, latency_score, throughput_score, errors_score, "
        "health_score, grade, "
        "trend_direction) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) "
        "ON CONFLICT (metric_date, service_type, instance_id) DO UPDATE SET "
        "cpu_score = excluded.cpu_score, memory_score = excluded.memory_score, storage_score = "
        "excluded.storage_score, "
        "connections_score = excluded.connections_score, latency_score = excluded.latency_score, "
        "throughput_score = excluded.throughput_score, errors_score = excluded.errors_score, "
        "health_score = excluded.health_score, grade = excluded.grade, trend_direction = "
        "excluded.trend_direction, "
        "updated_at = " +
        std::string(kNow));
    for (const HealthRow& r : rows) {
      rows::bind_health(s.reset(), r);
      s.run();
    }
    return rows.size();
  }

  std::vector<HealthRow> load_health_scores(Day from, Day to) override {
    const bool arch = archived("infra_health_scores", from, to);
    Stmt s(db_, rows::history_select("infra_health_scores", rows::kHealthColumns,
                                     "metric_date BETWEEN ? AND ?", "2, 3, 1", arch));
    rows::bind_window(s, from, to, {}, arch);
    std::vector<HealthRow> out;
    while (s.step()) out.push_back(rows::read_health(s));
    return out;
  }

  size_t delete_stale_alerts(Day day, std::span<const ServiceType> services,
                             std::span<const AlertKey> keep) override {
    const std::set<AlertKey> keep_set(keep.begin(), keep.end());
    Stmt s(db_, rows::kStaleAlertCandidates);
    s.bind(day);
    std::vector<int64_t> stale;
    while (s.step())
      if (rows::is_stale_alert(s, services, keep_set)) stale.push_back(s.integer(0));
    auto& del = cached("DELETE FROM infra_anomaly_alerts WHERE id = ?");
    for (int64_t id : stale) del.reset().bind(id).run();
    return stale.size();
  }

  size_t acknowledge_info_before(Day before, const std::string& by) override {
    auto& s = cached(
        "UPDATE infra_anomaly_alerts SET acknowledged = 1, acknowledged_by = ?, acknowledged_at "
        "= " +
        std::string(kNow) + " WHERE severity = 'INFO' AND acknowledged = 0 AND alert_date < ?");
    s.reset().bind(by).bind(before).run();
    return static_cast<size_t>(sqlite3_changes(db_));
  }

  size_t upsert_alerts(std::span<const Alert> rows) override {
    auto& s = cached(
        "INSERT INTO infra_anomaly_alerts (alert_date, service_type, instance_id, metric_name, "
        "alert_type, severity, "
        "value, baseline_mean, baseline_sigma, z_score, we_rules, roc_pct, anomaly_score, "
        "consecutive_anomaly_days, "
        "message, recommended_action) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
        "ON CONFLICT (alert_date, service_type, instance_id, metric_name, alert_type) DO UPDATE "
        "SET severity = excluded.severity, value = "
        "excluded.value, "
        "baseline_mean = excluded.baseline_mean, baseline_sigma = excluded.baseline_sigma, "
        "z_score = excluded.z_score, we_rules = excluded.we_rules, roc_pct = excluded.roc_pct, "
        "anomaly_score = excluded.anomaly_score, consecutive_anomaly_days = "
        "excluded.consecutive_anomaly_days, "
        "message = excluded.message, recommended_action = excluded.recommended_action, "
        "updated_at = " +
        std::string(kNow));
    for (const Alert& r : rows) {
      rows::bind_alert(s.reset(), r);
      s.run();
    }
    return rows.size();
  }

  std::vector<Alert> load_alerts(Day day) override {
    Stmt s(db_, "SELECT " + rows::alert_columns("acknowledged_at") +
                    " FROM infra_anomaly_alerts WHERE alert_date = ? ORDER BY " +
                    rows::kAlertOrder);
    s.bind(day);
    std::vector<Alert> out;
    while (s.step()) out.push_back(rows::read_alert(s));
    return out;
  }

  size_t acknowledge_alerts(const AckFilter& f, const std::string& by,
                            const std::string& note) override {
    std::string sql =
        "UPDATE infra_anomaly_alerts SET acknowledged = 1, acknowledged_by = ?, acknowledged_at "
        "= " +
        std::string(kNow) + ", notes = COALESCE(?, notes) WHERE acknowledged = 0";
    if (f.id) sql += " AND id = ?";
    if (f.instance_id) sql += " AND instance_id = ?";
    if (f.severity) sql += " AND severity = ?";
    if (f.before) sql += " AND alert_date < ?";
    Stmt s(db_, sql);
    s.bind(by).bind_text_or_null(note);
    if (f.id) s.bind(*f.id);
    if (f.instance_id) s.bind(*f.instance_id);
    if (f.severity) s.bind(to_string(*f.severity));
    if (f.before) s.bind(*f.before);
    s.run();
    return static_cast<size_t>(sqlite3_changes(db_));
  }

  std::vector<RunSummary> recent_runs(int limit) override {
    Stmt s(db_,
           "SELECT run_id, MIN(target_date), MIN(created_at) AS started, MAX(created_at), "
           "SUM(status = 'SUCCESS'), SUM(status = 'FAILED'), SUM(status = 'SKIPPED'), "
           "SUM(rows_affected) "
           "FROM infra_monitoring_pipeline_log GROUP BY run_id ORDER BY started DESC, run_id DESC "
           "LIMIT ?");
    s.bind(limit);
    std::vector<RunSummary> out;
    while (s.step()) out.push_back(rows::read_run_summary(s));
    return out;
  }

  std::string last_success_at() override {
    Stmt s(db_,
           "SELECT COALESCE(MAX(created_at), '') FROM infra_monitoring_pipeline_log WHERE status = "
           "'SUCCESS'");
    s.step();
    return s.text(0);
  }

  std::vector<StepLogRow> failed_steps_since(const std::string& ts) override {
    return step_log_rows(
        "WHERE status = 'FAILED' AND created_at >= ? ORDER BY created_at DESC, id DESC", ts);
  }

  std::map<std::string, std::optional<Day>> latest_dates() override {
    std::map<std::string, std::optional<Day>> out;
    for (const auto& [table, col] : kDataTables) {
      Stmt s(db_, std::string("SELECT MAX(") + col + ") FROM " + table);
      s.step();
      out[table] = s.is_null(0) ? std::nullopt : std::optional<Day>(s.day(0));
    }
    return out;
  }

  int64_t archive_rows(const std::string& table, Day before) override {
    const std::string col = rows::archive_date_column(table);
    Stmt count(db_, "SELECT COUNT(*) FROM " + table + " WHERE " + col + " < ?");
    count.bind(before).step();
    const int64_t expected = count.integer(0);
    Stmt(db_, rows::archive_replaced(table)).bind(before).run();
    Stmt copy(
        db_, "INSERT INTO " + table + "_archive SELECT * FROM " + table + " WHERE " + col + " < ?");
    copy.bind(before).run();
    const int64_t copied = sqlite3_changes(db_);
    Stmt del(db_, "DELETE FROM " + table + " WHERE " + col + " < ?");
    del.bind(before).run();
    const int64_t deleted = sqlite3_changes(db_);
    rows::check_archive_counts(table, expected, copied, deleted);
    return expected;
  }

  size_t delete_step_log_before(const std::string& ts) override {
    Stmt s(db_, "DELETE FROM infra_monitoring_pipeline_log WHERE created_at < ?");
    s.bind(ts).run();
    return static_cast<size_t>(sqlite3_changes(db_));
  }

  void append_step_log(const StepLogRow& r) override {
    auto& s = cached(
        "INSERT INTO infra_monitoring_pipeline_log (run_id, target_date, step_num, step_name, "
        "status, "
        "rows_affected, duration_seconds, error_message, created_at) VALUES (?,?,?,?,?,?,?,?,?) "
        "ON CONFLICT (run_id, step_num) DO UPDATE SET status = excluded.status, "
        "rows_affected = excluded.rows_affected, duration_seconds = excluded.duration_seconds, "
        "error_message = excluded.error_message, created_at = excluded.created_at");
    rows::bind_step_log(s.reset(), r);
    s.run();
  }

  std::vector<StepLogRow> load_step_log(const std::string& run_id) override {
    return step_log_rows("WHERE run_id = ? ORDER BY step_num", run_id);
  }

  std::string latest_run_id(Day target_date) override {
    Stmt s(db_,
           "SELECT run_id FROM infra_monitoring_pipeline_log WHERE target_date = ? "
           "ORDER BY created_at DESC, id DESC LIMIT 1");
    s.bind(target_date);
    return s.step() ? s.text(0) : std::string();
  }

  std::map<std::string, int64_t> day_counts(Day day) override {
    std::map<std::string, int64_t> out;
    for (const auto& [table, col] : kDataTables) {
      Stmt s(db_, std::string("SELECT COUNT(*) FROM ") + table + " WHERE " + col + " = ?");
      s.bind(day).step();
      out[table] = s.integer(0);
    }
    Stmt s(db_, "SELECT COUNT(*) FROM infra_monitoring_pipeline_log WHERE run_id = ?");
    s.bind(latest_run_id(day)).step();
    out["infra_monitoring_pipeline_log"] = s.integer(0);
    Stmt inv(db_, "SELECT COUNT(*) FROM infra_fleet_inventory WHERE status = 'ACTIVE'");
    inv.step();
    out["infra_fleet_inventory"] = inv.integer(0);
    return out;
  }

  std::map<std::string, int64_t> grade_distribution(Day day) override {
    Stmt s(db_,
           "SELECT COALESCE(grade, 'no score'), COUNT(*) FROM infra_health_scores WHERE "
           "metric_date = ? "
           "GROUP BY grade ORDER BY grade");
    s.bind(day);
    std::map<std::string, int64_t> out;
    while (s.step()) out[s.text(0)] = s.integer(1);
    return out;
  }

  std::vector<PartitionReport> maintain_partitions(Day, int, bool) override {
    throw UsageError("partitions: " + describe() +
                     " is SQLite, which has no partitions (they are a MySQL/MariaDB feature)");
  }

 private:
  // Pipeline log rows selected by `where_order` (one text parameter).
  std::vector<StepLogRow> step_log_rows(const std::string& where_order, const std::string& param) {
    Stmt s(db_, "SELECT " + rows::step_log_columns("created_at") +
                    " FROM infra_monitoring_pipeline_log " + where_order);
    s.bind(param);
    std::vector<StepLogRow> out;
    while (s.step()) out.push_back(rows::read_step_log(s));
    return out;
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
