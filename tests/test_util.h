// Small helpers shared by the tests.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

namespace im::test {

// A fresh folder under $TMPDIR, removed with everything in it at the end of the scope.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "im-test-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The text of a gzip file (the fixtures under tests/data/store), through the gzip program.
inline std::string read_gzip(const std::string& path) {
  std::string out;
  FILE* p = popen(("gzip -dc '" + path + "'").c_str(), "r");
  if (!p) throw std::runtime_error("cannot run gzip for " + path);
  char buf[65536];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  if (pclose(p) != 0) throw std::runtime_error("gzip -dc " + path + " failed");
  return out;
}

// The KEY=VALUE lines of the env file a test harness wrote (tests/harness/*.sh), found through
// the environment variable `variable`. Throws, failing the test, when the fixture did not run:
// these tests never skip silently.
inline std::map<std::string, std::string> harness_env(const char* variable, const char* fixture) {
  const char* f = std::getenv(variable);
  if (!f)
    throw std::runtime_error(std::string("no ") + fixture +
                             " for the tests: run them through ctest (its fixture starts one) or "
                             "set " +
                             variable + " to the env file of tests/harness/");
  std::map<std::string, std::string> env;
  std::ifstream in(f);
  for (std::string line; std::getline(in, line);)
    if (auto eq = line.find('='); eq != std::string::npos)
      env[line.substr(0, eq)] = line.substr(eq + 1);
  if (env.empty()) throw std::runtime_error(std::string("nothing in ") + f);
  return env;
}

// Folder of golden data files (tests/data).
inline std::filesystem::path data_dir() {
  return IM_TEST_DATA_DIR;
}

}  // namespace im::test
