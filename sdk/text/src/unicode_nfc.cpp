// NFC through ICU's normalizer, run by valid UTF-8 run so that other bytes pass through untouched.
#include "unicode_nfc.hpp"

#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include <vector>

#include "nineteen/sdk/error.hpp"

namespace nineteen::text::detail {

namespace {

// Length of the valid UTF-8 character at text[i], or 0 when the bytes there are not one.
size_t utf8_length(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
  if (n == 0 || (c >= 0xF0 && n != 4) || i + n > text.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  const unsigned char c1 = byte(i + 1);
  if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0) || (c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 >= 0x90)) {
    return 0;  // overlong, surrogate or beyond U+10FFFF
  }
  return n;
}

void check(UErrorCode status, const char* what) {
  if (U_FAILURE(status)) throw sdk::Error(NT_INTERNAL, std::string("NFC normalisation: ") + what + ": " + u_errorName(status));
}

// Appends the NFC form of a valid UTF-8 run.
void append_nfc(std::string_view run, std::string& out) {
  UErrorCode status = U_ZERO_ERROR;
  const UNormalizer2* nfc = unorm2_getNFCInstance(&status);
  check(status, "no NFC data");
  std::vector<UChar> utf16(run.size() + 1);
  int32_t length = 0;
  u_strFromUTF8(utf16.data(), static_cast<int32_t>(utf16.size()), &length, run.data(), static_cast<int32_t>(run.size()),
                &status);
  check(status, "UTF-8 to UTF-16");
  // Composition never lengthens text by more than 3x (the Unicode stability bound for NFC).
  std::vector<UChar> normal(static_cast<size_t>(length) * 3 + 1);
  int32_t normal_length =
      unorm2_normalize(nfc, utf16.data(), length, normal.data(), static_cast<int32_t>(normal.size()), &status);
  check(status, "normalize");
  std::string bytes(static_cast<size_t>(normal_length) * 3 + 1, '\0');
  int32_t byte_length = 0;
  u_strToUTF8(&bytes[0], static_cast<int32_t>(bytes.size()), &byte_length, normal.data(), normal_length, &status);
  check(status, "UTF-16 to UTF-8");
  out.append(bytes.data(), static_cast<size_t>(byte_length));
}

}  // namespace

bool to_nfc(std::string_view text, std::string& out) {
  bool ascii = true;
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return false;
  std::string result;
  result.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    size_t begin = i;
    while (i < text.size()) {
      size_t n = utf8_length(text, i);
      if (n == 0) break;
      i += n;
    }
    if (i > begin) append_nfc(text.substr(begin, i - begin), result);
    if (i < text.size()) result += text[i++];  // a byte that starts no valid character
  }
  if (result == text) return false;
  out = std::move(result);
  return true;
}

}  // namespace nineteen::text::detail
