// An 8-bit RGB image in memory: the one pixel format the image toolkit passes around.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace nineteen::image {

// Row-major, 3 bytes per pixel (R, G, B), no padding: pixels.size() == width * height * 3.
struct RgbImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;

  RgbImage() = default;
  RgbImage(int w, int h) : width(w), height(h), pixels(static_cast<size_t>(w) * h * 3, 0) {}
  uint8_t* at(int x, int y) { return pixels.data() + (static_cast<size_t>(y) * width + x) * 3; }
  const uint8_t* at(int x, int y) const { return pixels.data() + (static_cast<size_t>(y) * width + x) * 3; }
};

}  // namespace nineteen::image
