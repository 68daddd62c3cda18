// The starting noise of a generation: a function of the seed alone, independent of libtorch's
// generators, so a miner and a checker with different libtorch builds start from the same latents.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace nineteen::diffusion {

// `count` standard normal deviates (mt19937_64 + Box-Muller written out).
std::vector<float> latent_noise(uint64_t seed, size_t count);

}  // namespace nineteen::diffusion
