// The Keccak-f[1600] permutation (FIPS 202), the core under STROBE-128 and so under Merlin transcripts.
#pragma once

#include <array>
#include <cstdint>

namespace nineteen::keys {

// Permutes a 200-byte state in place; lanes are read and written little-endian, as Keccak defines.
void keccak_f1600(std::array<std::uint8_t, 200>& state);

}  // namespace nineteen::keys
