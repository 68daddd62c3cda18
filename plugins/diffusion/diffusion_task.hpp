// One text-to-image or image-to-image task: serve, check, synthesize and work over a shared pipeline.
#pragma once

#include <memory>
#include <string>

#include <nineteen/sdk/task.hpp>

#include "diffusion_pipeline.hpp"
#include "diffusion_task_config.hpp"
#include "image_request.hpp"

namespace nineteen::diffusion {

class DiffusionTask : public sdk::Task {
 public:
  DiffusionTask(std::string name, DiffusionTaskConfig config, std::shared_ptr<const DiffusionPipeline> pipeline);

  sdk::TaskDescriptor describe() const override;
  std::string synthesize(uint64_t seed) override;
  // Emits exactly one chunk: the whole images answer.
  void serve(std::string_view request, sdk::Call& call) override;
  void validate(std::string_view request) override;
  // Regenerates each request and compares with the image decoded from the miner's answer.
  std::vector<sdk::CheckResult> check(const std::vector<std::string_view>& requests,
                                      const std::vector<std::string_view>& responses) override;
  // The denoising steps the request runs.
  double work(std::string_view request, std::string_view response) override;

 private:
  sdk::CheckResult check_one(std::string_view request, std::string_view response) const;

  std::string name_;
  DiffusionTaskConfig config_;
  std::shared_ptr<const DiffusionPipeline> pipeline_;
  ImageRequestLimits limits_;
};

}  // namespace nineteen::diffusion
