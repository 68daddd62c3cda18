// The tiny diffusion models the tests share: made once per test program with nineteen-models.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

#include <unistd.h>

namespace nineteen::diffusion::testing {

// <tmp>/nineteen-image-tests-<pid>/variant-<n>, made on first use (removed by the OS's tmp cleaner;
// the folder is small).
inline std::string tiny_diffusion_dir(int variant = 0) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("nineteen-image-tests-" + std::to_string(getpid())) / ("variant-" + std::to_string(variant));
  if (!std::filesystem::exists(dir / "model_index.json")) {
    const std::string command = std::string(NINETEEN_MODELS_PROGRAM) + " make tiny-diffusion --variant " +
                                std::to_string(variant) + " --out " + dir.string() + " > /dev/null 2>&1";
    if (std::system(command.c_str()) != 0) throw std::runtime_error("failed: " + command);
  }
  return dir.string();
}

}  // namespace nineteen::diffusion::testing
