// The store: the six tables on SQLite (the embedded default) or MySQL/MariaDB (production),
// behind role interfaces (pipeline writes, history reads, operator commands, and month
// partitions as a capability only MySQL has). Writes are idempotent upserts on each table's
// natural key, in the caller's transactions.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/records.h"
#include "core/storage_url.h"
#include "core/types.h"

namespace im::store {

// The row types are core's (core/records.h): the same from the engine to the store.
using im::Alert;
using im::AnomalyScoreRow;
using im::HealthRow;
using im::InventoryRow;
using im::StepLogRow;

// Held while a run writes; released by destruction. Two runs on one database never overlap.
class RunLock {
 public:
  virtual ~RunLock() = default;
};

// One run as the pipeline log records it (guide section 4.1).
struct RunSummary {
  std::string run_id;
  Day target_date;
  std::string started_at, finished_at;  // UTC timestamps of its first and last log row
  int succeeded = 0, failed = 0, skipped = 0;
  int64_t rows = 0;
};

// Which alerts `ack` acknowledges: every given condition must hold; unacknowledged only.
struct AckFilter {
  std::optional<int64_t> id = {};
  std::optional<std::string> instance_id = {};
  std::optional<Severity> severity = {};
  std::optional<Day> before = {};  // alert_date < before
};

// READ_ONLY: reads only (status); nothing is created, migrated or written, so a database
// file without write permission still answers.
enum class OpenMode { READ_WRITE, DRY_RUN, READ_ONLY };

// How to reach a MySQL/MariaDB server beyond its URL (the `mysql:` settings).
struct MysqlOptions {
  std::string password;                          // never logged, never in an error message
  int connect_timeout = 30, read_timeout = 120;  // seconds; read_timeout also bounds writes
  Charset charset = Charset::UTF8MB4;
  TlsMode ssl_mode = TlsMode::PREFERRED;
  std::string ssl_ca;  // CA file for the server certificate (system CAs if empty)
  // Opening the store: an unreachable server is tried this many more times, backing off
  // exponentially from retry_delay_seconds (the pipeline's own retry settings).
  int connect_retries = 3;
  double retry_delay_seconds = 60;
};

// Month partitions of the two big tables (MySQL/MariaDB): what `partitions` found and did.
struct PartitionReport {
  std::string table;
  bool partitioned = false;
  std::vector<std::string> existing, added;  // partition names, e.g. p202612
};

// ---- Role interfaces: each caller takes the narrowest one it needs --------------------------

// Transactions: a caller brackets its writes (store::Transaction below does it for a scope).
class Transactional {
 public:
  virtual ~Transactional() = default;
  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() = 0;  // no-op when no transaction is open
};

// What the pipeline writes: idempotent upserts on each table's natural key.
class PipelineWriter : public virtual Transactional {
 public:
  // Inventory: first_seen/last_seen widen; an instance seen on its newest day is ACTIVE.
  virtual size_t upsert_inventory(std::span<const Instance> seen, Day day) = 0;
  // Instances of `services` from `source` not seen for more than `grace_days` days before
  // `day` (last_seen < day - grace_days) become DECOMMISSIONED, unless a later day was already
  // refreshed. Manual rows are never touched.
  virtual size_t mark_decommissioned(std::span<const ServiceType> services,
                                     const std::string& source, Day day, int grace_days) = 0;
  virtual size_t upsert_daily_metrics(std::span<const DailyMetric> rows) = 0;
  virtual size_t upsert_anomaly_scores(std::span<const AnomalyScoreRow> rows) = 0;
  virtual size_t upsert_health_scores(std::span<const HealthRow> rows) = 0;
  // Updates every column but acknowledged, acknowledged_by, acknowledged_at and notes.
  virtual size_t upsert_alerts(std::span<const Alert> rows) = 0;
  // Removes the day's alerts of `services` that a recompute no longer raises (not in `keep`),
  // unless an operator touched them (acknowledged or annotated).
  virtual size_t delete_stale_alerts(Day day, std::span<const ServiceType> services,
                                     std::span<const AlertKey> keep) = 0;
  // Acknowledges, as `by`, unacknowledged INFO alerts dated before `before`.
  virtual size_t acknowledge_info_before(Day before, const std::string& by) = 0;
  virtual void append_step_log(const StepLogRow& row) = 0;
};

// What the pipeline, the summary and the scoring read. History reads also see the archive
// tables where they hold rows of the window.
class HistoryReader {
 public:
  virtual ~HistoryReader() = default;
  virtual std::vector<InventoryRow> load_inventory() = 0;
  // Rows with from <= metric_date <= to for the given services (all when empty), ascending
  // by date (so each series' rows are in day order).
  std::vector<DailyMetric> load_daily_metrics(Day from, Day to,
                                              std::span<const ServiceType> services);
  // The same rows, streamed: no vector of the whole window is built (history reads).
  virtual void visit_daily_metrics(Day from, Day to, std::span<const ServiceType> services,
                                   const std::function<void(const DailyMetric&)>& fn) = 0;
  virtual std::vector<AnomalyScoreRow> load_anomaly_scores(Day from, Day to) = 0;
  // Only SCORED rows, only what the rules need (date, series, value, z, severity), for the
  // given services (all when empty). Ascending by date.
  virtual void visit_scored_history(Day from, Day to, std::span<const ServiceType> services,
                                    const std::function<void(const AnomalyScoreRow&)>& fn) = 0;
  virtual std::vector<HealthRow> load_health_scores(Day from, Day to) = 0;
  virtual std::vector<Alert> load_alerts(Day day) = 0;
};

// Operators' commands: acknowledgements, monitoring the monitor (guide section 4), retention.
class OperatorStore : public virtual Transactional {
 public:
  virtual std::string describe() const = 0;  // e.g. "sqlite:///abs/var/infra_monitor.db"
  // Who holds the run lock now ("pid N on HOST since T UTC"), without taking it; "" when free.
  virtual std::string run_lock_holder() = 0;
  // Acknowledges the unacknowledged alerts matching `filter`; returns how many.
  virtual size_t acknowledge_alerts(const AckFilter& filter, const std::string& by,
                                    const std::string& note) = 0;
  virtual std::vector<RunSummary> recent_runs(int limit) = 0;
  virtual std::string last_success_at() = 0;  // "" when no step ever succeeded
  virtual std::vector<StepLogRow> failed_steps_since(const std::string& utc_timestamp) = 0;
  // MAX(date) of each data table; nullopt for an empty table.
  virtual std::map<std::string, std::optional<Day>> latest_dates() = 0;
  virtual std::vector<StepLogRow> load_step_log(const std::string& run_id) = 0;
  // The run_id of the latest run for a target date ("" when none).
  virtual std::string latest_run_id(Day target_date) = 0;
  // Rows of `day` per table (the guide's section 3 validation counts).
  virtual std::map<std::string, int64_t> day_counts(Day day) = 0;
  virtual std::map<std::string, int64_t> grade_distribution(Day day) = 0;

  // The four data tables that `archive` moves, oldest rows first.
  static const std::vector<std::string>& archivable_tables();
  // Moves the rows of `table` dated before `before` into `<table>_archive` and deletes them,
  // inside the caller's transaction; throws StoreError unless both counts match. Returns rows.
  virtual int64_t archive_rows(const std::string& table, Day before) = 0;
  // Deletes pipeline log rows created before the timestamp (retention); returns how many.
  virtual size_t delete_step_log_before(const std::string& utc_timestamp) = 0;
};

// Month partitions of infra_metric_daily and infra_anomaly_scores (guide sections 8 and 11):
// a capability of MySQL/MariaDB only (Store::partitions()).
class PartitionAdmin {
 public:
  virtual ~PartitionAdmin() = default;
  // Makes sure both tables have a partition for every month up to `months_ahead` months after
  // `today`'s, splitting them out of p_future. With `create`, a table that is not yet
  // partitioned is partitioned by month from its oldest row.
  virtual std::vector<PartitionReport> maintain_partitions(Day today, int months_ahead,
                                                           bool create) = 0;
};

// An open database: its schema, its run lock, and every role above.
class Store : public PipelineWriter, public HistoryReader, public OperatorStore {
 public:
  virtual int schema_version() = 0;
  virtual int latest_schema_version() const = 0;
  // Applies pending migrations; returns how many. Safe when several processes migrate at
  // once (they serialize; each migration is applied once). Throws ConfigError when the
  // database's schema is newer than this program's: it never writes to a schema it does not
  // know.
  virtual int migrate() = 0;
  // Throws LockBusyError naming the holder when another run holds the lock.
  virtual std::unique_ptr<RunLock> acquire_run_lock(const std::string& holder) = 0;
  // The month partitions of this backend, or null when it has none (SQLite).
  virtual PartitionAdmin* partitions() { return nullptr; }
};

// A transaction for the scope of a block: begun by the constructor, rolled back by the
// destructor unless commit() succeeded (an exception leaves nothing half-written). On a
// DRY_RUN store commit() rolls back. Hold it only around writes: never across network I/O,
// so that an operator's `ack` never waits for a slow source.
class Transaction {
 public:
  explicit Transaction(Transactional& store) : store_(store) { store_.begin(); }
  ~Transaction() {
    if (!open_) return;
    try {
      store_.rollback();
    } catch (...) {  // a lost connection has rolled it back already
    }
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit() {
    store_.commit();
    open_ = false;
  }

 private:
  Transactional& store_;
  bool open_ = true;
};

// Opens (creating if needed) the store at `url` and applies pending migrations. In DRY_RUN
// mode nothing is created or changed on disk: a missing SQLite file is replaced by an empty
// in-memory database, and the caller rolls back every transaction.
// `mysql` applies to mysql:// URLs only.
// With `migrate` false the caller migrates itself, e.g. after taking the run lock.
std::unique_ptr<Store> open_store(const StorageUrl& url, OpenMode mode = OpenMode::READ_WRITE,
                                  const MysqlOptions& mysql = {}, bool migrate = true);

// The ConfigError of a database whose schema is newer than this program's.
[[noreturn]] void throw_schema_too_new(const std::string& where, int found, int known);

}  // namespace im::store
