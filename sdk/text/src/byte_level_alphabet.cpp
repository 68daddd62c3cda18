// GPT-2's bytes_to_unicode table and its inverse.
#include "byte_level_alphabet.hpp"

#include <array>

namespace nineteen::text::detail {
namespace {

struct Alphabet {
  std::array<uint32_t, 256> code_point_of_byte{};
  std::array<int16_t, 512> byte_of_code_point{};  // every code point used is below U+0200
};

bool is_printable_itself(int b) {
  return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

const Alphabet& alphabet() {
  static const Alphabet table = [] {
    Alphabet a;
    a.byte_of_code_point.fill(-1);
    uint32_t next_free = 256;  // the non-printable bytes take U+0100.. in byte order
    for (int b = 0; b < 256; ++b) {
      uint32_t cp = is_printable_itself(b) ? static_cast<uint32_t>(b) : next_free++;
      a.code_point_of_byte[b] = cp;
      a.byte_of_code_point[cp] = static_cast<int16_t>(b);
    }
    return a;
  }();
  return table;
}

// Decodes one UTF-8 character at text[pos]; returns its length, or 0 when malformed.
size_t decode_utf8(std::string_view text, size_t pos, uint32_t& code_point) {
  auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
  uint8_t lead = byte(pos);
  size_t length = lead < 0x80           ? 1
                  : (lead >> 5) == 0x6  ? 2
                  : (lead >> 4) == 0xE  ? 3
                  : (lead >> 3) == 0x1E ? 4
                                        : 0;
  if (length == 0 || pos + length > text.size()) return 0;
  code_point = length == 1 ? lead : lead & (0x7F >> length);
  for (size_t i = 1; i < length; ++i) {
    if ((byte(pos + i) & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (byte(pos + i) & 0x3F);
  }
  return length;
}

}  // namespace

uint32_t byte_to_code_point(uint8_t b) {
  return alphabet().code_point_of_byte[b];
}

std::optional<uint8_t> code_point_to_byte(uint32_t code_point) {
  if (code_point >= alphabet().byte_of_code_point.size()) return std::nullopt;
  int16_t b = alphabet().byte_of_code_point[code_point];
  if (b < 0) return std::nullopt;
  return static_cast<uint8_t>(b);
}

void append_utf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string spell_bytes(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) append_utf8(byte_to_code_point(static_cast<uint8_t>(c)), out);
  return out;
}

std::optional<std::string> unspell(std::string_view spelling) {
  std::string out;
  out.reserve(spelling.size());
  for (size_t pos = 0; pos < spelling.size();) {
    uint32_t cp = 0;
    size_t length = decode_utf8(spelling, pos, cp);
    if (length == 0) return std::nullopt;
    std::optional<uint8_t> b = code_point_to_byte(cp);
    if (!b) return std::nullopt;
    out += static_cast<char>(*b);
    pos += length;
  }
  return out;
}

}  // namespace nineteen::text::detail
