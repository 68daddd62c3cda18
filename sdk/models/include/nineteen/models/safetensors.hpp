// Reading (memory-mapped, validated) and writing safetensors files, and a model's set of shards.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace nineteen::models {

// The element types this toolkit reads. Files holding any other dtype are rejected at open with
// an error naming the tensor, because a Llama checkpoint never needs one.
// I64 is read (CLIPTextModel files hold the position_ids buffer) but is no weight dtype.
enum class DType { F32, F16, BF16, I64 };

size_t dtype_size(DType dtype);
// The spelling safetensors uses: "F32", "F16", "BF16".
const char* dtype_name(DType dtype);

// One tensor inside a mapped file. `data` points into the mapping and lives as long as the
// SafetensorsFile (or SafetensorsSet) it came from; it is not necessarily aligned.
struct TensorView {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  const std::byte* data = nullptr;
  size_t byte_size = 0;

  int64_t element_count() const;
  // "[512, 64]"
  std::string shape_text() const;
};

// A memory-mapped safetensors file whose header has been checked: the 8-byte length, the JSON,
// every dtype, that shape × dtype size equals each byte span, that every span lies inside the
// file and that no two overlap. Every error is an nineteen::sdk::Error naming the file (and the
// tensor where one is at fault). Move-only; the mapping is released on destruction.
class SafetensorsFile {
 public:
  static SafetensorsFile open(const std::string& path);

  SafetensorsFile(SafetensorsFile&&) noexcept;
  SafetensorsFile& operator=(SafetensorsFile&&) noexcept;
  ~SafetensorsFile();

  const std::string& path() const;
  // In the order of their data in the file.
  const std::vector<TensorView>& tensors() const;
  // nullptr when the file has no tensor of that name.
  const TensorView* find(std::string_view name) const;
  // The optional "__metadata__" string map.
  const std::map<std::string, std::string>& metadata() const;

 private:
  struct Mapping;
  explicit SafetensorsFile(std::unique_ptr<Mapping> mapping);
  std::unique_ptr<Mapping> mapping_;
};

// All the weight files of one model directory: `model.safetensors.index.json` when present
// (its "weight_map" names the shard of each tensor), else every `model*.safetensors` file in
// the directory (sorted by name). A tensor found in two shards is an error.
class SafetensorsSet {
 public:
  static SafetensorsSet open_dir(const std::string& dir);

  // nullptr when no shard holds that tensor.
  const TensorView* find(std::string_view name) const;
  // The shard that holds `name` (for error messages); empty when none does.
  std::string file_of(std::string_view name) const;
  std::vector<std::string> names() const;
  const std::vector<SafetensorsFile>& files() const { return files_; }

 private:
  std::vector<SafetensorsFile> files_;
  std::map<std::string, std::pair<size_t, const TensorView*>, std::less<>> index_;
};

// A tensor to write: `bytes` must hold exactly element_count × dtype_size bytes, little-endian.
struct TensorToWrite {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::string_view bytes;
};

// Writes a safetensors file: tensors in the given order, header padded with spaces to a multiple
// of 8 bytes. The same input always gives byte-identical output. Throws sdk::Error on a size
// mismatch, a duplicate name or an I/O failure (naming the path).
void write_safetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace nineteen::models
