// A fresh folder under the system temp dir per test, removed afterwards.
#pragma once

#include <filesystem>
#include <random>
#include <string>

namespace nineteen::store::testing {

class TempStoreDir {
 public:
  TempStoreDir() {
    std::random_device random;
    path_ = std::filesystem::temp_directory_path() / ("nineteen-store-test-" + std::to_string(random()));
    std::filesystem::create_directories(path_);
  }
  ~TempStoreDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempStoreDir(const TempStoreDir&) = delete;
  TempStoreDir& operator=(const TempStoreDir&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace nineteen::store::testing
