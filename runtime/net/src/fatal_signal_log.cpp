// The fatal-signal line: async-signal-safe (write(2) only), then the default action runs.
#include "nineteen/net/fatal_signal_log.hpp"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <cstdlib>
#include <initializer_list>
#include <memory>

namespace nineteen::net {
namespace {

const char* g_program = "nineteen";

void write_text(const char* text) {
  ssize_t ignored = ::write(STDERR_FILENO, text, ::strlen(text));
  (void)ignored;
}

void write_number(long value) {
  char digits[24];
  int n = 0;
  if (value == 0) digits[n++] = '0';
  while (value > 0 && n < 23) {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  char out[24];
  for (int i = 0; i < n; ++i) out[i] = digits[n - 1 - i];
  out[n] = '\0';
  write_text(out);
}

const char* signal_name(int sig) {
  switch (sig) {
    case SIGSEGV: return "SIGSEGV (invalid memory access, or a stack overflow)";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGABRT: return "SIGABRT (abort)";
    default: return "a fatal signal";
  }
}

void on_fatal_signal(int sig) {
  write_text("\n");
  write_text(g_program);
  write_text(": fatal ");
  write_text(signal_name(sig));
  write_text(" in process ");
  write_number(static_cast<long>(::getpid()));
  write_text("; it stops now. The lines above say what it was doing; please report it with them.\n");
  // The default action (core dump, exit status 128 + sig) follows.
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

struct ThreadSignalStack {
  std::unique_ptr<char[]> memory;
  ~ThreadSignalStack() {
    if (!memory) return;
    stack_t off{};
    off.ss_flags = SS_DISABLE;
    ::sigaltstack(&off, nullptr);
  }
};

}  // namespace

void give_this_thread_a_signal_stack() {
  thread_local ThreadSignalStack stack;
  if (stack.memory) return;
  constexpr size_t kSize = 64 * 1024;
  stack.memory = std::make_unique<char[]>(kSize);
  stack_t ss{};
  ss.ss_sp = stack.memory.get();
  ss.ss_size = kSize;
  ss.ss_flags = 0;
  if (::sigaltstack(&ss, nullptr) != 0) stack.memory.reset();
}

void install_fatal_signal_log(const char* program) {
  g_program = program;
  give_this_thread_a_signal_stack();
  struct sigaction action{};
  action.sa_handler = on_fatal_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_ONSTACK | SA_RESETHAND;
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) ::sigaction(sig, &action, nullptr);
}

}  // namespace nineteen::net
