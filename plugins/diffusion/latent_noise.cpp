// Seeded standard normal noise by hand (the standard library's distributions differ by vendor).
#include "latent_noise.hpp"

#include <cmath>
#include <random>

namespace nineteen::diffusion {

std::vector<float> latent_noise(uint64_t seed, size_t count) {
  std::mt19937_64 generator(seed);
  std::vector<float> out(count);
  for (size_t i = 0; i < count; i += 2) {
    double u1 = (double(generator() >> 11) + 0.5) / 9007199254740992.0;
    double u2 = double(generator() >> 11) / 9007199254740992.0;
    double r = std::sqrt(-2.0 * std::log(u1));
    out[i] = float(r * std::cos(2.0 * M_PI * u2));
    if (i + 1 < count) out[i + 1] = float(r * std::sin(2.0 * M_PI * u2));
  }
  return out;
}

}  // namespace nineteen::diffusion
