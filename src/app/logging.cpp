#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "app/app.h"
#include "core/day.h"
#include "core/text_safety.h"

namespace im::app {

namespace {

class Formatter final : public spdlog::formatter {
 public:
  Formatter(bool json, std::vector<std::string> secrets)
      : json_(json), secrets_(std::move(secrets)) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    using namespace std::chrono;
    auto ms = duration_cast<milliseconds>(msg.time.time_since_epoch()).count();
    std::string ts = format_utc_timestamp(ms / 1000);
    ts[10] = 'T';
    char frac[8];
    std::snprintf(frac, sizeof frac, ".%03dZ", static_cast<int>(ms % 1000));
    ts += frac;
    std::string text = redact(std::string(msg.payload.data(), msg.payload.size()), secrets_);
    auto level = spdlog::level::to_string_view(msg.level);
    std::string line;
    if (json_) {
      nlohmann::ordered_json j{
          {"ts", ts}, {"level", std::string(level.data(), level.size())}, {"msg", text}};
      line = j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    } else {
      // One event, one line: a newline or an escape sequence from a label cannot forge a
      // line or repaint the terminal (JSON escapes them itself).
      line = ts + " " + std::string(level.data(), level.size()) + " " + escape_control(text);
    }
    line += '\n';
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<Formatter>(json_, secrets_);
  }

 private:
  bool json_;
  std::vector<std::string> secrets_;
};

}  // namespace

void setup_logging(Settings::Log log, std::vector<std::string> secrets) {
  auto logger = std::make_shared<spdlog::logger>("infra-monitor",
                                                 std::make_shared<spdlog::sinks::stderr_sink_st>());
  logger->set_formatter(
      std::make_unique<Formatter>(log.format == Settings::Log::Format::JSON, std::move(secrets)));
  using L = Settings::Log::Level;
  switch (log.level) {
    case L::DEBUG:
      logger->set_level(spdlog::level::debug);
      break;
    case L::INFO:
      logger->set_level(spdlog::level::info);
      break;
    case L::WARNING:
      logger->set_level(spdlog::level::warn);
      break;
    case L::ERROR:
      logger->set_level(spdlog::level::err);
      break;
  }
  spdlog::set_default_logger(logger);
}

}  // namespace im::app
