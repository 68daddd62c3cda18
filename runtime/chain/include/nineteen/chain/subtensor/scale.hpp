// SCALE (Substrate's wire codec): an encoder and a bounds-checked decoder that never reads past the end.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace nineteen::chain::subtensor {

using Bytes = std::vector<std::uint8_t>;
using u128 = unsigned __int128;

// Truncated or malformed SCALE; the message names what was being read and the byte offset.
class ScaleError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ScaleEncoder {
 public:
  void u8(std::uint8_t v) { out_.push_back(v); }
  void boolean(bool v) { out_.push_back(v ? 1 : 0); }
  void u16(std::uint16_t v) { fixed(v, 2); }
  void u32(std::uint32_t v) { fixed(v, 4); }
  void u64(std::uint64_t v) { fixed(v, 8); }
  void u128le(u128 v);
  void compact(u128 v);
  void raw(const std::uint8_t* data, std::size_t size) { out_.insert(out_.end(), data, data + size); }
  void raw(const Bytes& bytes) { raw(bytes.data(), bytes.size()); }
  template <std::size_t N>
  void raw(const std::array<std::uint8_t, N>& bytes) {
    raw(bytes.data(), N);
  }
  // Vec<u8> / String: compact length, then the bytes.
  void bytes(const Bytes& bytes) {
    compact(bytes.size());
    raw(bytes);
  }
  void text(const std::string& s) {
    compact(s.size());
    raw(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
  }

  const Bytes& data() const { return out_; }
  Bytes take() { return std::move(out_); }

 private:
  void fixed(std::uint64_t v, int width) {
    for (int i = 0; i < width; ++i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  Bytes out_;
};

// Reads from a borrowed buffer. Every read checks the remaining length; lengths of sequences are
// capped by the bytes left (each element takes at least `min_element_size` bytes).
class ScaleDecoder {
 public:
  ScaleDecoder(const std::uint8_t* data, std::size_t size, std::string what = "SCALE")
      : data_(data), size_(size), what_(std::move(what)) {}
  explicit ScaleDecoder(const Bytes& bytes, std::string what = "SCALE")
      : ScaleDecoder(bytes.data(), bytes.size(), std::move(what)) {}

  std::uint8_t u8();
  bool boolean();
  std::uint16_t u16() { return static_cast<std::uint16_t>(fixed(2)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(fixed(4)); }
  std::uint64_t u64() { return fixed(8); }
  u128 u128le();
  u128 compact();
  std::uint64_t compact_u64();  // throws when the value does not fit
  std::uint32_t compact_u32();
  // A compact length that must fit in the remaining bytes at `min_element_size` bytes per element.
  std::size_t length(std::size_t min_element_size = 1);
  Bytes raw(std::size_t n);
  template <std::size_t N>
  std::array<std::uint8_t, N> array() {
    need(N, "a byte array");
    std::array<std::uint8_t, N> a{};
    for (std::size_t i = 0; i < N; ++i) a[i] = data_[pos_ + i];
    pos_ += N;
    return a;
  }
  Bytes bytes() { return raw(length(1)); }
  std::string text();
  // Option<T>: reads the 0/1 tag; true = Some follows.
  bool option_tag();
  void skip(std::size_t n) {
    need(n, "skipped bytes");
    pos_ += n;
  }

  std::size_t position() const { return pos_; }
  std::size_t remaining() const { return size_ - pos_; }
  bool at_end() const { return pos_ == size_; }
  const std::uint8_t* cursor() const { return data_ + pos_; }
  // Throws unless every byte was read ("N bytes left over").
  void expect_end() const;
  [[noreturn]] void fail(const std::string& message) const;

 private:
  void need(std::size_t n, const char* reading) const;
  std::uint64_t fixed(int width);

  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
  std::string what_;
};

// Hex with or without "0x"; throws std::invalid_argument naming `what` on odd length or a bad digit.
Bytes hex_decode(const std::string& hex, const std::string& what = "hex");
std::string hex_encode(const std::uint8_t* data, std::size_t size, bool prefix = true);
inline std::string hex_encode(const Bytes& bytes, bool prefix = true) {
  return hex_encode(bytes.data(), bytes.size(), prefix);
}
template <std::size_t N>
std::string hex_encode(const std::array<std::uint8_t, N>& bytes, bool prefix = true) {
  return hex_encode(bytes.data(), N, prefix);
}
std::string u128_to_string(u128 v);

}  // namespace nineteen::chain::subtensor
