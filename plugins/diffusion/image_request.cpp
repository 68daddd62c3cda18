// Validating images requests: sizes, steps, guidance, seed and the init image.
#include "image_request.hpp"

#include <nineteen/image/image_decoding.hpp>

namespace nineteen::diffusion {

GenerationSettings read_image_request(std::string_view request, ImageTaskType type, const ImageRequestLimits& limits) {
  rapidjson::Document doc = sdk::parse_json(request, "request");
  sdk::JsonObject o(doc, "request");
  // OpenAI's image keys, each honoured below or refused by name, never silently ignored.
  const bool edit = type == ImageTaskType::ImageToImage;
  o.allow_only_request_keys({"model", "prompt", "negative_prompt", "steps", "cfg_scale", "width", "height", "size",
                             "seed", "n", "response_format", "user", "stream", "init_image",
                             edit ? "strength" : "prompt"},
                            {"quality", "style", "background", "moderation", "output_format", "output_compression",
                             "partial_images", "image", "mask", "input_fidelity"});
  GenerationSettings s;
  s.prompt = o.string("prompt");
  if (s.prompt.empty() || s.prompt.size() > 4000) {
    throw o.bad("prompt", "a non-empty text of at most 4000 bytes", o.require("prompt"));
  }
  s.negative_prompt = o.string_or("negative_prompt", "");
  if (s.negative_prompt.size() > 4000) throw o.bad("negative_prompt", "at most 4000 bytes", o.require("negative_prompt"));
  s.steps = o.integer_or("steps", 8, 1, limits.max_steps);
  s.cfg_scale = o.number_in("cfg_scale", 7.5, 0, 30);
  for (auto [key, out] : {std::pair<const char*, int*>{"width", &s.width}, {"height", &s.height}}) {
    *out = int(o.integer_or(key, 64, limits.size_multiple, limits.max_side));
    if (*out % limits.size_multiple != 0) {
      throw o.bad(key, "a multiple of " + std::to_string(limits.size_multiple), o.require(key));
    }
  }
  // OpenAI's "size": "WIDTHxHEIGHT", honoured (not the default size in its place).
  if (o.has("size")) {
    if (o.has("width") || o.has("height")) {
      throw sdk::Error(NT_INVALID_ARGUMENT, "request key \"size\": send either size or width and height, not both");
    }
    const std::string size = o.string("size");
    const std::string expected = "\"WIDTHxHEIGHT\", each a multiple of " + std::to_string(limits.size_multiple) +
                                 " from " + std::to_string(limits.size_multiple) + " to " +
                                 std::to_string(limits.max_side) + " (this task's max_side)";
    const size_t x = size.find('x');
    int width = 0, height = 0;
    try {
      size_t used_w = 0, used_h = 0;
      width = x == std::string::npos ? 0 : std::stoi(size.substr(0, x), &used_w);
      height = x == std::string::npos ? 0 : std::stoi(size.substr(x + 1), &used_h);
      if (used_w != x || used_h != size.size() - x - 1) width = 0;
    } catch (const std::exception&) {
      width = 0;
    }
    auto fits = [&](int side) {
      return side >= limits.size_multiple && side <= limits.max_side && side % limits.size_multiple == 0;
    };
    if (!fits(width) || !fits(height)) throw o.bad("size", expected, o.require("size"));
    s.width = width;
    s.height = height;
  }
  s.seed = uint64_t(o.integer_or("seed", 0, 0, int64_t(1) << 53));
  if (o.has("n") && o.integer("n", 1, 1) != 1) throw o.bad("n", "1", o.require("n"));
  if (o.has("response_format") && o.string("response_format") != "b64_json") {
    throw o.bad("response_format", "\"b64_json\"", o.require("response_format"));
  }
  if (type == ImageTaskType::ImageToImage) {
    image::ImageLimits image_limits;
    image_limits.max_bytes = size_t(limits.max_image_bytes);
    image_limits.max_side = 4 * limits.max_side;
    s.init_image = image::decode_image_base64(o.string("init_image"), "request key \"init_image\"", image_limits);
    s.strength = o.number_in("strength", 0.75, 0, 1);
  } else if (o.has("init_image")) {
    throw sdk::Error(NT_INVALID_ARGUMENT, "request key \"init_image\": text-to-image takes no init image; send it to the "
                                          "image-to-image task (/v1/images/edits)");
  }
  return s;
}

}  // namespace nineteen::diffusion
