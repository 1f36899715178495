#include "store/mysql/mysql_store.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <set>
#include <thread>

#include "core/backoff.h"
#include "core/text_safety.h"
#include "store/migrations.h"
#include "store/mysql/connection.h"
#include "store/rows.h"
#include "store/sql_core.h"

namespace im::store {

namespace {

using mysql::Connection;
using mysql::Statement;

// Rows per multi-row INSERT: 500 rows x 17 columns stays far below the 65,535 placeholders a
// prepared statement may have, and each statement stays well under max_allowed_packet.
constexpr size_t kBatchRows = 500;

using rows::kDataTables;

constexpr unsigned kDuplicateColumn = 1060;  // ER_DUP_FIELDNAME
constexpr const char* kPartitionedTables[] = {"infra_metric_daily", "infra_anomaly_scores"};

// GET_LOCK names are limited to 64 characters.
// A server-wide lock name of at most 64 characters (MariaDB's limit). A name that would be
// longer keeps its start and ends with a hash of the whole database name: two databases
// sharing their first characters never share a lock.
std::string lock_name(const std::string& database, const char* what) {
  std::string name = "infra_monitor:" + std::string(what) + ":" + database;
  if (name.size() <= 64) return name;
  uint64_t h = 1469598103934665603ull;  // FNV-1a, 64 bits
  for (unsigned char c : database) h = (h ^ c) * 1099511628211ull;
  char hex[20];
  std::snprintf(hex, sizeof hex, "~%016llx", static_cast<unsigned long long>(h));
  return name.substr(0, 64 - 17) + hex;
}

// Year and month of a day, and the first day of the month `k` months later.
std::pair<int, int> year_month(Day d) {
  std::string s = d.str();
  return {std::stoi(s.substr(0, 4)), std::stoi(s.substr(5, 2))};
}
Day month_start(int year, int month) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-01", year + (month - 1) / 12, (month - 1) % 12 + 1);
  return *Day::parse(buf);
}
std::string partition_name(Day month) {
  auto [y, m] = year_month(month);
  char buf[16];
  std::snprintf(buf, sizeof buf, "p%04d%02d", y, m);
  return buf;
}
std::string less_than(Day bound) {
  return "VALUES LESS THAN (TO_DAYS('" + bound.str() + "'))";
}

// The session holding GET_LOCK: the lock lives exactly as long as this connection.
class ServerLock final : public RunLock {
 public:
  ServerLock(std::unique_ptr<Connection> conn, std::string name)
      : conn_(std::move(conn)), name_(std::move(name)) {}
  ~ServerLock() override {
    try {
      Statement s(*conn_, "SELECT RELEASE_LOCK(?)");
      s.bind(name_).execute();
      s.done();
    } catch (...) {
      // closing the session below releases the lock anyway
    }
  }

 private:
  std::unique_ptr<Connection> conn_;
  std::string name_;
};

class NoLock final : public RunLock {};

// The longest wait between two attempts to reach the server when opening the store.
constexpr double kMaxConnectWaitSeconds = 60;

class MysqlStore final : public SqlCore<MysqlStore>, public PartitionAdmin {
 public:
  MysqlStore(StorageUrl url, OpenMode mode, MysqlOptions opts)
      : url_(std::move(url)), mode_(mode), opts_(std::move(opts)) {
    // An unreachable server at start-up is tried again with exponential backoff and
    // jitter; a refused login or a missing database fails at once.
    Backoff backoff(opts_.retry_delay_seconds, kMaxConnectWaitSeconds);
    for (int attempt = 0;; ++attempt) {
      try {
        conn_ = std::make_unique<Connection>(url_, opts_);
        break;
      } catch (const TransientError&) {
        if (attempt >= opts_.connect_retries) throw;
        std::this_thread::sleep_for(std::chrono::duration<double>(backoff.delay(attempt)));
      }
    }
  }
  ~MysqlStore() override {
    try {
      rollback();
    } catch (...) {
    }
    stmts_.clear();
  }

  std::string describe() const override { return url_.str(); }

  int schema_version() override {
    Connection& c = db();
    if (c.scalar("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
                 "AND TABLE_NAME = 'schema_version'") == "0")
      return 0;
    return std::stoi(c.scalar("SELECT COALESCE(MAX(version), 0) FROM schema_version"));
  }
  int latest_schema_version() const override {
    const auto& m = mysql_migrations();
    return m.empty() ? 0 : m.back().version;
  }

  // DDL commits implicitly in MySQL, so a migration is not one transaction: each is written
  // to be re-runnable (IF NOT EXISTS), and a server-wide lock keeps two hosts from
  // migrating at once.
  int migrate() override {
    int current = schema_version();
    if (current > latest_schema_version())
      throw_schema_too_new(describe(), current, latest_schema_version());
    if (current >= latest_schema_version()) return 0;
    if (mode_ != OpenMode::READ_WRITE)
      throw StoreError("the database " + url_.str() + " has schema version " +
                       std::to_string(current) + " but this program needs " +
                       std::to_string(latest_schema_version()) +
                       "; run `infra-monitor init-db` first (a dry run changes nothing)");
    Connection& c = db();
    const std::string lock = lock_name(url_.database, "migrate");
    Statement get(c, "SELECT GET_LOCK(?, 60)");
    get.bind(lock).execute();
    bool locked = get.fetch() && get.integer(0) == 1;
    get.done();
    if (!locked)
      throw StoreError("mysql: another process is migrating " + url_.str() +
                       " (waited 60 s for lock " + lock + ")");
    int applied = 0;
    try {
      c.query(
          "CREATE TABLE IF NOT EXISTS schema_version (version INT NOT NULL PRIMARY KEY, "
          "description VARCHAR(255) NOT NULL, applied_at DATETIME NOT NULL) ENGINE = InnoDB "
          "DEFAULT CHARSET = utf8mb4");
      current = schema_version();  // another host may have finished while we waited
      if (current == 0) refuse_foreign_tables(c);
      for (const Migration& m : mysql_migrations()) {
        if (m.version <= current) continue;
        for (const std::string& stmt : split_sql_statements(m.sql)) {
          try {
            c.query(stmt);
          } catch (const std::exception& e) {
            // ADD COLUMN of a column an interrupted run already added (MySQL has no
            // ADD COLUMN IF NOT EXISTS): the statement is done.
            if (c.last_error() == kDuplicateColumn) continue;
            throw StoreError("migration " + std::to_string(m.version) + " (" +
                             std::string(m.description) + ") failed at `" +
                             statement_summary(stmt) + "`: " + answer_excerpt(e.what(), 300));
          }
        }
        Statement s(c,
                    "INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, "
                    "UTC_TIMESTAMP())");
        s.bind(m.version).bind(m.description).execute();
        ++applied;
      }
    } catch (...) {
      release_lock(c, lock);
      throw;
    }
    release_lock(c, lock);
    return applied;
  }

  void refuse_foreign_tables(Connection& c) {
    std::vector<std::string> found;
    Statement q(c,
                "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
                "ORDER BY TABLE_NAME");
    q.execute();
    const auto& own = own_tables();
    while (q.fetch())
      if (std::find(own.begin(), own.end(), q.text(0)) != own.end()) found.push_back(q.text(0));
    if (!found.empty()) throw_foreign_tables(describe(), found);
  }

  std::string run_lock_holder() override {
    const std::string name = lock_name(url_.database, "run");
    Statement used(db(), "SELECT IS_USED_LOCK(?)");
    used.bind(name).execute();
    const bool held = used.fetch() && !used.is_null(0);
    used.done();
    return held ? holder_note(db(), name) : "";
  }

  // The note the holder of lock `name` left in infra_run_lock_holder ("another session" when
  // there is none: before the first migration, or a holder that left none).
  std::string holder_note(Connection& c, const std::string& name) {
    std::string who = "another session";
    try {
      Statement h(c,
                  "SELECT CONCAT(holder, ' since ', DATE_FORMAT(acquired_at, '%Y-%m-%d "
                  "%H:%i:%s'), ' UTC') FROM infra_run_lock_holder WHERE lock_name = ?");
      h.bind(name).execute();
      if (h.fetch()) who = h.text(0);
      h.done();
    } catch (const StoreError&) {
    }
    return who;
  }

  std::unique_ptr<RunLock> acquire_run_lock(const std::string& holder) override {
    if (mode_ == OpenMode::DRY_RUN) return std::make_unique<NoLock>();
    // A session of its own: the data session may be replaced after a lost connection,
    // and a lock belongs to the session that took it.
    auto conn = std::make_unique<Connection>(url_, opts_);
    const std::string name = lock_name(url_.database, "run");
    Statement get(*conn, "SELECT GET_LOCK(?, 0)");
    get.bind(name).execute();
    bool locked = get.fetch() && get.integer(0) == 1;
    get.done();
    if (!locked) {
      const std::string who = holder_note(*conn, name);
      throw LockBusyError("another run holds the lock " + name + " on " + url_.str() + " (" + who +
                          "); wait for it to finish");
    }
    try {
      Statement note(*conn,
                     "REPLACE INTO infra_run_lock_holder (lock_name, holder, acquired_at) VALUES "
                     "(?, ?, UTC_TIMESTAMP())");
      note.bind(name).bind(holder.substr(0, 255)).execute();
    } catch (const StoreError&) {
      // Before the first migration there is no table for the note: the lock holds anyway.
    }
    return std::make_unique<ServerLock>(std::move(conn), name);
  }

  void begin() override {
    if (in_tx_) throw StoreError("mysql: nested transaction");
    db().query("START TRANSACTION");
    in_tx_ = true;
  }
  void commit() override {
    if (mode_ == OpenMode::DRY_RUN) return rollback();
    if (!in_tx_) throw StoreError("mysql: commit without a transaction");
    in_tx_ = false;  // whatever COMMIT answers, the transaction is over
    conn_->query("COMMIT");
  }
  void rollback() override {
    if (!in_tx_) return;
    in_tx_ = false;
    if (!conn_ || !conn_->usable()) return;  // the server rolled it back with the session
    try {
      conn_->query("ROLLBACK");
    } catch (const std::exception&) {
      // a session that cannot roll back is gone: the server discards its transaction
    }
  }

  size_t upsert_inventory(std::span<const Instance> seen, Day day) override {
    // MySQL cannot read the table it upserts into from the same statement, so the newest
    // day seen per (service, source) is read first: re-running an old day must not revive
    // an instance retired since.
    std::map<std::pair<std::string, std::string>, Day> newest;
    {
      Statement s(db(),
                  "SELECT service_type, source, MAX(last_seen) FROM infra_fleet_inventory "
                  "GROUP BY service_type, source");
      s.execute();
      while (s.fetch()) newest[{s.text(0), s.text(1)}] = s.day(2);
    }
    std::map<std::pair<std::string, std::string>, std::vector<const Instance*>> groups;
    for (const Instance& i : seen)
      groups[{std::string(to_string(i.service)), i.source}].push_back(&i);
    // Assignments run left to right and see the columns already changed: last_seen last.
    const std::string tail =
        " ON DUPLICATE KEY UPDATE"
        " status = CASE WHEN VALUES(last_seen) >= ? THEN 'ACTIVE' ELSE status END,"
        " instance_name = IF(VALUES(last_seen) >= last_seen, VALUES(instance_name), "
        "instance_name),"
        " instance_class = IF(VALUES(last_seen) >= last_seen, VALUES(instance_class), "
        "instance_class),"
        " engine = IF(VALUES(last_seen) >= last_seen, VALUES(engine), engine),"
        " region = IF(VALUES(last_seen) >= last_seen, VALUES(region), region),"
        " allocated_storage_gb = IF(VALUES(last_seen) >= last_seen, "
        "VALUES(allocated_storage_gb), allocated_storage_gb),"
        " max_memory_bytes = IF(VALUES(last_seen) >= last_seen, VALUES(max_memory_bytes), "
        "max_memory_bytes),"
        " tags = IF(VALUES(last_seen) >= last_seen, VALUES(tags), tags),"
        " source = VALUES(source),"
        " first_seen = LEAST(first_seen, VALUES(first_seen)),"
        " last_seen = GREATEST(last_seen, VALUES(last_seen))";
    for (const auto& [key, rows] : groups) {
      auto it = newest.find(key);
      Day active_from = it == newest.end() ? day : it->second;
      upsert_rows<const Instance*>(
          "INSERT INTO infra_fleet_inventory (service_type, instance_id, instance_name, "
          "instance_class, engine, region, allocated_storage_gb, max_memory_bytes, tags, status, "
          "source, first_seen, last_seen) VALUES",
          "(?,?,?,?,?,?,?,?,?,'ACTIVE',?,?,?)", tail, std::span<const Instance* const>(rows),
          [&](Statement& s, const Instance* i) { rows::bind_instance(s, *i, day); },
          [&](Statement& s) { s.bind(active_from); });
    }
    return seen.size();
  }

  size_t mark_decommissioned(std::span<const ServiceType> services, const std::string& source,
                             Day day, int grace_days) override {
    size_t changed = 0;
    for (ServiceType svc : services) {
      Statement newest(db(),
                       "SELECT MAX(last_seen) FROM infra_fleet_inventory WHERE service_type = ? "
                       "AND source = ?");
      newest.bind(to_string(svc)).bind(source).execute();
      bool later = !newest.fetch() || newest.is_null(0) || day < newest.day(0);
      newest.done();
      if (later) continue;  // a later day was already refreshed (or nothing is known)
      Statement s(db(),
                  "UPDATE infra_fleet_inventory SET status = 'DECOMMISSIONED' WHERE service_type "
                  "= ? AND source = ? AND status = 'ACTIVE' AND last_seen < ?");
      changed += s.bind(to_string(svc)).bind(source).bind(day - grace_days).execute();
    }
    return changed;
  }

  PartitionAdmin* partitions() override { return this; }

  std::vector<PartitionReport> maintain_partitions(Day today, int months_ahead,
                                                   bool create) override {
    if (in_tx_) throw StoreError("mysql: partition maintenance cannot run inside a transaction");
    auto [ty, tm] = year_month(today);
    const Day horizon = month_start(ty, tm + months_ahead);  // first day of the last month kept
    std::vector<PartitionReport> out;
    for (const char* table : kPartitionedTables) {
      PartitionReport rep;
      rep.table = table;
      Statement parts(db(),
                      "SELECT PARTITION_NAME FROM information_schema.PARTITIONS WHERE "
                      "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND PARTITION_NAME IS NOT "
                      "NULL ORDER BY PARTITION_ORDINAL_POSITION");
      parts.bind(table).execute();
      while (parts.fetch()) rep.existing.push_back(parts.text(0));
      rep.partitioned = !rep.existing.empty();
      if (!rep.partitioned) {
        if (create) partition_table(rep, horizon);
        out.push_back(std::move(rep));
        continue;
      }
      if (std::find(rep.existing.begin(), rep.existing.end(), "p_future") == rep.existing.end())
        throw StoreError("partitions of " + rep.table +
                         " have no p_future partition to split months from; this layout was "
                         "not made by infra-monitor: add partitions by hand");
      // Months after the newest month partition, up to the horizon, split from p_future.
      Day next = month_start(ty, tm);
      for (const auto& name : rep.existing) {
        if (name.size() != 7 || name[0] != 'p') continue;  // p_history, p_future
        int y = std::atoi(name.substr(1, 4).c_str()), m = std::atoi(name.substr(5, 2).c_str());
        if (y > 0 && m >= 1 && m <= 12) next = std::max(next, month_start(y, m + 1));
      }
      while (next <= horizon) {
        auto [y, m] = year_month(next);
        Day after = month_start(y, m + 1);
        db().query("ALTER TABLE " + rep.table + " REORGANIZE PARTITION p_future INTO (PARTITION " +
                   partition_name(next) + " " + less_than(after) +
                   ", PARTITION p_future VALUES LESS THAN MAXVALUE)");
        rep.added.push_back(partition_name(next));
        next = after;
      }
      out.push_back(std::move(rep));
    }
    return out;
  }

 private:
  // The data session: replaced when lost, but never inside a transaction (its writes
  // would be gone and the rest would commit on their own).
  Connection& db() {
    if (!conn_ || !conn_->usable()) {
      if (in_tx_)
        throw TransientError("mysql: the connection to " + url_.str() +
                             " was lost during the transaction");
      stmts_.clear();
      conn_.reset();
      conn_ = std::make_unique<Connection>(url_, opts_);
    }
    return *conn_;
  }

  Statement& cached(const std::string& sql) {
    Connection& c = db();
    auto it = stmts_.find(sql);
    if (it == stmts_.end()) it = stmts_.emplace(sql, std::make_unique<Statement>(c, sql)).first;
    return *it->second;
  }

  // ---- The dialect (store/sql_core.h) ----
  friend class SqlCore<MysqlStore>;
  template <class Bind, class Row>
  void query(const std::string& sql, Bind&& bind, Row&& row) {
    Statement s(db(), sql);
    bind(s);
    s.execute();
    while (s.fetch()) row(s);
  }
  template <class Bind>
  size_t exec(const std::string& sql, Bind&& bind) {
    Statement s(db(), sql);
    bind(s);
    return s.execute();
  }
  static std::string now() { return "UTC_TIMESTAMP()"; }
  static std::string services_in(std::span<const ServiceType> s) { return rows::services_in(s); }
  static std::string ts(const std::string& expr) {
    return "DATE_FORMAT(" + expr + ", '%Y-%m-%d %H:%i:%s')";
  }

  // A table's upsert (rows.h) in MySQL's words; updated_at updates itself (ON UPDATE).
  template <class Row, class Bind>
  size_t upsert(const rows::UpsertSpec& u, std::span<const Row> rows, Bind bind) {
    upsert_rows<Row>(rows::upsert_insert(u), rows::upsert_row(u),
                     " ON DUPLICATE KEY UPDATE " +
                         rows::upsert_updates(
                             u, [](const std::string& c) { return c + " = VALUES(" + c + ")"; }),
                     rows, bind);
    return rows.size();
  }

  // Multi-row INSERT ... ON DUPLICATE KEY UPDATE, kBatchRows rows per statement. The
  // full-size statement is prepared once and kept; the last, shorter one is not.
  template <class T, class BindRow, class BindTail = void (*)(Statement&)>
  void upsert_rows(
      const std::string& head, const std::string& row_placeholders, const std::string& tail,
      std::span<const T> rows, BindRow bind_row, BindTail bind_tail = [](Statement&) {}) {
    for (size_t i = 0; i < rows.size(); i += kBatchRows) {
      const size_t n = std::min(kBatchRows, rows.size() - i);
      std::string sql = head;
      sql.reserve(head.size() + n * (row_placeholders.size() + 1) + tail.size());
      for (size_t r = 0; r < n; ++r) (sql += r ? "," : " ") += row_placeholders;
      sql += tail;
      std::unique_ptr<Statement> once;
      Statement* s = nullptr;
      if (n == kBatchRows) {
        s = &cached(sql);
      } else {
        once = std::make_unique<Statement>(db(), sql);
        s = once.get();
      }
      s->reset();
      for (size_t r = 0; r < n; ++r) bind_row(*s, rows[i + r]);
      bind_tail(*s);
      s->execute();
    }
  }

  void partition_table(PartitionReport& rep, Day horizon) {
    Statement oldest(db(), "SELECT MIN(metric_date) FROM " + rep.table);
    oldest.execute();
    oldest.fetch();
    Day first = horizon;
    if (!oldest.is_null(0)) first = std::min(first, oldest.day(0));
    oldest.done();
    auto [fy, fm] = year_month(first);
    Day month = month_start(fy, fm);
    std::string sql = "ALTER TABLE " + rep.table +
                      " PARTITION BY RANGE (TO_DAYS(metric_date)) (PARTITION p_history " +
                      less_than(month);
    while (month <= horizon) {
      auto [y, m] = year_month(month);
      Day after = month_start(y, m + 1);
      sql += ", PARTITION " + partition_name(month) + " " + less_than(after);
      rep.added.push_back(partition_name(month));
      month = after;
    }
    sql += ", PARTITION p_future VALUES LESS THAN MAXVALUE)";
    db().query(sql);
    rep.added.insert(rep.added.begin(), "p_history");
    rep.added.push_back("p_future");
    rep.partitioned = true;
  }

  static void release_lock(Connection& c, const std::string& name) {
    try {
      Statement s(c, "SELECT RELEASE_LOCK(?)");
      s.bind(name).execute();
      s.done();
    } catch (const std::exception&) {
      // the lock goes with the session
    }
  }

  StorageUrl url_;
  OpenMode mode_;
  MysqlOptions opts_;
  std::unique_ptr<Connection> conn_;
  bool in_tx_ = false;
  std::map<std::string, std::unique_ptr<Statement>> stmts_;
};

}  // namespace

std::unique_ptr<Store> open_mysql(const StorageUrl& url, OpenMode mode, const MysqlOptions& opts) {
  auto s = std::make_unique<MysqlStore>(url, mode, opts);
  return s;
}

}  // namespace im::store
