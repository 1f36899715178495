// SQLite backend of the store (the embedded default).
#pragma once

#include <memory>
#include <string>

#include "store/store.h"

namespace im::store {

// `path` is a file path (relative paths are relative to the working directory; missing
// parent folders are created) or ":memory:".
std::unique_ptr<Store> open_sqlite(const std::string& path, OpenMode mode);

}  // namespace im::store
