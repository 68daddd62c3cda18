// SSIM on luminance at a fixed size, and the cosine of feature vectors.
#include "nineteen/image/image_similarity.hpp"

#include <cmath>

#include "nineteen/image/image_resize.hpp"
#include "nineteen/sdk/error.hpp"

namespace nineteen::image {
namespace {

std::vector<double> luminance(const RgbImage& image) {
  std::vector<double> y(size_t(image.width) * image.height);
  for (size_t i = 0; i < y.size(); ++i) {
    const uint8_t* p = &image.pixels[i * 3];
    y[i] = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
  }
  return y;
}

// Separable Gaussian blur with the SSIM window, truncated at the borders (weights renormalised).
std::vector<double> gaussian_blur(const std::vector<double>& in, int side) {
  constexpr int kRadius = 5;
  double kernel[2 * kRadius + 1];
  for (int i = -kRadius; i <= kRadius; ++i) kernel[i + kRadius] = std::exp(-(i * i) / (2 * 1.5 * 1.5));
  std::vector<double> tmp(in.size()), out(in.size());
  for (int pass = 0; pass < 2; ++pass) {
    const std::vector<double>& src = pass == 0 ? in : tmp;
    std::vector<double>& dst = pass == 0 ? tmp : out;
    for (int y = 0; y < side; ++y) {
      for (int x = 0; x < side; ++x) {
        double sum = 0, weight = 0;
        for (int k = -kRadius; k <= kRadius; ++k) {
          int xx = pass == 0 ? x + k : x, yy = pass == 0 ? y : y + k;
          if (xx < 0 || yy < 0 || xx >= side || yy >= side) continue;
          sum += kernel[k + kRadius] * src[size_t(yy) * side + xx];
          weight += kernel[k + kRadius];
        }
        dst[size_t(y) * side + x] = sum / weight;
      }
    }
  }
  return out;
}

}  // namespace

double luminance_ssim(const RgbImage& a, const RgbImage& b) {
  const int side = kSsimSide;
  std::vector<double> x = luminance(resize_image(a, side, side)), y = luminance(resize_image(b, side, side));
  std::vector<double> xx(x.size()), yy(x.size()), xy(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    xx[i] = x[i] * x[i];
    yy[i] = y[i] * y[i];
    xy[i] = x[i] * y[i];
  }
  std::vector<double> mx = gaussian_blur(x, side), my = gaussian_blur(y, side);
  std::vector<double> sxx = gaussian_blur(xx, side), syy = gaussian_blur(yy, side), sxy = gaussian_blur(xy, side);
  const double c1 = (0.01 * 255) * (0.01 * 255), c2 = (0.03 * 255) * (0.03 * 255);
  double total = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    double vx = sxx[i] - mx[i] * mx[i], vy = syy[i] - my[i] * my[i], cxy = sxy[i] - mx[i] * my[i];
    total += ((2 * mx[i] * my[i] + c1) * (2 * cxy + c2)) / ((mx[i] * mx[i] + my[i] * my[i] + c1) * (vx + vy + c2));
  }
  return total / double(x.size());
}

double luminance_spread(const RgbImage& image) {
  std::vector<double> y = luminance(image);
  if (y.empty()) return 0;
  double mean = 0, square = 0;
  for (double v : y) mean += v;
  mean /= double(y.size());
  for (double v : y) square += (v - mean) * (v - mean);
  return std::sqrt(square / double(y.size()));
}

double feature_cosine(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) {
    throw sdk::Error(NT_INTERNAL, "feature_cosine: vectors of length " + std::to_string(a.size()) + " and " +
                                      std::to_string(b.size()));
  }
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    dot += double(a[i]) * b[i];
    na += double(a[i]) * a[i];
    nb += double(b[i]) * b[i];
  }
  if (na == 0 || nb == 0) return 0;
  return dot / std::sqrt(na * nb);
}

}  // namespace nineteen::image
