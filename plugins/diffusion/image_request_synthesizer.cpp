// Drawing synthetic images requests and procedural init images.
#include "image_request_synthesizer.hpp"

#include <algorithm>
#include <cmath>
#include <random>

#include <nineteen/image/base64.hpp>
#include <nineteen/image/png_codec.hpp>
#include <nineteen/sdk/json.hpp>

namespace nineteen::diffusion {

namespace {

const char* const kSubjects[] = {"a red fox", "an old lighthouse", "a bowl of ripe pears", "a sleeping cat",
                                 "a mountain village", "a vintage bicycle", "a glass teapot", "a koi pond",
                                 "a city street at night", "a portrait of an astronaut", "a sailing boat",
                                 "a field of sunflowers"};
const char* const kSettings[] = {"in the snow", "at sunset", "under a stormy sky", "on a wooden table",
                                 "in a misty forest", "by the sea", "in the desert", "in a busy market"};
const char* const kStyles[] = {"oil painting", "watercolor", "photograph, 35mm", "pencil sketch", "digital art",
                               "ukiyo-e print", "low-poly render", "studio lighting, highly detailed"};
const char* const kNegatives[] = {"", "", "blurry, low quality", "text, watermark", "extra fingers, deformed"};

template <size_t N>
const char* pick(std::mt19937_64& rng, const char* const (&items)[N]) {
  return items[rng() % N];
}

}  // namespace

image::RgbImage procedural_image(uint64_t seed, int width, int height) {
  std::mt19937_64 rng(seed ^ 0x1A6E5EEDull);
  auto channel = [&] { return int(rng() % 256); };
  int top[3] = {channel(), channel(), channel()}, bottom[3] = {channel(), channel(), channel()};
  image::RgbImage img(width, height);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      for (int c = 0; c < 3; ++c) img.at(x, y)[c] = uint8_t(top[c] + (bottom[c] - top[c]) * y / std::max(height - 1, 1));
    }
  }
  const int shapes = 2 + int(rng() % 4);
  for (int s = 0; s < shapes; ++s) {
    int colour[3] = {channel(), channel(), channel()};
    const double cx = double(rng() % 1000) / 1000 * width, cy = double(rng() % 1000) / 1000 * height;
    const double r = (0.1 + double(rng() % 1000) / 1000 * 0.25) * std::min(width, height);
    const bool disc = rng() % 2;
    for (int y = 0; y < height; ++y) {
      for (int x = 0; x < width; ++x) {
        bool inside = disc ? std::hypot(x - cx, y - cy) < r : std::abs(x - cx) < r && std::abs(y - cy) < r / 3;
        if (inside) std::copy(colour, colour + 3, img.at(x, y));
      }
    }
  }
  return img;
}

std::string synthesize_image_request(uint64_t seed, ImageTaskType type, const ImageRequestLimits& limits) {
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + 0x1319);
  const std::string prompt = std::string(pick(rng, kSubjects)) + " " + pick(rng, kSettings) + ", " + pick(rng, kStyles);
  const int multiple = limits.size_multiple, largest = std::min(256, limits.max_side);
  auto side = [&] {
    const int choices = std::max(1, (largest - 64) / multiple + 1);
    // Small sizes are the common case; larger ones less often (a quarter of the draws go anywhere).
    int index = rng() % 4 == 0 ? int(rng() % choices) : int(rng() % std::min(choices, 5));
    return std::max(multiple, 64 + index * multiple);
  };
  const int width = side(), height = side();
  const int64_t steps = 4 + int64_t(rng() % uint64_t(std::max<int64_t>(1, std::min<int64_t>(20, limits.max_steps) - 3)));
  const double cfg_choices[] = {1.0, 3.5, 5.0, 7.5, 9.0};
  const double cfg = cfg_choices[rng() % 5];
  const int64_t image_seed = int64_t(rng() >> 11);  // < 2^53
  std::string out = "{\"prompt\":" + sdk::json_quote(prompt);
  const char* negative = pick(rng, kNegatives);
  if (*negative) out += ",\"negative_prompt\":" + sdk::json_quote(negative);
  out += ",\"steps\":" + std::to_string(std::min(steps, limits.max_steps)) + ",\"cfg_scale\":" +
         std::to_string(cfg).substr(0, 3) + ",\"width\":" + std::to_string(width) +
         ",\"height\":" + std::to_string(height) + ",\"seed\":" + std::to_string(image_seed);
  if (type == ImageTaskType::ImageToImage) {
    const double strengths[] = {0.3, 0.5, 0.6, 0.75, 0.9};
    image::RgbImage init = procedural_image(rng(), width, height);
    out += ",\"strength\":" + std::to_string(strengths[rng() % 5]).substr(0, 4) + ",\"init_image\":\"" +
           image::base64_encode(image::encode_png(init)) + "\"";
  }
  return out + "}";
}

}  // namespace nineteen::diffusion
