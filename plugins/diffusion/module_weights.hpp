// One safetensors file of a diffusion folder as float tensors, checked against the expected layout.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <torch/torch.h>

#include <nineteen/models/diffusion_weight_layout.hpp>

namespace nineteen::diffusion {

class ModuleWeights {
 public:
  // Every tensor of `layout` must be in `path` with that shape (F32, F16 or BF16; held as F32).
  // Errors name the file, the tensor and both shapes.
  static ModuleWeights load(const std::string& path, const std::vector<models::LaidOutTensor>& layout);

  // The tensor called `name`; throws sdk::Error(NT_INTERNAL) naming it when the layout lacks it.
  const torch::Tensor& operator()(const std::string& name) const;

 private:
  std::string path_;
  std::map<std::string, torch::Tensor> tensors_;
};

}  // namespace nineteen::diffusion
