// blake2b via libsodium's crypto_generichash; xxHash64 written out from its specification.
#include "nineteen/chain/subtensor/hashers.hpp"

#include <sodium.h>

namespace nineteen::chain::subtensor {
namespace {

template <std::size_t N>
std::array<std::uint8_t, N> blake2(const std::uint8_t* data, std::size_t size) {
  std::array<std::uint8_t, N> out{};
  crypto_generichash(out.data(), N, data, size, nullptr, 0);
  return out;
}

constexpr std::uint64_t P1 = 0x9E3779B185EBCA87ULL;
constexpr std::uint64_t P2 = 0xC2B2AE3D27D4EB4FULL;
constexpr std::uint64_t P3 = 0x165667B19E3779F9ULL;
constexpr std::uint64_t P4 = 0x85EBCA77C2B2AE63ULL;
constexpr std::uint64_t P5 = 0x27D4EB2F165667C5ULL;

std::uint64_t rotl(std::uint64_t x, int r) {
  return (x << r) | (x >> (64 - r));
}
std::uint64_t read64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= std::uint64_t{p[i]} << (8 * i);
  return v;
}
std::uint32_t read32(const std::uint8_t* p) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= std::uint32_t{p[i]} << (8 * i);
  return v;
}
std::uint64_t round(std::uint64_t acc, std::uint64_t input) {
  acc += input * P2;
  acc = rotl(acc, 31);
  return acc * P1;
}
std::uint64_t merge(std::uint64_t acc, std::uint64_t val) {
  acc ^= round(0, val);
  return acc * P1 + P4;
}

}  // namespace

std::array<std::uint8_t, 16> blake2_128(const std::uint8_t* data, std::size_t size) {
  return blake2<16>(data, size);
}
std::array<std::uint8_t, 32> blake2_256(const std::uint8_t* data, std::size_t size) {
  return blake2<32>(data, size);
}

std::uint64_t xxhash64(const std::uint8_t* p, std::size_t len, std::uint64_t seed) {
  const std::uint8_t* end = p + len;
  std::uint64_t h;
  if (len >= 32) {
    std::uint64_t v1 = seed + P1 + P2, v2 = seed + P2, v3 = seed, v4 = seed - P1;
    const std::uint8_t* limit = end - 32;
    do {
      v1 = round(v1, read64(p));
      v2 = round(v2, read64(p + 8));
      v3 = round(v3, read64(p + 16));
      v4 = round(v4, read64(p + 24));
      p += 32;
    } while (p <= limit);
    h = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18);
    h = merge(h, v1);
    h = merge(h, v2);
    h = merge(h, v3);
    h = merge(h, v4);
  } else {
    h = seed + P5;
  }
  h += static_cast<std::uint64_t>(len);
  while (p + 8 <= end) {
    h ^= round(0, read64(p));
    h = rotl(h, 27) * P1 + P4;
    p += 8;
  }
  if (p + 4 <= end) {
    h ^= std::uint64_t{read32(p)} * P1;
    h = rotl(h, 23) * P2 + P3;
    p += 4;
  }
  while (p < end) {
    h ^= std::uint64_t{*p} * P5;
    h = rotl(h, 11) * P1;
    ++p;
  }
  h ^= h >> 33;
  h *= P2;
  h ^= h >> 29;
  h *= P3;
  h ^= h >> 32;
  return h;
}

namespace {
template <std::size_t N>
std::array<std::uint8_t, N> twox(const std::uint8_t* data, std::size_t size) {
  std::array<std::uint8_t, N> out{};
  for (std::size_t seed = 0; seed < N / 8; ++seed) {
    std::uint64_t h = xxhash64(data, size, seed);
    for (int i = 0; i < 8; ++i)
      out[seed * 8 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(h >> (8 * i));
  }
  return out;
}
}  // namespace

std::array<std::uint8_t, 8> twox64(const std::uint8_t* data, std::size_t size) {
  return twox<8>(data, size);
}
std::array<std::uint8_t, 16> twox128(const std::uint8_t* data, std::size_t size) {
  return twox<16>(data, size);
}
std::array<std::uint8_t, 32> twox256(const std::uint8_t* data, std::size_t size) {
  return twox<32>(data, size);
}

const char* storage_hasher_name(StorageHasher h) {
  switch (h) {
    case StorageHasher::blake2_128:
      return "Blake2_128";
    case StorageHasher::blake2_256:
      return "Blake2_256";
    case StorageHasher::blake2_128_concat:
      return "Blake2_128Concat";
    case StorageHasher::twox128:
      return "Twox128";
    case StorageHasher::twox256:
      return "Twox256";
    case StorageHasher::twox64_concat:
      return "Twox64Concat";
    case StorageHasher::identity:
      return "Identity";
  }
  return "unknown";
}

Bytes apply_storage_hasher(StorageHasher h, const Bytes& key) {
  Bytes out;
  auto put = [&](const auto& hash) { out.insert(out.end(), hash.begin(), hash.end()); };
  switch (h) {
    case StorageHasher::blake2_128:
      put(blake2_128(key.data(), key.size()));
      break;
    case StorageHasher::blake2_256:
      put(blake2_256(key.data(), key.size()));
      break;
    case StorageHasher::blake2_128_concat:
      put(blake2_128(key.data(), key.size()));
      put(key);
      break;
    case StorageHasher::twox128:
      put(twox128(key.data(), key.size()));
      break;
    case StorageHasher::twox256:
      put(twox256(key.data(), key.size()));
      break;
    case StorageHasher::twox64_concat:
      put(twox64(key.data(), key.size()));
      put(key);
      break;
    case StorageHasher::identity:
      put(key);
      break;
  }
  return out;
}

}  // namespace nineteen::chain::subtensor
