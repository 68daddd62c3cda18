// Scratch folders and one-shot runs of `nineteen` for integration tests.
#include "child_process.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

namespace test_support {

ScratchDir::ScratchDir(const std::string& label) {
  static int counter = 0;
  path_ = std::filesystem::temp_directory_path() /
          ("nineteen-" + label + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string ScratchDir::write(const std::string& name, const std::string& text) const {
  std::ofstream(path_ / name) << text;
  return (path_ / name).string();
}

std::pair<int, std::string> run_nineteen(const std::vector<std::string>& args) {
  ScratchDir dir("run");
  ChildProcess p(NINETEEN_BINARY, args, dir.file("out.log"));
  auto code = p.wait_exit(std::chrono::seconds(120));
  return {code.value_or(-1), p.output()};
}

}  // namespace test_support
