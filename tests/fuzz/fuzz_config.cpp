// The configuration loader: a YAML file, a .env file and environment variables, all from the
// input, split at lines holding only "%%". A bad input must end in a ConfigError (exit 2),
// never in a crash, a hang or any other exception.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "config/settings.h"

namespace {

// The folder the input's files are written to, removed when the fuzzer exits.
struct Scratch {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("im-fuzz-config-" + std::to_string(getpid()));
  Scratch() { std::filesystem::create_directories(dir); }
  ~Scratch() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

std::string scratch_dir() {
  static const Scratch scratch;
  return scratch.dir.string();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::string parts[3];
  size_t k = 0;
  std::istringstream in(input);
  for (std::string line; std::getline(in, line);) {
    if (line == "%%" && k < 2) {
      ++k;
      continue;
    }
    parts[k] += line + "\n";
  }
  im::ConfigSources src;
  src.config_path = scratch_dir() + "/pipeline_config.yaml";
  src.env_path = scratch_dir() + "/.env";
  std::ofstream(src.config_path, std::ios::binary | std::ios::trunc) << parts[0];
  std::ofstream(src.env_path, std::ios::binary | std::ios::trunc) << parts[1];
  std::istringstream env(parts[2]);
  for (std::string line; std::getline(env, line);)
    if (auto eq = line.find('='); eq != std::string::npos && eq > 0)
      src.environment[line.substr(0, eq)] = line.substr(eq + 1);
  try {
    im::load_settings(src);
  } catch (const im::ConfigError&) {
    // a refusal with a message: what bad input must get
  }
  return 0;
}
