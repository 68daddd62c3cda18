// `nineteen checker` for tests: the same checker_command, in an executable of its own.
#include <iostream>

#include <spdlog/spdlog.h>

#include "nineteen/cli/commands.hpp"

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);
  try {
    return nineteen::checker::checker_command(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::exception& e) {
    std::cerr << "nineteen checker: " << e.what() << "\n";
    return 1;
  }
}
