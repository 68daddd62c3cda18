// Serving and checking images with the reference pipeline.
#include "diffusion_task.hpp"

#include <chrono>

#include <nineteen/image/image_similarity.hpp>

#include "image_answer.hpp"
#include "image_quality.hpp"
#include "image_request_synthesizer.hpp"

namespace nineteen::diffusion {

DiffusionTask::DiffusionTask(std::string name, DiffusionTaskConfig config, std::shared_ptr<const DiffusionPipeline> pipeline)
    : name_(std::move(name)), config_(std::move(config)), pipeline_(std::move(pipeline)) {
  limits_.max_side = config_.max_side;
  limits_.size_multiple = int(pipeline_->size_multiple());
  limits_.max_steps = config_.max_steps;
  limits_.max_image_bytes = config_.max_image_bytes;
}

sdk::TaskDescriptor DiffusionTask::describe() const {
  return {name_, "image", endpoint_of(config_.type), false, "steps", config_.model_name};
}

std::string DiffusionTask::synthesize(uint64_t seed) { return synthesize_image_request(seed, config_.type, limits_); }

void DiffusionTask::validate(std::string_view request) { read_image_request(request, config_.type, limits_); }

void DiffusionTask::serve(std::string_view request, sdk::Call& call) {
  GenerationSettings settings = read_image_request(request, config_.type, limits_);
  if (call.cancelled()) throw sdk::Cancelled();
  image::RgbImage img = pipeline_->generate(settings);
  const int64_t created =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  if (!call.emit(write_image_answer(img, created))) throw sdk::Cancelled();
}

sdk::CheckResult DiffusionTask::check_one(std::string_view request, std::string_view response) const {
  GenerationSettings settings;
  try {
    settings = read_image_request(request, config_.type, limits_);
  } catch (const sdk::Error& e) {
    return {0.0, std::string("the request is invalid: ") + e.what()};
  }
  image::RgbImage answered;
  try {
    answered = read_answer_image(response);
  } catch (const sdk::Error& e) {
    return {0.0, e.what()};
  }
  if (answered.width != settings.width || answered.height != settings.height) {
    return {0.0, "the image is " + std::to_string(answered.width) + "x" + std::to_string(answered.height) +
                     ", the request asked for " + std::to_string(settings.width) + "x" + std::to_string(settings.height)};
  }
  image::RgbImage reference = pipeline_->generate(settings);
  const double ssim = image::luminance_ssim(reference, answered);
  const double cosine = image::feature_cosine(pipeline_->features(reference), pipeline_->features(answered));
  return image_quality(ssim, cosine);
}

std::vector<sdk::CheckResult> DiffusionTask::check(const std::vector<std::string_view>& requests,
                                                   const std::vector<std::string_view>& responses) {
  std::vector<sdk::CheckResult> out;
  out.reserve(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) out.push_back(check_one(requests[i], responses[i]));
  return out;
}

double DiffusionTask::work(std::string_view request, std::string_view) {
  return double(pipeline_->denoising_steps(read_image_request(request, config_.type, limits_)));
}

}  // namespace nineteen::diffusion
