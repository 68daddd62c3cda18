// SCALE codec: fixed little-endian integers, compact integers, bounds-checked reads.
#include "nineteen/chain/subtensor/scale.hpp"

#include "nineteen/keys/ss58.hpp"

namespace nineteen::chain::subtensor {

void ScaleEncoder::u128le(u128 v) {
  for (int i = 0; i < 16; ++i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

void ScaleEncoder::compact(u128 v) {
  if (v < (u128{1} << 6)) {
    u8(static_cast<std::uint8_t>(v << 2));
  } else if (v < (u128{1} << 14)) {
    u16(static_cast<std::uint16_t>((v << 2) | 1));
  } else if (v < (u128{1} << 30)) {
    u32(static_cast<std::uint32_t>((v << 2) | 2));
  } else {
    int n = 0;
    for (u128 x = v; x != 0; x >>= 8) ++n;
    if (n < 4) n = 4;
    u8(static_cast<std::uint8_t>(((n - 4) << 2) | 3));
    for (int i = 0; i < n; ++i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
}

void ScaleDecoder::need(std::size_t n, const char* reading) const {
  if (n > size_ - pos_) {
    throw ScaleError(what_ + ": truncated at byte " + std::to_string(pos_) + " reading " + reading +
                     " (needs " + std::to_string(n) + " bytes, " + std::to_string(size_ - pos_) + " left)");
  }
}

void ScaleDecoder::fail(const std::string& message) const {
  throw ScaleError(what_ + ": " + message + " at byte " + std::to_string(pos_));
}

void ScaleDecoder::expect_end() const {
  if (pos_ != size_) {
    throw ScaleError(what_ + ": " + std::to_string(size_ - pos_) + " bytes left over after byte " +
                     std::to_string(pos_));
  }
}

std::uint8_t ScaleDecoder::u8() {
  need(1, "a u8");
  return data_[pos_++];
}

bool ScaleDecoder::boolean() {
  need(1, "a bool");
  std::uint8_t b = data_[pos_];
  if (b > 1) fail("bool byte " + std::to_string(b) + " is neither 0 nor 1");
  ++pos_;
  return b == 1;
}

bool ScaleDecoder::option_tag() {
  need(1, "an Option tag");
  std::uint8_t b = data_[pos_];
  if (b > 1) fail("Option tag " + std::to_string(b) + " is neither 0 nor 1");
  ++pos_;
  return b == 1;
}

std::uint64_t ScaleDecoder::fixed(int width) {
  need(static_cast<std::size_t>(width), width == 2 ? "a u16" : width == 4 ? "a u32" : "a u64");
  std::uint64_t v = 0;
  for (int i = 0; i < width; ++i) v |= std::uint64_t{data_[pos_ + i]} << (8 * i);
  pos_ += static_cast<std::size_t>(width);
  return v;
}

u128 ScaleDecoder::u128le() {
  need(16, "a u128");
  u128 v = 0;
  for (int i = 0; i < 16; ++i) v |= u128{data_[pos_ + i]} << (8 * i);
  pos_ += 16;
  return v;
}

u128 ScaleDecoder::compact() {
  need(1, "a compact integer");
  std::uint8_t first = data_[pos_];
  switch (first & 3) {
    case 0:
      ++pos_;
      return first >> 2;
    case 1:
      return fixed(2) >> 2;
    case 2:
      return fixed(4) >> 2;
    default: {
      std::size_t n = (first >> 2) + 4u;
      if (n > 16) fail("compact integer of " + std::to_string(n) + " bytes is wider than u128");
      need(1 + n, "a compact integer");
      u128 v = 0;
      for (std::size_t i = 0; i < n; ++i) v |= u128{data_[pos_ + 1 + i]} << (8 * i);
      pos_ += 1 + n;
      return v;
    }
  }
}

std::uint64_t ScaleDecoder::compact_u64() {
  std::size_t at = pos_;
  u128 v = compact();
  if (v > u128{UINT64_MAX}) {
    pos_ = at;
    fail("compact integer does not fit in u64");
  }
  return static_cast<std::uint64_t>(v);
}

std::uint32_t ScaleDecoder::compact_u32() {
  std::size_t at = pos_;
  u128 v = compact();
  if (v > u128{UINT32_MAX}) {
    pos_ = at;
    fail("compact integer does not fit in u32");
  }
  return static_cast<std::uint32_t>(v);
}

std::size_t ScaleDecoder::length(std::size_t min_element_size) {
  std::size_t at = pos_;
  u128 n = compact();
  u128 cap = min_element_size == 0 ? u128{UINT32_MAX} : u128{(size_ - pos_) / min_element_size};
  if (n > cap) {
    std::size_t left = size_ - pos_;
    pos_ = at;
    throw ScaleError(what_ + ": truncated at byte " + std::to_string(at) + ": a length of " +
                     u128_to_string(n) + " with only " + std::to_string(left) + " bytes left");
  }
  return static_cast<std::size_t>(n);
}

Bytes ScaleDecoder::raw(std::size_t n) {
  need(n, "bytes");
  Bytes b(data_ + pos_, data_ + pos_ + n);
  pos_ += n;
  return b;
}

std::string ScaleDecoder::text() {
  std::size_t n = length(1);
  std::string s(reinterpret_cast<const char*>(data_ + pos_), n);
  pos_ += n;
  return s;
}

Bytes hex_decode(const std::string& hex, const std::string& what) {
  std::string body = hex.rfind("0x", 0) == 0 || hex.rfind("0X", 0) == 0 ? hex.substr(2) : hex;
  auto text = keys::from_hex(body);
  if (!text) {
    throw std::invalid_argument(what + ": expected hex (optionally 0x-prefixed, even length), got \"" +
                                (hex.size() > 40 ? hex.substr(0, 37) + "..." : hex) + "\"");
  }
  return Bytes(text->begin(), text->end());
}

std::string hex_encode(const std::uint8_t* data, std::size_t size, bool prefix) {
  return (prefix ? "0x" : "") + keys::to_hex(data, size);
}

std::string u128_to_string(u128 v) {
  if (v == 0) return "0";
  std::string s;
  while (v != 0) {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  return s;
}

}  // namespace nineteen::chain::subtensor
