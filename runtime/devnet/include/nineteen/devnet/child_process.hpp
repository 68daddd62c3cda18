// A child process of the devnet (or a test): started with arguments, output captured to a file, a
// line awaited, signals sent, and always reaped (killed if still running when destroyed).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <regex>
#include <string>
#include <utility>
#include <vector>

namespace nineteen::devnet {

class ChildProcess {
 public:
  // Which of the child's outputs go to the log file; the other one stays this process's.
  enum class Capture { stdout_and_stderr, stdout_only };
  // Starts `program` with `args`; stdout and stderr both go to `log_file` (kept for diagnosis).
  // The child gets its own process group, so a Ctrl-C in the terminal reaches only the parent.
  ChildProcess(const std::string& program, const std::vector<std::string>& args, const std::string& log_file,
               Capture capture = Capture::stdout_and_stderr);
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

  // Runs `command` with /bin/sh to its end, as a test or a bench runs a tool: {exit code, what it
  // wrote to stdout} (stderr stays this process's, so it lands in the test's log). The exit code is
  // -1 when it ran past `timeout` (it is killed then).
  static std::pair<int, std::string> run_shell(const std::string& command,
                                               std::chrono::milliseconds timeout = std::chrono::minutes(5));

 private:
  pid_t pid_ = -1;
  std::string log_file_;
  std::optional<int> exit_code_;
};

}  // namespace nineteen::devnet
