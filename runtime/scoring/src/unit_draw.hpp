// A uniform number in [0, 1) from the injected generator, the same on every standard library.
#pragma once

#include <random>

namespace nineteen::scoring::detail {

// std::uniform_real_distribution is implementation-defined, so a seed would give different draws on
// libstdc++ and libc++; the top 53 bits of one mt19937_64 output are portable.
inline double unit_draw(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

}  // namespace nineteen::scoring::detail
