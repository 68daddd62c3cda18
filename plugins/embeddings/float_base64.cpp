// Base64 of little-endian float32 vectors, both ways, strict on decoding.
#include "float_base64.hpp"

#include <array>
#include <cstdint>
#include <cstring>

namespace nineteen::embeddings {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::array<int8_t, 256> decoding_table() {
  std::array<int8_t, 256> table;
  table.fill(-1);
  for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int8_t>(i);
  return table;
}

// Floats as little-endian bytes whatever the host order (all supported hosts are little-endian,
// but the wire format must not depend on it).
void float_bytes(float f, unsigned char out[4]) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  for (int k = 0; k < 4; ++k) out[k] = static_cast<unsigned char>(bits >> (8 * k));
}

}  // namespace

std::string floats_to_base64(const float* values, size_t count) {
  std::string bytes(count * 4, '\0');
  for (size_t i = 0; i < count; ++i) float_bytes(values[i], reinterpret_cast<unsigned char*>(&bytes[i * 4]));
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    const size_t n = std::min<size_t>(3, bytes.size() - i);
    uint32_t group = 0;
    for (size_t k = 0; k < 3; ++k) group = (group << 8) | (k < n ? static_cast<unsigned char>(bytes[i + k]) : 0);
    for (size_t k = 0; k < 4; ++k) out += k <= n ? kAlphabet[(group >> (18 - 6 * k)) & 63] : '=';
  }
  return out;
}

std::optional<std::vector<float>> base64_to_floats(std::string_view text) {
  static const std::array<int8_t, 256> table = decoding_table();
  if (text.size() % 4 != 0) return std::nullopt;
  std::string bytes;
  bytes.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    int padding = 0;
    uint32_t group = 0;
    for (size_t k = 0; k < 4; ++k) {
      const char c = text[i + k];
      if (c == '=' && last && k >= 2) {
        ++padding;
        group <<= 6;
        continue;
      }
      const int8_t v = table[static_cast<unsigned char>(c)];
      if (v < 0 || padding) return std::nullopt;  // a bad character, or data after padding
      group = (group << 6) | static_cast<uint32_t>(v);
    }
    for (int k = 0; k < 3 - padding; ++k) bytes += static_cast<char>((group >> (16 - 8 * k)) & 0xFF);
  }
  if (bytes.size() % 4 != 0) return std::nullopt;
  std::vector<float> out(bytes.size() / 4);
  for (size_t i = 0; i < out.size(); ++i) {
    uint32_t bits = 0;
    for (int k = 3; k >= 0; --k) bits = (bits << 8) | static_cast<unsigned char>(bytes[i * 4 + k]);
    std::memcpy(&out[i], &bits, 4);
  }
  return out;
}

}  // namespace nineteen::embeddings
