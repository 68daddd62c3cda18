// What every libtorch model in the toolkit does the same way: reading a checked tensor out of a
// safetensors set, and the process-wide compute-thread policy. Internal to sdk/models.
#pragma once

#include <dlfcn.h>
#include <torch/torch.h>

#include <cstring>
#include <string>
#include <vector>

#include "nineteen/models/safetensors.hpp"
#include "nineteen/sdk/error.hpp"

namespace nineteen::models::detail {

inline std::string shape_text(c10::IntArrayRef shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

inline c10::ScalarType torch_dtype(DType d) {
  switch (d) {
    case DType::F32: return torch::kFloat;
    case DType::F16: return torch::kHalf;
    case DType::BF16: return torch::kBFloat16;
    case DType::I64: return torch::kInt64;
  }
  return torch::kFloat;
}

// Tensor `name` with exactly the shape config.json implies, copied into aligned memory (the mapping
// need not be aligned) and converted to `target`. Errors name the tensor, the file and both shapes.
inline torch::Tensor read_weight(const SafetensorsSet& set, const std::string& name, std::vector<int64_t> expected,
                                 c10::ScalarType target) {
  const TensorView* view = set.find(name);
  if (!view) {
    throw sdk::Error(NT_INVALID_ARGUMENT, "model weights: tensor \"" + name + "\" is missing (expected shape " +
                                              shape_text(expected) + ")");
  }
  if (view->shape != expected) {
    throw sdk::Error(NT_INVALID_ARGUMENT, "model weights: tensor \"" + name + "\" in " + set.file_of(name) +
                                              " has shape " + view->shape_text() + ", expected " +
                                              shape_text(expected) + " from config.json");
  }
  torch::Tensor raw = torch::empty(expected, torch::TensorOptions().dtype(torch_dtype(view->dtype)));
  std::memcpy(raw.data_ptr(), view->data, view->byte_size);
  return raw.to(target).contiguous();
}

// at::set_num_threads sizes libtorch's OpenMP pool, but matrix products run in OpenBLAS, which has
// its own pool (all cores by default). OpenBLAS is made single-threaded and the models split their
// products over libtorch's pool: otherwise OpenMP threads spinning after each elementwise op fight
// OpenBLAS's threads for the cores, and two threads end up slower than one.
inline void set_compute_threads(int threads) {
  if (threads > 0) at::set_num_threads(threads);
  using SetThreads = void (*)(int);
  if (auto set_openblas = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) {
    set_openblas(1);
  }
}

}  // namespace nineteen::models::detail
