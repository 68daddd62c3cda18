// The avatar task: /v1/avatar. Serves by running its workflow, which calls the image-to-image task
// named in its config through the host; checks by running the same workflow on the checker's
// reference task and comparing the images.
#include <random>

#include <nineteen/image/base64.hpp>
#include <nineteen/image/image_decoding.hpp>
#include <nineteen/image/image_similarity.hpp>
#include <nineteen/image/png_codec.hpp>
#include <nineteen/sdk/export.hpp>
#include <nineteen/sdk/task.hpp>

#include "avatar_workflow.hpp"

namespace nineteen::avatar {
namespace {

const char* const kPrompts[] = {
    "a friendly cartoon avatar, flat colours", "an oil painting portrait, warm light",
    "a pixel art character portrait",           "a watercolour avatar with soft edges",
    "a comic book hero portrait, bold lines",   "a minimalist vector avatar, pastel background"};

// The avatar image from an image answer (the OpenAI images shape, one chunk).
image::RgbImage answer_image(std::string_view response, std::string& problem) {
  rapidjson::Document doc;
  if (!sdk::parse_json_bounded(doc, response).empty() || !doc.IsArray() || doc.Size() != 1 || !doc[0].IsObject() || !doc[0].HasMember("data") ||
      !doc[0]["data"].IsArray() || doc[0]["data"].Size() != 1 || !doc[0]["data"][0].IsObject() ||
      !doc[0]["data"][0].HasMember("b64_json") || !doc[0]["data"][0]["b64_json"].IsString()) {
    problem = "the answer is not one chunk {\"data\":[{\"b64_json\": PNG}]}";
    return {};
  }
  try {
    return image::decode_image_base64(doc[0]["data"][0]["b64_json"].GetString(), "the answer's image");
  } catch (const sdk::Error& e) {
    problem = e.what();
    return {};
  }
}

class AvatarTask : public sdk::Task {
 public:
  AvatarTask(std::string name, std::string target, AvatarLimits limits, sdk::Host host)
      : name_(std::move(name)), target_(std::move(target)), limits_(limits), host_(host) {}

  sdk::TaskDescriptor describe() const override {
    return {name_, "workflow", "/v1/avatar", false, "steps", "avatar via " + target_};
  }

  std::string synthesize(uint64_t seed) override {
    std::mt19937_64 rng(seed);
    const int side = 64 + 32 * static_cast<int>(rng() % 3);
    const std::string portrait = image::base64_encode(image::encode_png(procedural_portrait(rng(), side)));
    const double identity = 0.4 + 0.1 * static_cast<double>(rng() % 5);
    const double structure = 0.2 + 0.1 * static_cast<double>(rng() % 5);
    return "{\"image\":\"" + portrait + "\",\"prompt\":" + sdk::json_quote(kPrompts[rng() % 6]) +
           ",\"identity_strength\":" + std::to_string(identity) + ",\"structure_strength\":" + std::to_string(structure) +
           ",\"steps\":" + std::to_string(4 + rng() % 5) + ",\"seed\":" + std::to_string(rng() % 1000000) +
           ",\"size\":64}";
  }

  void validate(std::string_view request) override { read_avatar_request(request, limits_); }

  void serve(std::string_view request, sdk::Call& call) override {
    const AvatarRequest r = read_avatar_request(request, limits_);
    std::vector<std::string> chunks = host_.invoke(target_, image_to_image_request(r), &call);
    if (chunks.size() != 1) {
      throw sdk::Error(NT_INTERNAL, "task \"" + target_ + "\" answered " + std::to_string(chunks.size()) +
                                        " chunks; an image answer is one");
    }
    if (!call.emit(chunks[0])) throw sdk::Cancelled();
  }

  std::vector<sdk::CheckResult> check(const std::vector<std::string_view>& requests,
                                      const std::vector<std::string_view>& responses) override {
    std::vector<sdk::CheckResult> out;
    for (size_t i = 0; i < requests.size(); ++i) {
      std::string problem;
      image::RgbImage miner = answer_image(responses[i], problem);
      if (!problem.empty()) {
        out.push_back({0.0, problem});
        continue;
      }
      sdk::CollectingCall reference_call;
      serve(requests[i], reference_call);  // the workflow again, on the checker's reference task
      image::RgbImage reference = answer_image(reference_call.response_json(), problem);
      if (!problem.empty()) throw sdk::Error(NT_INTERNAL, "the reference workflow's own answer: " + problem);
      if (miner.width != reference.width || miner.height != reference.height) {
        out.push_back({0.0, "image is " + std::to_string(miner.width) + "x" + std::to_string(miner.height) +
                                ", the request asked for " + std::to_string(reference.width) + "x" +
                                std::to_string(reference.height)});
        continue;
      }
      const double s = image::luminance_ssim(reference, miner);
      out.push_back({avatar_quality(s), "luminance SSIM " + std::to_string(s) + (s > 0.95 ? " > 0.95" : ", q = s²")});
    }
    return out;
  }

  double work(std::string_view request, std::string_view) override {
    return steps_run(read_avatar_request(request, limits_));
  }

 private:
  std::string name_, target_;
  AvatarLimits limits_;
  sdk::Host host_;
};

class AvatarPlugin : public sdk::Plugin {
 public:
  using Plugin::Plugin;
  std::vector<sdk::TaskType> task_types() const override {
    return {{"avatar", "a portrait turned into an avatar through an image-to-image task (config key \"target\")"}};
  }
  std::unique_ptr<sdk::Task> create_task(const std::string& name, const sdk::JsonObject& config) override {
    config.allow_only({"type", "target", "max_side", "max_steps"});
    if (config.has("type") && config.string("type") != "avatar") throw config.bad("type", "\"avatar\"", config.require("type"));
    AvatarLimits limits;
    limits.max_side = static_cast<int>(config.integer_or("max_side", 256, 64, 2048));
    limits.max_steps = config.integer_or("max_steps", 50, 1, 1000);
    return std::make_unique<AvatarTask>(name, config.string("target"), limits, host());
  }
};

}  // namespace
}  // namespace nineteen::avatar

NINETEEN_PLUGIN(nineteen::avatar::AvatarPlugin, "avatar", "1.0.0")
