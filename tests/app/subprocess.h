// Runs the real infra-monitor binary as a child process (for what in-process calls cannot
// show: two runs at once, exit codes and stderr of a whole program).
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace im::test {

// Waits (up to 10 s) until the file at `path` holds `text`, e.g. a child's " started" line.
inline bool wait_for_text(const std::string& path, const std::string& text) {
  for (int i = 0; i < 200; ++i) {
    FILE* f = std::fopen(path.c_str(), "rb");
    std::string got;
    if (f) {
      char buf[4096];
      for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) got.append(buf, n);
      std::fclose(f);
    }
    if (got.find(text) != std::string::npos) return true;
    usleep(50 * 1000);
  }
  return false;
}

class Child {
 public:
  // `env` entries override (or, with an empty value, remove) the current environment.
  // `prefix` runs the binary through another program (e.g. setpriv to drop privileges).
  Child(std::vector<std::string> args, const std::map<std::string, std::string>& env,
        const std::string& output_path, std::vector<std::string> prefix = {}) {
    args.insert(args.begin(), IM_BINARY);
    args.insert(args.begin(), prefix.begin(), prefix.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> vars;
    for (char** e = environ; *e; ++e) {
      std::string kv = *e;
      if (!env.count(kv.substr(0, kv.find('=')))) vars.push_back(kv);
    }
    for (const auto& [k, v] : env)
      if (!v.empty()) vars.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& v : vars) envp.push_back(v.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    int rc = posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) throw std::runtime_error("cannot start " + std::string(IM_BINARY));
  }
  ~Child() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      wait();
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  void signal(int sig) { kill(pid_, sig); }

  // Waits for the exit; returns the exit code (128 + signal when killed).
  int wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
};

}  // namespace im::test
