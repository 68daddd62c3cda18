// A child process of the devnet (or a test): started with arguments, output captured to a file, a
// line awaited, signals sent, and always reaped (killed if still running when destroyed).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace nineteen::devnet {

class ChildProcess {
 public:
  // Starts `program` with `args`; stdout and stderr both go to `log_file` (kept for diagnosis).
  // The child gets its own process group, so a Ctrl-C in the terminal reaches only the parent.
  ChildProcess(const std::string& program, const std::vector<std::string>& args, const std::string& log_file);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Waits until the output has a line matching `pattern`; returns its first capture group (or the
  // whole match). nullopt on timeout or if the process exits first.
  std::optional<std::string> wait_for_line(const std::regex& pattern,
                                           std::chrono::milliseconds timeout = std::chrono::seconds(30));
  void signal(int signal_number);
  // Waits for the exit; the exit code, or 128 + signal; nullopt on timeout.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  std::string output() const;
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  std::string log_file_;
  std::optional<int> exit_code_;
};

}  // namespace nineteen::devnet
