// Fuzz target: a safetensors file's header (models::SafetensorsFile::open: the length, the JSON,
// dtypes, shapes and byte spans), written to a file since the reader maps one.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "nineteen/models/safetensors.hpp"
#include "nineteen/sdk/error.hpp"

namespace fs = std::filesystem;
namespace models = nineteen::models;

namespace {

// Memory-backed where there is one: the target writes a file per run.
fs::path scratch_dir() { return fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path(); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path =
      (scratch_dir() / ("nineteen-fuzz-" + std::to_string(::getpid()) + ".safetensors")).string();
  // Registered once `path` is built, so it runs before `path` is destroyed.
  static const bool removed_at_exit = std::atexit([] { ::unlink(path.c_str()); }) == 0;
  (void)removed_at_exit;
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    const models::SafetensorsFile file = models::SafetensorsFile::open(path);
    for (const models::TensorView& tensor : file.tensors()) {
      // Every span the header promised lies inside the file and matches its shape and dtype.
      const auto* begin = reinterpret_cast<const std::byte*>(tensor.data);
      if (tensor.byte_size != static_cast<std::size_t>(tensor.element_count()) * models::dtype_size(tensor.dtype)) {
        std::abort();
      }
      if (tensor.byte_size > 0 && (begin == nullptr || tensor.byte_size > size)) std::abort();
      if (file.find(tensor.name) == nullptr) std::abort();
      tensor.shape_text();
    }
  } catch (const nineteen::sdk::Error&) {
  }
  return 0;
}
