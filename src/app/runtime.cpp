#include <spdlog/spdlog.h>

#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/app.h"
#include "app/command.h"
#include "app/wiring.h"
#include "core/text_safety.h"

namespace im::app {

Runtime::Runtime(GlobalFlags flags, int64_t now_unix,
                 std::map<std::string, std::string> environment)
    : flags_(std::move(flags)), now_(now_unix), environment_(std::move(environment)) {}

ConfigSources Runtime::sources(bool dry_run) const {
  ConfigSources src;
  src.config_path = flags_.config;
  src.config_explicit = flags_.config_explicit;
  src.env_path = flags_.env_file;
  src.env_explicit = flags_.env_explicit;
  src.environment = environment_;
  if (!flags_.log_format.empty()) src.cli["log.format"] = flags_.log_format;
  if (!flags_.log_level.empty()) src.cli["log.level"] = flags_.log_level;
  if (!flags_.storage_url.empty()) src.cli["storage.url"] = flags_.storage_url;
  if (dry_run) src.cli["pipeline.dry_run"] = "true";
  return src;
}

const LoadedSettings& Runtime::load(bool dry_run) {
  if (!loaded_) loaded_ = std::make_unique<LoadedSettings>(load_settings(sources(dry_run)));
  return *loaded_;
}

LoadedSettings Runtime::load_other(const std::string& config_path) const {
  ConfigSources src = sources(false);
  src.config_path = config_path;
  src.config_explicit = true;
  return load_settings(src);
}

void Runtime::start_logging() {
  const LoadedSettings& ls = load();
  setup_logging(ls.settings.log, ls.secrets);
  for (const auto& f : ls.files) spdlog::debug("configuration read from {}", f);
  for (const auto& w : ls.warnings) spdlog::warn("{}", w);
}

Runtime::Opened Runtime::open(store::OpenMode mode, const std::string& lock_for) {
  const Settings& s = load().settings;
  if (s.pipeline.dry_run && mode == store::OpenMode::READ_WRITE) mode = store::OpenMode::DRY_RUN;
  spdlog::info("store: {}", s.storage.str());  // first, so that an error opening it says which
  Opened o;
  o.store = store::open_store(s.storage, mode, mysql_options(s), /*migrate=*/false);
  if (!lock_for.empty() && mode == store::OpenMode::READ_WRITE)
    o.lock = o.store->acquire_run_lock(lock_for + ", " + pipeline::lock_holder());
  o.store->migrate();
  spdlog::debug("schema version {}", o.store->schema_version());
  return o;
}

std::string read_flag_file(const std::string& flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in || std::filesystem::is_directory(path))
    throw UsageError(flag + " " + escape_control(path) + ": cannot be read (" +
                     (in ? std::string("a directory") : std::strerror(errno)) + ")");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Day parse_day_flag(const std::string& flag, const std::string& v, Day latest) {
  auto d = Day::parse(v);
  if (!d) throw UsageError(flag + " \"" + escape_control(v) + "\": expected a date as YYYY-MM-DD");
  if (*d < kFirstDay || *d > latest)
    throw UsageError(flag + " " + v + ": out of range; dates go from " + kFirstDay.str() + " to " +
                     latest.str());
  return *d;
}

int64_t parse_whole(const std::string& flag, const std::string& v, int64_t lo, int64_t hi,
                    std::string_view suffix) {
  std::string_view t = v;
  if (!suffix.empty() && t.ends_with(suffix)) t.remove_suffix(suffix.size());
  int64_t n = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
  const bool ok = !t.empty() && ec == std::errc() && p == t.data() + t.size() &&
                  (suffix.empty() || v.ends_with(suffix)) && n >= lo && n <= hi;
  if (!ok)
    throw UsageError(flag + " \"" + escape_control(v) + "\": expected a whole number from " +
                     std::to_string(lo) + " to " + std::to_string(hi) +
                     (suffix.empty() ? ""
                                     : " followed by " + std::string(suffix) + " (e.g. 7" +
                                           std::string(suffix) + ")"));
  return n;
}

int exit_code(const pipeline::RunReport& r) {
  if (r.interrupted_by) return 128 + r.interrupted_by;  // the shell's convention for a signal
  return r.failed() ? kExitFailed : kExitOk;
}

std::string thousands(int64_t v) {
  std::string s = std::to_string(v < 0 ? -v : v), out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i && (s.size() - i) % 3 == 0) out += ',';
    out += s[i];
  }
  return v < 0 ? "-" + out : out;
}

}  // namespace im::app
