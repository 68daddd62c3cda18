// Helpers for integration tests: real child processes (the devnet's), scratch folders, one-shot runs.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "nineteen/devnet/child_process.hpp"

namespace test_support {

using nineteen::devnet::ChildProcess;

// A fresh folder under /tmp, removed on destruction.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& label);
  ~ScratchDir();
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::string write(const std::string& name, const std::string& text) const;

 private:
  std::filesystem::path path_;
};

// Runs `nineteen` with args to completion; returns {exit code, output}.
std::pair<int, std::string> run_nineteen(const std::vector<std::string>& args);

}  // namespace test_support
