#include "store/store.h"

#include "store/mysql/mysql_store.h"
#include "store/rows.h"
#include "store/sqlite/sqlite_store.h"

namespace im::store {

std::vector<DailyMetric> Store::load_daily_metrics(Day from, Day to,
                                                   std::span<const ServiceType> services) {
  std::vector<DailyMetric> out;
  visit_daily_metrics(from, to, services, [&](const DailyMetric& m) { out.push_back(m); });
  return out;
}

const std::vector<std::string>& Store::archivable_tables() {
  static const std::vector<std::string> tables = [] {
    std::vector<std::string> t;
    for (const auto& [table, date_column] : rows::kDataTables) t.emplace_back(table);
    return t;
  }();
  return tables;
}

std::unique_ptr<Store> open_store(const StorageUrl& url, OpenMode mode, const MysqlOptions& mysql) {
  switch (url.kind) {
    case StorageUrl::Kind::SQLITE:
      return open_sqlite(url.path, mode);
    case StorageUrl::Kind::MYSQL:
      return open_mysql(url, mode, mysql);
  }
  throw StoreError("unknown storage kind");
}

}  // namespace im::store
