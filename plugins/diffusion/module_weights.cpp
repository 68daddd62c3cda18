// Loading and checking one weight file of a diffusion folder.
#include "module_weights.hpp"

#include <nineteen/models/safetensors.hpp>
#include <nineteen/sdk/error.hpp>

namespace nineteen::diffusion {

namespace {
std::string shape_text(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}
}  // namespace

ModuleWeights ModuleWeights::load(const std::string& path, const std::vector<models::LaidOutTensor>& layout) {
  models::SafetensorsFile file = models::SafetensorsFile::open(path);
  ModuleWeights weights;
  weights.path_ = path;
  for (const models::LaidOutTensor& expected : layout) {
    const models::TensorView* view = file.find(expected.name);
    // The VAE attention under its pre-0.15 names, as diffusers itself still loads them.
    const std::string legacy = models::legacy_vae_attention_name(expected.name);
    if (!view && !legacy.empty()) view = file.find(legacy);
    if (!view) {
      throw sdk::Error(NT_INVALID_ARGUMENT, path + ": no tensor \"" + expected.name + "\" (expected shape " +
                                                shape_text(expected.shape) + "); the config and the weights disagree");
    }
    // Old VAE attention files may hold the Linear weights as 1x1 convolutions: [out, in, 1, 1].
    const bool conv_as_linear = expected.shape.size() == 2 && view->shape.size() == 4 &&
                                view->shape[0] == expected.shape[0] && view->shape[1] == expected.shape[1] &&
                                view->shape[2] == 1 && view->shape[3] == 1 && !legacy.empty();
    if (view->shape != expected.shape && !conv_as_linear) {
      throw sdk::Error(NT_INVALID_ARGUMENT, path + ": tensor \"" + expected.name + "\" has shape " +
                                                view->shape_text() + ", the config implies " + shape_text(expected.shape));
    }
    if (view->dtype == models::DType::I64) {
      throw sdk::Error(NT_INVALID_ARGUMENT, path + ": tensor \"" + expected.name + "\" is I64; weights must be F32, F16 or BF16");
    }
    torch::ScalarType type = view->dtype == models::DType::F32   ? torch::kFloat32
                             : view->dtype == models::DType::F16 ? torch::kFloat16
                                                                 : torch::kBFloat16;
    // The mapping is not necessarily aligned and dies with `file`: copy into owned float storage.
    torch::Tensor raw = torch::empty(view->shape, torch::TensorOptions().dtype(type));
    std::memcpy(raw.data_ptr(), view->data, view->byte_size);
    weights.tensors_.emplace(expected.name, raw.to(torch::kFloat32).reshape(expected.shape).contiguous());
  }
  return weights;
}

const torch::Tensor& ModuleWeights::operator()(const std::string& name) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end()) throw sdk::Error(NT_INTERNAL, path_ + ": the model asked for unknown tensor \"" + name + "\"");
  return it->second;
}

}  // namespace nineteen::diffusion
