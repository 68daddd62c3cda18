// GPT-2's byte-level alphabet: each byte spelled as a printable code point, and back.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nineteen::text::detail {

// The code point GPT-2 spells byte b with (printable bytes stand for themselves; the rest map to
// U+0100 and up, so every vocabulary entry is printable text).
uint32_t byte_to_code_point(uint8_t b);
std::optional<uint8_t> code_point_to_byte(uint32_t code_point);

// bytes -> vocabulary spelling ("hello world" -> "helloĠworld").
std::string spell_bytes(std::string_view bytes);
// vocabulary spelling -> bytes; nullopt when a character lies outside the alphabet or the spelling
// is not valid UTF-8 (such a token then stands for its own UTF-8 text, as Hugging Face decodes it).
std::optional<std::string> unspell(std::string_view spelling);

void append_utf8(uint32_t code_point, std::string& out);

}  // namespace nineteen::text::detail
