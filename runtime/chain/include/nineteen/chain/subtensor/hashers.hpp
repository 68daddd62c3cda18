// The hashers of Substrate storage keys and signing payloads: blake2b (libsodium) and twox (xxHash64).
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "nineteen/chain/subtensor/scale.hpp"

namespace nineteen::chain::subtensor {

std::array<std::uint8_t, 16> blake2_128(const std::uint8_t* data, std::size_t size);
std::array<std::uint8_t, 32> blake2_256(const std::uint8_t* data, std::size_t size);
inline std::array<std::uint8_t, 32> blake2_256(const Bytes& b) {
  return blake2_256(b.data(), b.size());
}

// xxHash64 (the reference algorithm) with a seed.
std::uint64_t xxhash64(const std::uint8_t* data, std::size_t size, std::uint64_t seed);
std::array<std::uint8_t, 8> twox64(const std::uint8_t* data, std::size_t size);
std::array<std::uint8_t, 16> twox128(const std::uint8_t* data, std::size_t size);
std::array<std::uint8_t, 32> twox256(const std::uint8_t* data, std::size_t size);
inline std::array<std::uint8_t, 16> twox128(const std::string& s) {
  return twox128(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

// The StorageHasher enum of the metadata, in its SCALE order.
enum class StorageHasher : std::uint8_t {
  blake2_128 = 0,
  blake2_256 = 1,
  blake2_128_concat = 2,
  twox128 = 3,
  twox256 = 4,
  twox64_concat = 5,
  identity = 6,
};
const char* storage_hasher_name(StorageHasher h);
// The hashed key part (hash, or hash ‖ key for the *_concat hashers and identity).
Bytes apply_storage_hasher(StorageHasher h, const Bytes& encoded_key);

}  // namespace nineteen::chain::subtensor
