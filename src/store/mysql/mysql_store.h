// MySQL/MariaDB backend of the store (production): MariaDB Connector/C, prepared statements,
// multi-row upserts, one transaction per pipeline step, GET_LOCK as the run lock.
#pragma once

#include <memory>

#include "core/storage_url.h"
#include "store/store.h"

namespace im::store {

std::unique_ptr<Store> open_mysql(const StorageUrl& url, OpenMode mode, const MysqlOptions& opts);

}  // namespace im::store
