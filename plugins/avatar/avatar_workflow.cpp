// The avatar workflow's pure steps.
#include "avatar_workflow.hpp"

#include <algorithm>
#include <cmath>
#include <random>

#include <nineteen/image/base64.hpp>
#include <nineteen/image/image_decoding.hpp>
#include <nineteen/image/image_resize.hpp>
#include <nineteen/image/png_codec.hpp>
#include <nineteen/sdk/json.hpp>

namespace nineteen::avatar {

AvatarRequest read_avatar_request(std::string_view json, const AvatarLimits& limits) {
  rapidjson::Document doc = sdk::parse_json(json, "request");
  sdk::JsonObject o(doc, "request");
  o.allow_only_request_keys({"model", "image", "prompt", "negative_prompt", "identity_strength", "structure_strength",
                             "steps", "seed", "size", "user", "stream"},
                            {"n", "response_format", "quality", "style"});
  AvatarRequest r;
  image::ImageLimits image_limits;
  image_limits.max_side = 4 * limits.max_side;
  r.portrait = image::decode_image_base64(o.string("image"), "request key \"image\"", image_limits);
  r.prompt = o.string("prompt");
  if (r.prompt.empty() || r.prompt.size() > 4000) {
    throw o.bad("prompt", "a non-empty text of at most 4000 bytes", o.require("prompt"));
  }
  r.negative_prompt = o.string_or("negative_prompt", "");
  r.identity_strength = o.number_in("identity_strength", 0.7, 0, 1);
  r.structure_strength = o.number_in("structure_strength", 0.5, 0, 1);
  r.steps = o.integer_or("steps", 8, 1, limits.max_steps);
  r.seed = static_cast<uint64_t>(o.integer_or("seed", 0, 0, int64_t(1) << 53));
  r.size = static_cast<int>(o.integer_or("size", 64, 64, limits.max_side));
  if (r.size % 8 != 0) throw o.bad("size", "a multiple of 8", o.require("size"));
  return r;
}

image::RgbImage structure_guide(const image::RgbImage& face) {
  const int low = std::max(8, face.width / 4);
  image::RgbImage small = image::resize_image(face, low, low);
  std::vector<double> luma(static_cast<size_t>(low) * low);
  for (int y = 0; y < low; ++y) {
    for (int x = 0; x < low; ++x) {
      const uint8_t* p = small.at(x, y);
      luma[static_cast<size_t>(y) * low + x] = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
    }
  }
  auto at = [&](int x, int y) {
    x = std::clamp(x, 0, low - 1);
    y = std::clamp(y, 0, low - 1);
    return luma[static_cast<size_t>(y) * low + x];
  };
  image::RgbImage edges(low, low);
  for (int y = 0; y < low; ++y) {
    for (int x = 0; x < low; ++x) {
      const double gx = at(x + 1, y - 1) + 2 * at(x + 1, y) + at(x + 1, y + 1) - at(x - 1, y - 1) - 2 * at(x - 1, y) -
                        at(x - 1, y + 1);
      const double gy = at(x - 1, y + 1) + 2 * at(x, y + 1) + at(x + 1, y + 1) - at(x - 1, y - 1) - 2 * at(x, y - 1) -
                        at(x + 1, y - 1);
      const auto v = static_cast<uint8_t>(std::min(255.0, std::sqrt(gx * gx + gy * gy) / 4));
      uint8_t* out = edges.at(x, y);
      out[0] = out[1] = out[2] = v;
    }
  }
  return image::resize_image(edges, face.width, face.height);
}

image::RgbImage init_image(const image::RgbImage& face, const image::RgbImage& guide, double structure_strength) {
  image::RgbImage out(face.width, face.height);
  for (size_t i = 0; i < out.pixels.size(); ++i) {
    const double v = (1 - structure_strength) * face.pixels[i] + structure_strength * guide.pixels[i];
    out.pixels[i] = static_cast<uint8_t>(std::clamp(std::lround(v), 0L, 255L));
  }
  return out;
}

std::string image_to_image_request(const AvatarRequest& r) {
  const image::RgbImage face = image::resize_image(r.portrait, r.size, r.size);
  const image::RgbImage init = init_image(face, structure_guide(face), r.structure_strength);
  return "{\"prompt\":" + sdk::json_quote(r.prompt) + ",\"negative_prompt\":" + sdk::json_quote(r.negative_prompt) +
         ",\"init_image\":\"" + image::base64_encode(image::encode_png(init)) + "\",\"strength\":" +
         std::to_string(1.0 - r.identity_strength) + ",\"steps\":" + std::to_string(r.steps) +
         ",\"seed\":" + std::to_string(r.seed) + ",\"width\":" + std::to_string(r.size) +
         ",\"height\":" + std::to_string(r.size) + "}";
}

double steps_run(const AvatarRequest& r) {
  return std::floor(static_cast<double>(r.steps) * (1.0 - r.identity_strength));
}

image::RgbImage procedural_portrait(uint64_t seed, int side) {
  std::mt19937_64 rng(seed);
  auto unit = [&] { return static_cast<double>(rng() >> 11) / 9007199254740992.0; };
  const double bg[3] = {255 * unit(), 255 * unit(), 255 * unit()};
  const double bg2[3] = {255 * unit(), 255 * unit(), 255 * unit()};
  const double skin[3] = {150 + 100 * unit(), 100 + 90 * unit(), 70 + 80 * unit()};
  const double cx = side * (0.4 + 0.2 * unit()), cy = side * (0.45 + 0.1 * unit());
  const double rx = side * (0.22 + 0.08 * unit()), ry = side * (0.28 + 0.08 * unit());
  image::RgbImage img(side, side);
  for (int y = 0; y < side; ++y) {
    for (int x = 0; x < side; ++x) {
      const double t = static_cast<double>(y) / side;
      double c[3];
      for (int k = 0; k < 3; ++k) c[k] = (1 - t) * bg[k] + t * bg2[k];
      const double dx = (x - cx) / rx, dy = (y - cy) / ry;
      if (dx * dx + dy * dy <= 1) {
        for (int k = 0; k < 3; ++k) c[k] = skin[k];
        const double ex = std::abs(x - cx) - rx * 0.4, ey = y - (cy - ry * 0.25);
        if (ex * ex + ey * ey < (side * 0.03) * (side * 0.03)) c[0] = c[1] = c[2] = 30;  // eyes
        const double mx = (x - cx) / (rx * 0.5), my = (y - (cy + ry * 0.45)) / (ry * 0.12);
        if (mx * mx + my * my < 1) c[0] = 170, c[1] = 40, c[2] = 50;  // mouth
      }
      uint8_t* p = img.at(x, y);
      for (int k = 0; k < 3; ++k) p[k] = static_cast<uint8_t>(std::clamp(c[k], 0.0, 255.0));
    }
  }
  return img;
}

double avatar_quality(double ssim) {
  if (!(ssim > 0)) return 0;
  return ssim > 0.95 ? 1.0 : ssim * ssim;
}

}  // namespace nineteen::avatar
