// `nineteen`: one binary for every role; this file sets the process up and hands over to the command
// table (command_table.cpp).
#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "nineteen/net/fatal_signal_log.hpp"
#include "nineteen/sdk/blas_core.hpp"

int main(int argc, char** argv) {
  // Plugins load libtorch, whose OpenMP threads otherwise spin while idle: on a machine shared with
  // other processes that made 2-thread work up to 35 times slower than 1 thread. libgomp reads this
  // when it is loaded, which is after this line (the host itself never links it). A user's own
  // setting wins.
  ::setenv("OMP_WAIT_POLICY", "PASSIVE", /*overwrite=*/0);
  // OpenBLAS (loaded with libtorch by the plugins, later) picks SSE3 kernels on a VM that hides its
  // CPU model: name the kernel set from the instruction sets instead (blas_core.hpp).
  nineteen::sdk::choose_openblas_core();
  // glibc's mmap threshold otherwise grows with every large free, so the memory of a burst of big
  // requests stays in the heap for good; fixed, blocks of 256 kB and more go back at free.
  ::mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  ::mallopt(M_ARENA_MAX, 4);
  nineteen::net::install_fatal_signal_log("nineteen");
  std::vector<std::string> args(argv + 1, argv + argc);
  spdlog::set_level(spdlog::level::warn);
  spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--log-level") {
      spdlog::set_level(spdlog::level::from_str(args[i + 1]));
      args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i) + 2);
      break;
    }
  }
  if (!args.empty() && (args[0] == "--version" || args[0] == "version")) {
    std::cout << "nineteen " << NINETEEN_VERSION << " (plugin ABI " << NT_ABI_MAJOR << "." << NT_ABI_MINOR << ")\n";
    return 0;
  }
  return nineteen::cli::run_command_line(args);
}
