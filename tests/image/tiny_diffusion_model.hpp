// The tiny diffusion models the tests share: made once per test program with nineteen-models.
#pragma once

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>

#include <unistd.h>

namespace nineteen::diffusion::testing {

// <tmp>/nineteen-image-tests-<pid>-<start time>/variant-<n>, made on first use in this process and
// removed when it exits. The start time keeps a folder left by an earlier process with the same pid
// (perhaps built by older code: a crashed run leaves its folder) from ever being taken for this one's.
inline std::string tiny_diffusion_dir(int variant = 0) {
  static const std::filesystem::path base = [] {
    const std::filesystem::path b =
        std::filesystem::temp_directory_path() /
        ("nineteen-image-tests-" + std::to_string(getpid()) + "-" +
         std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    static const std::string to_remove = b.string();
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(to_remove, ec);
    });
    return b;
  }();
  static std::mutex mutex;
  static std::set<int> made;
  const std::filesystem::path dir = base / ("variant-" + std::to_string(variant));
  std::lock_guard<std::mutex> lock(mutex);
  if (!made.count(variant)) {
    const std::string command = std::string(NINETEEN_MODELS_PROGRAM) + " make tiny-diffusion --variant " +
                                std::to_string(variant) + " --out " + dir.string() + " > /dev/null 2>&1";
    if (std::system(command.c_str()) != 0) throw std::runtime_error("failed: " + command);
    made.insert(variant);
  }
  return dir.string();
}

}  // namespace nineteen::diffusion::testing
