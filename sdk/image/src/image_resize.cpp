// Resampling: each output pixel averages the source area it covers (box filter) when shrinking,
// and interpolates bilinearly (pixel centres aligned) when growing.
#include "nineteen/image/image_resize.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "nineteen/sdk/error.hpp"

namespace nineteen::image {
namespace {

// Resamples one axis of a float plane with `channels` interleaved values.
std::vector<float> resample_axis(const std::vector<float>& in, int in_len, int out_len, int other, bool along_x,
                                 int channels) {
  std::vector<float> out(size_t(out_len) * other * channels, 0.f);
  auto index = [&](int pos, int o, int len) { return along_x ? (size_t(o) * len + pos) : (size_t(pos) * other + o); };
  const double scale = double(in_len) / out_len;
  for (int o = 0; o < other; ++o) {
    for (int p = 0; p < out_len; ++p) {
      float* dst = &out[index(p, o, out_len) * channels];
      if (out_len <= in_len) {
        double start = p * scale, end = (p + 1) * scale, total = 0;
        for (int s = int(std::floor(start)); s < int(std::ceil(end)) && s < in_len; ++s) {
          double w = std::min(end, double(s + 1)) - std::max(start, double(s));
          if (w <= 0) continue;
          const float* src = &in[index(s, o, in_len) * channels];
          for (int c = 0; c < channels; ++c) dst[c] += float(w * src[c]);
          total += w;
        }
        for (int c = 0; c < channels; ++c) dst[c] = float(dst[c] / total);
      } else {
        double x = (p + 0.5) * scale - 0.5;
        int x0 = int(std::floor(x));
        double f = x - x0;
        int a = std::clamp(x0, 0, in_len - 1), b = std::clamp(x0 + 1, 0, in_len - 1);
        const float* sa = &in[index(a, o, in_len) * channels];
        const float* sb = &in[index(b, o, in_len) * channels];
        for (int c = 0; c < channels; ++c) dst[c] = float(sa[c] * (1 - f) + sb[c] * f);
      }
    }
  }
  return out;
}

}  // namespace

RgbImage resize_image(const RgbImage& source, int width, int height) {
  if (width < 1 || height < 1) {
    throw sdk::Error(NT_INVALID_ARGUMENT, "resize_image: target size " + std::to_string(width) + "x" +
                                              std::to_string(height) + " must be at least 1x1");
  }
  if (source.width < 1 || source.height < 1) throw sdk::Error(NT_INVALID_ARGUMENT, "resize_image: the source is empty");
  if (source.width == width && source.height == height) return source;
  std::vector<float> plane(source.pixels.begin(), source.pixels.end());
  plane = resample_axis(plane, source.width, width, source.height, true, 3);
  plane = resample_axis(plane, source.height, height, width, false, 3);
  RgbImage out(width, height);
  for (size_t i = 0; i < plane.size(); ++i) out.pixels[i] = uint8_t(std::clamp(std::lround(plane[i]), 0l, 255l));
  return out;
}

}  // namespace nineteen::image
