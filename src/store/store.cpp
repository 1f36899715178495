#include "store/store.h"

#include "store/mysql/mysql_store.h"
#include "store/rows.h"
#include "store/sqlite/sqlite_store.h"

namespace im::store {

std::vector<DailyMetric> HistoryReader::load_daily_metrics(Day from, Day to,
                                                   std::span<const ServiceType> services) {
  std::vector<DailyMetric> out;
  visit_daily_metrics(from, to, services, [&](const DailyMetric& m) { out.push_back(m); });
  return out;
}

const std::vector<std::string>& OperatorStore::archivable_tables() {
  static const std::vector<std::string> tables = [] {
    std::vector<std::string> t;
    for (const auto& [table, date_column] : rows::kDataTables) t.emplace_back(table);
    return t;
  }();
  return tables;
}

std::unique_ptr<Store> open_store(const StorageUrl& url, OpenMode mode, const MysqlOptions& mysql,
                                  bool migrate) {
  std::unique_ptr<Store> store;
  switch (url.kind) {
    case StorageUrl::Kind::SQLITE:
      store = open_sqlite(url.path, mode);
      break;
    case StorageUrl::Kind::MYSQL:
      store = open_mysql(url, mode, mysql);
      break;
  }
  if (!store) throw StoreError("unknown storage kind");
  if (migrate) store->migrate();
  return store;
}

void throw_schema_too_new(const std::string& where, int found, int known) {
  throw ConfigError("the database " + where + " has schema version " + std::to_string(found) +
                    ", newer than this program's " + std::to_string(known) +
                    ": a newer infra-monitor wrote it; run that version (this one does not read "
                    "or write a schema it does not know)");
}

}  // namespace im::store
