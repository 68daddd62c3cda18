// Base64 encoding and strict decoding (standard alphabet, padding, whitespace skipped).
#include "nineteen/image/base64.hpp"

#include "nineteen/sdk/error.hpp"

namespace nineteen::image {
namespace {

const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int value_of(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i < bytes.size()) {
    uint32_t v = uint8_t(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= uint8_t(bytes[i + 1]) << 8;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string base64_decode(std::string_view text, const std::string& what) {
  size_t offset = 0;
  if (text.substr(0, 5) == "data:") {
    size_t marker = text.find(";base64,");
    if (marker == std::string_view::npos) {
      throw sdk::Error(NT_INVALID_ARGUMENT, what + ": a data URL must be \"data:<type>;base64,<data>\"");
    }
    offset = marker + 8;
  }
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t bits = 0;
  int held = 0, padding = 0;
  size_t symbols = 0;
  for (size_t i = offset; i < text.size(); ++i) {
    char c = text[i];
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (c == '=') {
      ++padding;
      ++symbols;
      continue;
    }
    int v = value_of(c);
    if (v < 0 || padding > 0) {
      std::string shown = (uint8_t(c) >= 32 && uint8_t(c) < 127) ? std::string("'") + c + "'" : "byte " + std::to_string(uint8_t(c));
      throw sdk::Error(NT_INVALID_ARGUMENT, what + ": not base64: " + shown + " at offset " + std::to_string(i) +
                                                (padding > 0 ? " after '=' padding" : "") +
                                                " (expected A-Z a-z 0-9 + / and '=' padding)");
    }
    ++symbols;
    bits = (bits << 6) | uint32_t(v);
    held += 6;
    if (held >= 8) {
      held -= 8;
      out += char((bits >> held) & 0xFF);
    }
  }
  if (symbols == 0) throw sdk::Error(NT_INVALID_ARGUMENT, what + ": empty base64");
  if (symbols % 4 != 0 || padding > 2) {
    throw sdk::Error(NT_INVALID_ARGUMENT, what + ": base64 is truncated (" + std::to_string(symbols) +
                                              " symbols; expected a multiple of 4 with at most two '=')");
  }
  return out;
}

}  // namespace nineteen::image
