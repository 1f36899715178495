// The MariaDB server the test harness started (tests/harness/mariadb.sh, a CTest fixture),
// and scratch databases on it: each test gets a database of its own, dropped at the end.
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include "core/storage_url.h"
#include "store/mysql/connection.h"
#include "store/store.h"
#include "test_util.h"

namespace im::test {

struct MariaDbServer {
  StorageUrl url;  // of the harness's own database
  std::string password;
};

// From IM_TEST_MYSQL_URL / IM_TEST_MYSQL_PASSWORD, or the env file the harness wrote
// (IM_TEST_MYSQL_ENV). Throws (failing the test) when there is no server: these tests never
// skip silently.
inline const MariaDbServer& mariadb() {
  static const MariaDbServer server = [] {
    // IM_TEST_MYSQL_URL / IM_TEST_MYSQL_PASSWORD point at a server of one's own.
    std::map<std::string, std::string> env;
    if (std::getenv("IM_TEST_MYSQL_URL"))
      for (const char* k : {"IM_TEST_MYSQL_URL", "IM_TEST_MYSQL_PASSWORD"})
        env[k] = std::getenv(k) ? std::getenv(k) : "";
    else
      env = harness_env("IM_TEST_MYSQL_ENV", "MariaDB");
    std::string why;
    auto url = parse_storage_url(env["IM_TEST_MYSQL_URL"], why);
    if (!url) throw std::runtime_error("IM_TEST_MYSQL_URL: " + why);
    return MariaDbServer{*url, env["IM_TEST_MYSQL_PASSWORD"]};
  }();
  return server;
}

inline store::MysqlOptions mariadb_options() {
  store::MysqlOptions o;
  o.password = mariadb().password;
  o.connect_timeout = 5;
  o.read_timeout = 60;
  o.connect_retries = 0;
  return o;
}

// A database of its own for one test, created empty and dropped at the end.
class ScratchDatabase {
 public:
  ScratchDatabase() {
    static std::atomic<int> counter{0};
    url_ = mariadb().url;
    url_.database = "im_t" + std::to_string(getpid()) + "_" + std::to_string(counter++);
    admin().query("DROP DATABASE IF EXISTS " + url_.database);
    admin().query("CREATE DATABASE " + url_.database + " CHARACTER SET utf8mb4");
  }
  ~ScratchDatabase() {
    try {
      admin_.reset();
      store::mysql::Connection(mariadb().url, mariadb_options())
          .query("DROP DATABASE IF EXISTS " + url_.database);
    } catch (...) {
    }
  }
  const StorageUrl& url() const { return url_; }
  std::string url_text() const { return url_.str(); }
  std::unique_ptr<store::Store> open(store::OpenMode mode = store::OpenMode::READ_WRITE) const {
    return store::open_store(url_, mode, mariadb_options());
  }
  // A session on the scratch database for the test's own SQL (counts, KILL, events).
  store::mysql::Connection& admin() {
    if (!admin_ || !admin_->usable())
      admin_ = std::make_unique<store::mysql::Connection>(mariadb().url, mariadb_options());
    if (!url_.database.empty() && selected_ != url_.database) {
      try {
        admin_->query("USE " + url_.database);
        selected_ = url_.database;
      } catch (...) {
        // not created yet
      }
    }
    return *admin_;
  }
  int64_t count(const std::string& sql) { return std::stoll(admin().scalar(sql)); }

 private:
  StorageUrl url_;
  std::unique_ptr<store::mysql::Connection> admin_;
  std::string selected_;
};

}  // namespace im::test
