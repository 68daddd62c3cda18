// WordPiece tokenizer: BertNormalizer, BertPreTokenizer, the WordPiece model and tokenizer.json I/O.
#include "nineteen/text/wordpiece_tokenizer.hpp"

#include <algorithm>
#include <array>
#include <mutex>
#include <unordered_map>

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include "added_token_matcher.hpp"
#include "byte_level_alphabet.hpp"  // append_utf8
#include "json_file.hpp"
#include "nineteen/sdk/error.hpp"
#include "nineteen/sdk/json.hpp"
#include "unicode_regex.hpp"

namespace nineteen::text {

using sdk::Error;

namespace {

// ---------------------------------------------------------------------------------------------
// UTF-8

constexpr char32_t kReplacement = 0xFFFD;

// Decodes one code point at `i` and advances it; a malformed or overlong sequence, a surrogate or
// a value past U+10FFFF yields U+FFFD and skips one byte.
char32_t next_code_point(std::string_view s, size_t& i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  size_t length = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC0 ? 2 : 0;
  if (length == 0 || b0 > 0xF4 || i + length > s.size()) {
    ++i;
    return kReplacement;
  }
  char32_t cp = b0 & (0x7F >> length);
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      ++i;
      return kReplacement;
    }
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr char32_t kSmallest[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kSmallest[length] || cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000)) {
    ++i;
    return kReplacement;
  }
  i += length;
  return cp;
}

void append_utf8(std::string& out, char32_t cp) { detail::append_utf8(static_cast<uint32_t>(cp), out); }

// ---------------------------------------------------------------------------------------------
// Character classes

enum CharFlag : uint8_t {
  kOther = 1,        // Unicode C* (control, format, private use, unassigned): clean_text drops it
  kPunctuation = 2,  // Unicode P*, or ASCII punctuation (which also counts $+<=>^`|~)
  kNonspacingMark = 4,
};

// One flag byte per code point, built once per process from PCRE2's Unicode tables: the whole
// code space as one UTF-8 string, and each class found as runs with one regex pass.
class CharClassTable {
 public:
  static const CharClassTable& get() {
    static std::once_flag once;
    static std::unique_ptr<CharClassTable> table;
    std::call_once(once, [] { table.reset(new CharClassTable()); });
    return *table;
  }
  uint8_t flags(char32_t cp) const { return cp < flags_.size() ? flags_[cp] : 0; }

 private:
  CharClassTable() : flags_(0x110000, 0) {
    std::string all;
    all.reserve(0x110000 * 4);
    for (char32_t cp = 0; cp < 0x110000; ++cp) {
      if (cp < 0xD800 || cp >= 0xE000) append_utf8(all, cp);
    }
    mark(all, "[\\p{Cc}\\p{Cf}\\p{Co}\\p{Cn}]+", kOther);
    mark(all, "\\p{P}+", kPunctuation);
    mark(all, "\\p{Mn}+", kNonspacingMark);
    for (char32_t cp = 0x21; cp < 0x7F; ++cp) {
      if (!((cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z'))) {
        flags_[cp] |= kPunctuation;
      }
    }
  }
  void mark(const std::string& all, const char* pattern, uint8_t flag) {
    detail::UnicodeRegex regex(pattern, false, "BertNormalizer character classes");
    std::vector<detail::ByteRange> runs;
    regex.find_all(all, runs);
    for (const auto& [begin, end] : runs) {
      for (size_t i = begin; i < end;) flags_[next_code_point(all, i)] |= flag;
    }
  }
  std::vector<uint8_t> flags_;
};

// Rust's char::is_whitespace (the Unicode White_Space property), which the tokenizers use.
bool is_whitespace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

// The "Chinese character" ranges of BERT's original tokenizer (CJK Unified Ideographs and their
// extensions and compatibility blocks; not kana or Hangul).
bool is_chinese_char(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
         (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

// ---------------------------------------------------------------------------------------------
// Accent stripping: a precomposed character -> what NFD leaves once nonspacing marks are dropped.
// Generated with Python 3.11 (Unicode 14):
//   strip = lambda c: ''.join(x for x in unicodedata.normalize('NFD', c) if unicodedata.category(x) != 'Mn')
//   for every c in blocks 00-04, 1E, 1F, 21, 22, 30 (xx00-xxFF) with strip(c) != c and len(strip(c)) == 1.
struct StrippedLetter {
  uint16_t from, to;
};
constexpr StrippedLetter kStrippedLetters[] = {
    {0x00C0, 0x0041}, {0x00C1, 0x0041}, {0x00C2, 0x0041}, {0x00C3, 0x0041}, {0x00C4, 0x0041}, {0x00C5, 0x0041},
    {0x00C7, 0x0043}, {0x00C8, 0x0045}, {0x00C9, 0x0045}, {0x00CA, 0x0045}, {0x00CB, 0x0045}, {0x00CC, 0x0049},
    {0x00CD, 0x0049}, {0x00CE, 0x0049}, {0x00CF, 0x0049}, {0x00D1, 0x004E}, {0x00D2, 0x004F}, {0x00D3, 0x004F},
    {0x00D4, 0x004F}, {0x00D5, 0x004F}, {0x00D6, 0x004F}, {0x00D9, 0x0055}, {0x00DA, 0x0055}, {0x00DB, 0x0055},
    {0x00DC, 0x0055}, {0x00DD, 0x0059}, {0x00E0, 0x0061}, {0x00E1, 0x0061}, {0x00E2, 0x0061}, {0x00E3, 0x0061},
    {0x00E4, 0x0061}, {0x00E5, 0x0061}, {0x00E7, 0x0063}, {0x00E8, 0x0065}, {0x00E9, 0x0065}, {0x00EA, 0x0065},
    {0x00EB, 0x0065}, {0x00EC, 0x0069}, {0x00ED, 0x0069}, {0x00EE, 0x0069}, {0x00EF, 0x0069}, {0x00F1, 0x006E},
    {0x00F2, 0x006F}, {0x00F3, 0x006F}, {0x00F4, 0x006F}, {0x00F5, 0x006F}, {0x00F6, 0x006F}, {0x00F9, 0x0075},
    {0x00FA, 0x0075}, {0x00FB, 0x0075}, {0x00FC, 0x0075}, {0x00FD, 0x0079}, {0x00FF, 0x0079}, {0x0100, 0x0041},
    {0x0101, 0x0061}, {0x0102, 0x0041}, {0x0103, 0x0061}, {0x0104, 0x0041}, {0x0105, 0x0061}, {0x0106, 0x0043},
    {0x0107, 0x0063}, {0x0108, 0x0043}, {0x0109, 0x0063}, {0x010A, 0x0043}, {0x010B, 0x0063}, {0x010C, 0x0043},
    {0x010D, 0x0063}, {0x010E, 0x0044}, {0x010F, 0x0064}, {0x0112, 0x0045}, {0x0113, 0x0065}, {0x0114, 0x0045},
    {0x0115, 0x0065}, {0x0116, 0x0045}, {0x0117, 0x0065}, {0x0118, 0x0045}, {0x0119, 0x0065}, {0x011A, 0x0045},
    {0x011B, 0x0065}, {0x011C, 0x0047}, {0x011D, 0x0067}, {0x011E, 0x0047}, {0x011F, 0x0067}, {0x0120, 0x0047},
    {0x0121, 0x0067}, {0x0122, 0x0047}, {0x0123, 0x0067}, {0x0124, 0x0048}, {0x0125, 0x0068}, {0x0128, 0x0049},
    {0x0129, 0x0069}, {0x012A, 0x0049}, {0x012B, 0x0069}, {0x012C, 0x0049}, {0x012D, 0x0069}, {0x012E, 0x0049},
    {0x012F, 0x0069}, {0x0130, 0x0049}, {0x0134, 0x004A}, {0x0135, 0x006A}, {0x0136, 0x004B}, {0x0137, 0x006B},
    {0x0139, 0x004C}, {0x013A, 0x006C}, {0x013B, 0x004C}, {0x013C, 0x006C}, {0x013D, 0x004C}, {0x013E, 0x006C},
    {0x0143, 0x004E}, {0x0144, 0x006E}, {0x0145, 0x004E}, {0x0146, 0x006E}, {0x0147, 0x004E}, {0x0148, 0x006E},
    {0x014C, 0x004F}, {0x014D, 0x006F}, {0x014E, 0x004F}, {0x014F, 0x006F}, {0x0150, 0x004F}, {0x0151, 0x006F},
    {0x0154, 0x0052}, {0x0155, 0x0072}, {0x0156, 0x0052}, {0x0157, 0x0072}, {0x0158, 0x0052}, {0x0159, 0x0072},
    {0x015A, 0x0053}, {0x015B, 0x0073}, {0x015C, 0x0053}, {0x015D, 0x0073}, {0x015E, 0x0053}, {0x015F, 0x0073},
    {0x0160, 0x0053}, {0x0161, 0x0073}, {0x0162, 0x0054}, {0x0163, 0x0074}, {0x0164, 0x0054}, {0x0165, 0x0074},
    {0x0168, 0x0055}, {0x0169, 0x0075}, {0x016A, 0x0055}, {0x016B, 0x0075}, {0x016C, 0x0055}, {0x016D, 0x0075},
    {0x016E, 0x0055}, {0x016F, 0x0075}, {0x0170, 0x0055}, {0x0171, 0x0075}, {0x0172, 0x0055}, {0x0173, 0x0075},
    {0x0174, 0x0057}, {0x0175, 0x0077}, {0x0176, 0x0059}, {0x0177, 0x0079}, {0x0178, 0x0059}, {0x0179, 0x005A},
    {0x017A, 0x007A}, {0x017B, 0x005A}, {0x017C, 0x007A}, {0x017D, 0x005A}, {0x017E, 0x007A}, {0x01A0, 0x004F},
    {0x01A1, 0x006F}, {0x01AF, 0x0055}, {0x01B0, 0x0075}, {0x01CD, 0x0041}, {0x01CE, 0x0061}, {0x01CF, 0x0049},
    {0x01D0, 0x0069}, {0x01D1, 0x004F}, {0x01D2, 0x006F}, {0x01D3, 0x0055}, {0x01D4, 0x0075}, {0x01D5, 0x0055},
    {0x01D6, 0x0075}, {0x01D7, 0x0055}, {0x01D8, 0x0075}, {0x01D9, 0x0055}, {0x01DA, 0x0075}, {0x01DB, 0x0055},
    {0x01DC, 0x0075}, {0x01DE, 0x0041}, {0x01DF, 0x0061}, {0x01E0, 0x0041}, {0x01E1, 0x0061}, {0x01E2, 0x00C6},
    {0x01E3, 0x00E6}, {0x01E6, 0x0047}, {0x01E7, 0x0067}, {0x01E8, 0x004B}, {0x01E9, 0x006B}, {0x01EA, 0x004F},
    {0x01EB, 0x006F}, {0x01EC, 0x004F}, {0x01ED, 0x006F}, {0x01EE, 0x01B7}, {0x01EF, 0x0292}, {0x01F0, 0x006A},
    {0x01F4, 0x0047}, {0x01F5, 0x0067}, {0x01F8, 0x004E}, {0x01F9, 0x006E}, {0x01FA, 0x0041}, {0x01FB, 0x0061},
    {0x01FC, 0x00C6}, {0x01FD, 0x00E6}, {0x01FE, 0x00D8}, {0x01FF, 0x00F8}, {0x0200, 0x0041}, {0x0201, 0x0061},
    {0x0202, 0x0041}, {0x0203, 0x0061}, {0x0204, 0x0045}, {0x0205, 0x0065}, {0x0206, 0x0045}, {0x0207, 0x0065},
    {0x0208, 0x0049}, {0x0209, 0x0069}, {0x020A, 0x0049}, {0x020B, 0x0069}, {0x020C, 0x004F}, {0x020D, 0x006F},
    {0x020E, 0x004F}, {0x020F, 0x006F}, {0x0210, 0x0052}, {0x0211, 0x0072}, {0x0212, 0x0052}, {0x0213, 0x0072},
    {0x0214, 0x0055}, {0x0215, 0x0075}, {0x0216, 0x0055}, {0x0217, 0x0075}, {0x0218, 0x0053}, {0x0219, 0x0073},
    {0x021A, 0x0054}, {0x021B, 0x0074}, {0x021E, 0x0048}, {0x021F, 0x0068}, {0x0226, 0x0041}, {0x0227, 0x0061},
    {0x0228, 0x0045}, {0x0229, 0x0065}, {0x022A, 0x004F}, {0x022B, 0x006F}, {0x022C, 0x004F}, {0x022D, 0x006F},
    {0x022E, 0x004F}, {0x022F, 0x006F}, {0x0230, 0x004F}, {0x0231, 0x006F}, {0x0232, 0x0059}, {0x0233, 0x0079},
    {0x0374, 0x02B9}, {0x037E, 0x003B}, {0x0385, 0x00A8}, {0x0386, 0x0391}, {0x0387, 0x00B7}, {0x0388, 0x0395},
    {0x0389, 0x0397}, {0x038A, 0x0399}, {0x038C, 0x039F}, {0x038E, 0x03A5}, {0x038F, 0x03A9}, {0x0390, 0x03B9},
    {0x03AA, 0x0399}, {0x03AB, 0x03A5}, {0x03AC, 0x03B1}, {0x03AD, 0x03B5}, {0x03AE, 0x03B7}, {0x03AF, 0x03B9},
    {0x03B0, 0x03C5}, {0x03CA, 0x03B9}, {0x03CB, 0x03C5}, {0x03CC, 0x03BF}, {0x03CD, 0x03C5}, {0x03CE, 0x03C9},
    {0x03D3, 0x03D2}, {0x03D4, 0x03D2}, {0x0400, 0x0415}, {0x0401, 0x0415}, {0x0403, 0x0413}, {0x0407, 0x0406},
    {0x040C, 0x041A}, {0x040D, 0x0418}, {0x040E, 0x0423}, {0x0419, 0x0418}, {0x0439, 0x0438}, {0x0450, 0x0435},
    {0x0451, 0x0435}, {0x0453, 0x0433}, {0x0457, 0x0456}, {0x045C, 0x043A}, {0x045D, 0x0438}, {0x045E, 0x0443},
    {0x0476, 0x0474}, {0x0477, 0x0475}, {0x04C1, 0x0416}, {0x04C2, 0x0436}, {0x04D0, 0x0410}, {0x04D1, 0x0430},
    {0x04D2, 0x0410}, {0x04D3, 0x0430}, {0x04D6, 0x0415}, {0x04D7, 0x0435}, {0x04DA, 0x04D8}, {0x04DB, 0x04D9},
    {0x04DC, 0x0416}, {0x04DD, 0x0436}, {0x04DE, 0x0417}, {0x04DF, 0x0437}, {0x04E2, 0x0418}, {0x04E3, 0x0438},
    {0x04E4, 0x0418}, {0x04E5, 0x0438}, {0x04E6, 0x041E}, {0x04E7, 0x043E}, {0x04EA, 0x04E8}, {0x04EB, 0x04E9},
    {0x04EC, 0x042D}, {0x04ED, 0x044D}, {0x04EE, 0x0423}, {0x04EF, 0x0443}, {0x04F0, 0x0423}, {0x04F1, 0x0443},
    {0x04F2, 0x0423}, {0x04F3, 0x0443}, {0x04F4, 0x0427}, {0x04F5, 0x0447}, {0x04F8, 0x042B}, {0x04F9, 0x044B},
    {0x1E00, 0x0041}, {0x1E01, 0x0061}, {0x1E02, 0x0042}, {0x1E03, 0x0062}, {0x1E04, 0x0042}, {0x1E05, 0x0062},
    {0x1E06, 0x0042}, {0x1E07, 0x0062}, {0x1E08, 0x0043}, {0x1E09, 0x0063}, {0x1E0A, 0x0044}, {0x1E0B, 0x0064},
    {0x1E0C, 0x0044}, {0x1E0D, 0x0064}, {0x1E0E, 0x0044}, {0x1E0F, 0x0064}, {0x1E10, 0x0044}, {0x1E11, 0x0064},
    {0x1E12, 0x0044}, {0x1E13, 0x0064}, {0x1E14, 0x0045}, {0x1E15, 0x0065}, {0x1E16, 0x0045}, {0x1E17, 0x0065},
    {0x1E18, 0x0045}, {0x1E19, 0x0065}, {0x1E1A, 0x0045}, {0x1E1B, 0x0065}, {0x1E1C, 0x0045}, {0x1E1D, 0x0065},
    {0x1E1E, 0x0046}, {0x1E1F, 0x0066}, {0x1E20, 0x0047}, {0x1E21, 0x0067}, {0x1E22, 0x0048}, {0x1E23, 0x0068},
    {0x1E24, 0x0048}, {0x1E25, 0x0068}, {0x1E26, 0x0048}, {0x1E27, 0x0068}, {0x1E28, 0x0048}, {0x1E29, 0x0068},
    {0x1E2A, 0x0048}, {0x1E2B, 0x0068}, {0x1E2C, 0x0049}, {0x1E2D, 0x0069}, {0x1E2E, 0x0049}, {0x1E2F, 0x0069},
    {0x1E30, 0x004B}, {0x1E31, 0x006B}, {0x1E32, 0x004B}, {0x1E33, 0x006B}, {0x1E34, 0x004B}, {0x1E35, 0x006B},
    {0x1E36, 0x004C}, {0x1E37, 0x006C}, {0x1E38, 0x004C}, {0x1E39, 0x006C}, {0x1E3A, 0x004C}, {0x1E3B, 0x006C},
    {0x1E3C, 0x004C}, {0x1E3D, 0x006C}, {0x1E3E, 0x004D}, {0x1E3F, 0x006D}, {0x1E40, 0x004D}, {0x1E41, 0x006D},
    {0x1E42, 0x004D}, {0x1E43, 0x006D}, {0x1E44, 0x004E}, {0x1E45, 0x006E}, {0x1E46, 0x004E}, {0x1E47, 0x006E},
    {0x1E48, 0x004E}, {0x1E49, 0x006E}, {0x1E4A, 0x004E}, {0x1E4B, 0x006E}, {0x1E4C, 0x004F}, {0x1E4D, 0x006F},
    {0x1E4E, 0x004F}, {0x1E4F, 0x006F}, {0x1E50, 0x004F}, {0x1E51, 0x006F}, {0x1E52, 0x004F}, {0x1E53, 0x006F},
    {0x1E54, 0x0050}, {0x1E55, 0x0070}, {0x1E56, 0x0050}, {0x1E57, 0x0070}, {0x1E58, 0x0052}, {0x1E59, 0x0072},
    {0x1E5A, 0x0052}, {0x1E5B, 0x0072}, {0x1E5C, 0x0052}, {0x1E5D, 0x0072}, {0x1E5E, 0x0052}, {0x1E5F, 0x0072},
    {0x1E60, 0x0053}, {0x1E61, 0x0073}, {0x1E62, 0x0053}, {0x1E63, 0x0073}, {0x1E64, 0x0053}, {0x1E65, 0x0073},
    {0x1E66, 0x0053}, {0x1E67, 0x0073}, {0x1E68, 0x0053}, {0x1E69, 0x0073}, {0x1E6A, 0x0054}, {0x1E6B, 0x0074},
    {0x1E6C, 0x0054}, {0x1E6D, 0x0074}, {0x1E6E, 0x0054}, {0x1E6F, 0x0074}, {0x1E70, 0x0054}, {0x1E71, 0x0074},
    {0x1E72, 0x0055}, {0x1E73, 0x0075}, {0x1E74, 0x0055}, {0x1E75, 0x0075}, {0x1E76, 0x0055}, {0x1E77, 0x0075},
    {0x1E78, 0x0055}, {0x1E79, 0x0075}, {0x1E7A, 0x0055}, {0x1E7B, 0x0075}, {0x1E7C, 0x0056}, {0x1E7D, 0x0076},
    {0x1E7E, 0x0056}, {0x1E7F, 0x0076}, {0x1E80, 0x0057}, {0x1E81, 0x0077}, {0x1E82, 0x0057}, {0x1E83, 0x0077},
    {0x1E84, 0x0057}, {0x1E85, 0x0077}, {0x1E86, 0x0057}, {0x1E87, 0x0077}, {0x1E88, 0x0057}, {0x1E89, 0x0077},
    {0x1E8A, 0x0058}, {0x1E8B, 0x0078}, {0x1E8C, 0x0058}, {0x1E8D, 0x0078}, {0x1E8E, 0x0059}, {0x1E8F, 0x0079},
    {0x1E90, 0x005A}, {0x1E91, 0x007A}, {0x1E92, 0x005A}, {0x1E93, 0x007A}, {0x1E94, 0x005A}, {0x1E95, 0x007A},
    {0x1E96, 0x0068}, {0x1E97, 0x0074}, {0x1E98, 0x0077}, {0x1E99, 0x0079}, {0x1E9B, 0x017F}, {0x1EA0, 0x0041},
    {0x1EA1, 0x0061}, {0x1EA2, 0x0041}, {0x1EA3, 0x0061}, {0x1EA4, 0x0041}, {0x1EA5, 0x0061}, {0x1EA6, 0x0041},
    {0x1EA7, 0x0061}, {0x1EA8, 0x0041}, {0x1EA9, 0x0061}, {0x1EAA, 0x0041}, {0x1EAB, 0x0061}, {0x1EAC, 0x0041},
    {0x1EAD, 0x0061}, {0x1EAE, 0x0041}, {0x1EAF, 0x0061}, {0x1EB0, 0x0041}, {0x1EB1, 0x0061}, {0x1EB2, 0x0041},
    {0x1EB3, 0x0061}, {0x1EB4, 0x0041}, {0x1EB5, 0x0061}, {0x1EB6, 0x0041}, {0x1EB7, 0x0061}, {0x1EB8, 0x0045},
    {0x1EB9, 0x0065}, {0x1EBA, 0x0045}, {0x1EBB, 0x0065}, {0x1EBC, 0x0045}, {0x1EBD, 0x0065}, {0x1EBE, 0x0045},
    {0x1EBF, 0x0065}, {0x1EC0, 0x0045}, {0x1EC1, 0x0065}, {0x1EC2, 0x0045}, {0x1EC3, 0x0065}, {0x1EC4, 0x0045},
    {0x1EC5, 0x0065}, {0x1EC6, 0x0045}, {0x1EC7, 0x0065}, {0x1EC8, 0x0049}, {0x1EC9, 0x0069}, {0x1ECA, 0x0049},
    {0x1ECB, 0x0069}, {0x1ECC, 0x004F}, {0x1ECD, 0x006F}, {0x1ECE, 0x004F}, {0x1ECF, 0x006F}, {0x1ED0, 0x004F},
    {0x1ED1, 0x006F}, {0x1ED2, 0x004F}, {0x1ED3, 0x006F}, {0x1ED4, 0x004F}, {0x1ED5, 0x006F}, {0x1ED6, 0x004F},
    {0x1ED7, 0x006F}, {0x1ED8, 0x004F}, {0x1ED9, 0x006F}, {0x1EDA, 0x004F}, {0x1EDB, 0x006F}, {0x1EDC, 0x004F},
    {0x1EDD, 0x006F}, {0x1EDE, 0x004F}, {0x1EDF, 0x006F}, {0x1EE0, 0x004F}, {0x1EE1, 0x006F}, {0x1EE2, 0x004F},
    {0x1EE3, 0x006F}, {0x1EE4, 0x0055}, {0x1EE5, 0x0075}, {0x1EE6, 0x0055}, {0x1EE7, 0x0075}, {0x1EE8, 0x0055},
    {0x1EE9, 0x0075}, {0x1EEA, 0x0055}, {0x1EEB, 0x0075}, {0x1EEC, 0x0055}, {0x1EED, 0x0075}, {0x1EEE, 0x0055},
    {0x1EEF, 0x0075}, {0x1EF0, 0x0055}, {0x1EF1, 0x0075}, {0x1EF2, 0x0059}, {0x1EF3, 0x0079}, {0x1EF4, 0x0059},
    {0x1EF5, 0x0079}, {0x1EF6, 0x0059}, {0x1EF7, 0x0079}, {0x1EF8, 0x0059}, {0x1EF9, 0x0079}, {0x1F00, 0x03B1},
    {0x1F01, 0x03B1}, {0x1F02, 0x03B1}, {0x1F03, 0x03B1}, {0x1F04, 0x03B1}, {0x1F05, 0x03B1}, {0x1F06, 0x03B1},
    {0x1F07, 0x03B1}, {0x1F08, 0x0391}, {0x1F09, 0x0391}, {0x1F0A, 0x0391}, {0x1F0B, 0x0391}, {0x1F0C, 0x0391},
    {0x1F0D, 0x0391}, {0x1F0E, 0x0391}, {0x1F0F, 0x0391}, {0x1F10, 0x03B5}, {0x1F11, 0x03B5}, {0x1F12, 0x03B5},
    {0x1F13, 0x03B5}, {0x1F14, 0x03B5}, {0x1F15, 0x03B5}, {0x1F18, 0x0395}, {0x1F19, 0x0395}, {0x1F1A, 0x0395},
    {0x1F1B, 0x0395}, {0x1F1C, 0x0395}, {0x1F1D, 0x0395}, {0x1F20, 0x03B7}, {0x1F21, 0x03B7}, {0x1F22, 0x03B7},
    {0x1F23, 0x03B7}, {0x1F24, 0x03B7}, {0x1F25, 0x03B7}, {0x1F26, 0x03B7}, {0x1F27, 0x03B7}, {0x1F28, 0x0397},
    {0x1F29, 0x0397}, {0x1F2A, 0x0397}, {0x1F2B, 0x0397}, {0x1F2C, 0x0397}, {0x1F2D, 0x0397}, {0x1F2E, 0x0397},
    {0x1F2F, 0x0397}, {0x1F30, 0x03B9}, {0x1F31, 0x03B9}, {0x1F32, 0x03B9}, {0x1F33, 0x03B9}, {0x1F34, 0x03B9},
    {0x1F35, 0x03B9}, {0x1F36, 0x03B9}, {0x1F37, 0x03B9}, {0x1F38, 0x0399}, {0x1F39, 0x0399}, {0x1F3A, 0x0399},
    {0x1F3B, 0x0399}, {0x1F3C, 0x0399}, {0x1F3D, 0x0399}, {0x1F3E, 0x0399}, {0x1F3F, 0x0399}, {0x1F40, 0x03BF},
    {0x1F41, 0x03BF}, {0x1F42, 0x03BF}, {0x1F43, 0x03BF}, {0x1F44, 0x03BF}, {0x1F45, 0x03BF}, {0x1F48, 0x039F},
    {0x1F49, 0x039F}, {0x1F4A, 0x039F}, {0x1F4B, 0x039F}, {0x1F4C, 0x039F}, {0x1F4D, 0x039F}, {0x1F50, 0x03C5},
    {0x1F51, 0x03C5}, {0x1F52, 0x03C5}, {0x1F53, 0x03C5}, {0x1F54, 0x03C5}, {0x1F55, 0x03C5}, {0x1F56, 0x03C5},
    {0x1F57, 0x03C5}, {0x1F59, 0x03A5}, {0x1F5B, 0x03A5}, {0x1F5D, 0x03A5}, {0x1F5F, 0x03A5}, {0x1F60, 0x03C9},
    {0x1F61, 0x03C9}, {0x1F62, 0x03C9}, {0x1F63, 0x03C9}, {0x1F64, 0x03C9}, {0x1F65, 0x03C9}, {0x1F66, 0x03C9},
    {0x1F67, 0x03C9}, {0x1F68, 0x03A9}, {0x1F69, 0x03A9}, {0x1F6A, 0x03A9}, {0x1F6B, 0x03A9}, {0x1F6C, 0x03A9},
    {0x1F6D, 0x03A9}, {0x1F6E, 0x03A9}, {0x1F6F, 0x03A9}, {0x1F70, 0x03B1}, {0x1F71, 0x03B1}, {0x1F72, 0x03B5},
    {0x1F73, 0x03B5}, {0x1F74, 0x03B7}, {0x1F75, 0x03B7}, {0x1F76, 0x03B9}, {0x1F77, 0x03B9}, {0x1F78, 0x03BF},
    {0x1F79, 0x03BF}, {0x1F7A, 0x03C5}, {0x1F7B, 0x03C5}, {0x1F7C, 0x03C9}, {0x1F7D, 0x03C9}, {0x1F80, 0x03B1},
    {0x1F81, 0x03B1}, {0x1F82, 0x03B1}, {0x1F83, 0x03B1}, {0x1F84, 0x03B1}, {0x1F85, 0x03B1}, {0x1F86, 0x03B1},
    {0x1F87, 0x03B1}, {0x1F88, 0x0391}, {0x1F89, 0x0391}, {0x1F8A, 0x0391}, {0x1F8B, 0x0391}, {0x1F8C, 0x0391},
    {0x1F8D, 0x0391}, {0x1F8E, 0x0391}, {0x1F8F, 0x0391}, {0x1F90, 0x03B7}, {0x1F91, 0x03B7}, {0x1F92, 0x03B7},
    {0x1F93, 0x03B7}, {0x1F94, 0x03B7}, {0x1F95, 0x03B7}, {0x1F96, 0x03B7}, {0x1F97, 0x03B7}, {0x1F98, 0x0397},
    {0x1F99, 0x0397}, {0x1F9A, 0x0397}, {0x1F9B, 0x0397}, {0x1F9C, 0x0397}, {0x1F9D, 0x0397}, {0x1F9E, 0x0397},
    {0x1F9F, 0x0397}, {0x1FA0, 0x03C9}, {0x1FA1, 0x03C9}, {0x1FA2, 0x03C9}, {0x1FA3, 0x03C9}, {0x1FA4, 0x03C9},
    {0x1FA5, 0x03C9}, {0x1FA6, 0x03C9}, {0x1FA7, 0x03C9}, {0x1FA8, 0x03A9}, {0x1FA9, 0x03A9}, {0x1FAA, 0x03A9},
    {0x1FAB, 0x03A9}, {0x1FAC, 0x03A9}, {0x1FAD, 0x03A9}, {0x1FAE, 0x03A9}, {0x1FAF, 0x03A9}, {0x1FB0, 0x03B1},
    {0x1FB1, 0x03B1}, {0x1FB2, 0x03B1}, {0x1FB3, 0x03B1}, {0x1FB4, 0x03B1}, {0x1FB6, 0x03B1}, {0x1FB7, 0x03B1},
    {0x1FB8, 0x0391}, {0x1FB9, 0x0391}, {0x1FBA, 0x0391}, {0x1FBB, 0x0391}, {0x1FBC, 0x0391}, {0x1FBE, 0x03B9},
    {0x1FC1, 0x00A8}, {0x1FC2, 0x03B7}, {0x1FC3, 0x03B7}, {0x1FC4, 0x03B7}, {0x1FC6, 0x03B7}, {0x1FC7, 0x03B7},
    {0x1FC8, 0x0395}, {0x1FC9, 0x0395}, {0x1FCA, 0x0397}, {0x1FCB, 0x0397}, {0x1FCC, 0x0397}, {0x1FCD, 0x1FBF},
    {0x1FCE, 0x1FBF}, {0x1FCF, 0x1FBF}, {0x1FD0, 0x03B9}, {0x1FD1, 0x03B9}, {0x1FD2, 0x03B9}, {0x1FD3, 0x03B9},
    {0x1FD6, 0x03B9}, {0x1FD7, 0x03B9}, {0x1FD8, 0x0399}, {0x1FD9, 0x0399}, {0x1FDA, 0x0399}, {0x1FDB, 0x0399},
    {0x1FDD, 0x1FFE}, {0x1FDE, 0x1FFE}, {0x1FDF, 0x1FFE}, {0x1FE0, 0x03C5}, {0x1FE1, 0x03C5}, {0x1FE2, 0x03C5},
    {0x1FE3, 0x03C5}, {0x1FE4, 0x03C1}, {0x1FE5, 0x03C1}, {0x1FE6, 0x03C5}, {0x1FE7, 0x03C5}, {0x1FE8, 0x03A5},
    {0x1FE9, 0x03A5}, {0x1FEA, 0x03A5}, {0x1FEB, 0x03A5}, {0x1FEC, 0x03A1}, {0x1FED, 0x00A8}, {0x1FEE, 0x00A8},
    {0x1FEF, 0x0060}, {0x1FF2, 0x03C9}, {0x1FF3, 0x03C9}, {0x1FF4, 0x03C9}, {0x1FF6, 0x03C9}, {0x1FF7, 0x03C9},
    {0x1FF8, 0x039F}, {0x1FF9, 0x039F}, {0x1FFA, 0x03A9}, {0x1FFB, 0x03A9}, {0x1FFC, 0x03A9}, {0x1FFD, 0x00B4},
    {0x2126, 0x03A9}, {0x212A, 0x004B}, {0x212B, 0x0041}, {0x219A, 0x2190}, {0x219B, 0x2192}, {0x21AE, 0x2194},
    {0x21CD, 0x21D0}, {0x21CE, 0x21D4}, {0x21CF, 0x21D2}, {0x2204, 0x2203}, {0x2209, 0x2208}, {0x220C, 0x220B},
    {0x2224, 0x2223}, {0x2226, 0x2225}, {0x2241, 0x223C}, {0x2244, 0x2243}, {0x2247, 0x2245}, {0x2249, 0x2248},
    {0x2260, 0x003D}, {0x2262, 0x2261}, {0x226D, 0x224D}, {0x226E, 0x003C}, {0x226F, 0x003E}, {0x2270, 0x2264},
    {0x2271, 0x2265}, {0x2274, 0x2272}, {0x2275, 0x2273}, {0x2278, 0x2276}, {0x2279, 0x2277}, {0x2280, 0x227A},
    {0x2281, 0x227B}, {0x2284, 0x2282}, {0x2285, 0x2283}, {0x2288, 0x2286}, {0x2289, 0x2287}, {0x22AC, 0x22A2},
    {0x22AD, 0x22A8}, {0x22AE, 0x22A9}, {0x22AF, 0x22AB}, {0x22E0, 0x227C}, {0x22E1, 0x227D}, {0x22E2, 0x2291},
    {0x22E3, 0x2292}, {0x22EA, 0x22B2}, {0x22EB, 0x22B3}, {0x22EC, 0x22B4}, {0x22ED, 0x22B5}, {0x304C, 0x304B},
    {0x304E, 0x304D}, {0x3050, 0x304F}, {0x3052, 0x3051}, {0x3054, 0x3053}, {0x3056, 0x3055}, {0x3058, 0x3057},
    {0x305A, 0x3059}, {0x305C, 0x305B}, {0x305E, 0x305D}, {0x3060, 0x305F}, {0x3062, 0x3061}, {0x3065, 0x3064},
    {0x3067, 0x3066}, {0x3069, 0x3068}, {0x3070, 0x306F}, {0x3071, 0x306F}, {0x3073, 0x3072}, {0x3074, 0x3072},
    {0x3076, 0x3075}, {0x3077, 0x3075}, {0x3079, 0x3078}, {0x307A, 0x3078}, {0x307C, 0x307B}, {0x307D, 0x307B},
    {0x3094, 0x3046}, {0x309E, 0x309D}, {0x30AC, 0x30AB}, {0x30AE, 0x30AD}, {0x30B0, 0x30AF}, {0x30B2, 0x30B1},
    {0x30B4, 0x30B3}, {0x30B6, 0x30B5}, {0x30B8, 0x30B7}, {0x30BA, 0x30B9}, {0x30BC, 0x30BB}, {0x30BE, 0x30BD},
    {0x30C0, 0x30BF}, {0x30C2, 0x30C1}, {0x30C5, 0x30C4}, {0x30C7, 0x30C6}, {0x30C9, 0x30C8}, {0x30D0, 0x30CF},
    {0x30D1, 0x30CF}, {0x30D3, 0x30D2}, {0x30D4, 0x30D2}, {0x30D6, 0x30D5}, {0x30D7, 0x30D5}, {0x30D9, 0x30D8},
    {0x30DA, 0x30D8}, {0x30DC, 0x30DB}, {0x30DD, 0x30DB}, {0x30F4, 0x30A6}, {0x30F7, 0x30EF}, {0x30F8, 0x30F0},
    {0x30F9, 0x30F1}, {0x30FA, 0x30F2}, {0x30FE, 0x30FD},
};

// Lowercase: each range maps first, first + stride, ... last to code point + delta. Generated
// with Python 3.11 from str.lower() over all code points whose lowercase is one code point,
// consecutive equal deltas joined (U+0130, whose lowercase is two code points, is handled apart).
struct LowercaseRange {
  uint32_t first, last;
  int32_t stride, delta;
};
constexpr LowercaseRange kLowercaseRanges[] = {
    {0x00041, 0x0005A, 1, 32}, {0x000C0, 0x000D6, 1, 32}, {0x000D8, 0x000DE, 1, 32}, {0x00100, 0x0012E, 2, 1},
    {0x00132, 0x00136, 2, 1}, {0x00139, 0x00147, 2, 1}, {0x0014A, 0x00176, 2, 1}, {0x00178, 0x00178, 1, -121},
    {0x00179, 0x0017D, 2, 1}, {0x00181, 0x00181, 1, 210}, {0x00182, 0x00184, 2, 1}, {0x00186, 0x00186, 1, 206},
    {0x00187, 0x00187, 1, 1}, {0x00189, 0x0018A, 1, 205}, {0x0018B, 0x0018B, 1, 1}, {0x0018E, 0x0018E, 1, 79},
    {0x0018F, 0x0018F, 1, 202}, {0x00190, 0x00190, 1, 203}, {0x00191, 0x00191, 1, 1}, {0x00193, 0x00193, 1, 205},
    {0x00194, 0x00194, 1, 207}, {0x00196, 0x00196, 1, 211}, {0x00197, 0x00197, 1, 209}, {0x00198, 0x00198, 1, 1},
    {0x0019C, 0x0019C, 1, 211}, {0x0019D, 0x0019D, 1, 213}, {0x0019F, 0x0019F, 1, 214}, {0x001A0, 0x001A4, 2, 1},
    {0x001A6, 0x001A6, 1, 218}, {0x001A7, 0x001A7, 1, 1}, {0x001A9, 0x001A9, 1, 218}, {0x001AC, 0x001AC, 1, 1},
    {0x001AE, 0x001AE, 1, 218}, {0x001AF, 0x001AF, 1, 1}, {0x001B1, 0x001B2, 1, 217}, {0x001B3, 0x001B5, 2, 1},
    {0x001B7, 0x001B7, 1, 219}, {0x001B8, 0x001B8, 1, 1}, {0x001BC, 0x001BC, 1, 1}, {0x001C4, 0x001C4, 1, 2},
    {0x001C5, 0x001C5, 1, 1}, {0x001C7, 0x001C7, 1, 2}, {0x001C8, 0x001C8, 1, 1}, {0x001CA, 0x001CA, 1, 2},
    {0x001CB, 0x001DB, 2, 1}, {0x001DE, 0x001EE, 2, 1}, {0x001F1, 0x001F1, 1, 2}, {0x001F2, 0x001F4, 2, 1},
    {0x001F6, 0x001F6, 1, -97}, {0x001F7, 0x001F7, 1, -56}, {0x001F8, 0x0021E, 2, 1}, {0x00220, 0x00220, 1, -130},
    {0x00222, 0x00232, 2, 1}, {0x0023A, 0x0023A, 1, 10795}, {0x0023B, 0x0023B, 1, 1}, {0x0023D, 0x0023D, 1, -163},
    {0x0023E, 0x0023E, 1, 10792}, {0x00241, 0x00241, 1, 1}, {0x00243, 0x00243, 1, -195}, {0x00244, 0x00244, 1, 69},
    {0x00245, 0x00245, 1, 71}, {0x00246, 0x0024E, 2, 1}, {0x00370, 0x00372, 2, 1}, {0x00376, 0x00376, 1, 1},
    {0x0037F, 0x0037F, 1, 116}, {0x00386, 0x00386, 1, 38}, {0x00388, 0x0038A, 1, 37}, {0x0038C, 0x0038C, 1, 64},
    {0x0038E, 0x0038F, 1, 63}, {0x00391, 0x003A1, 1, 32}, {0x003A3, 0x003AB, 1, 32}, {0x003CF, 0x003CF, 1, 8},
    {0x003D8, 0x003EE, 2, 1}, {0x003F4, 0x003F4, 1, -60}, {0x003F7, 0x003F7, 1, 1}, {0x003F9, 0x003F9, 1, -7},
    {0x003FA, 0x003FA, 1, 1}, {0x003FD, 0x003FF, 1, -130}, {0x00400, 0x0040F, 1, 80}, {0x00410, 0x0042F, 1, 32},
    {0x00460, 0x00480, 2, 1}, {0x0048A, 0x004BE, 2, 1}, {0x004C0, 0x004C0, 1, 15}, {0x004C1, 0x004CD, 2, 1},
    {0x004D0, 0x0052E, 2, 1}, {0x00531, 0x00556, 1, 48}, {0x010A0, 0x010C5, 1, 7264}, {0x010C7, 0x010C7, 1, 7264},
    {0x010CD, 0x010CD, 1, 7264}, {0x013A0, 0x013EF, 1, 38864}, {0x013F0, 0x013F5, 1, 8}, {0x01C90, 0x01CBA, 1, -3008},
    {0x01CBD, 0x01CBF, 1, -3008}, {0x01E00, 0x01E94, 2, 1}, {0x01E9E, 0x01E9E, 1, -7615}, {0x01EA0, 0x01EFE, 2, 1},
    {0x01F08, 0x01F0F, 1, -8}, {0x01F18, 0x01F1D, 1, -8}, {0x01F28, 0x01F2F, 1, -8}, {0x01F38, 0x01F3F, 1, -8},
    {0x01F48, 0x01F4D, 1, -8}, {0x01F59, 0x01F5F, 2, -8}, {0x01F68, 0x01F6F, 1, -8}, {0x01F88, 0x01F8F, 1, -8},
    {0x01F98, 0x01F9F, 1, -8}, {0x01FA8, 0x01FAF, 1, -8}, {0x01FB8, 0x01FB9, 1, -8}, {0x01FBA, 0x01FBB, 1, -74},
    {0x01FBC, 0x01FBC, 1, -9}, {0x01FC8, 0x01FCB, 1, -86}, {0x01FCC, 0x01FCC, 1, -9}, {0x01FD8, 0x01FD9, 1, -8},
    {0x01FDA, 0x01FDB, 1, -100}, {0x01FE8, 0x01FE9, 1, -8}, {0x01FEA, 0x01FEB, 1, -112}, {0x01FEC, 0x01FEC, 1, -7},
    {0x01FF8, 0x01FF9, 1, -128}, {0x01FFA, 0x01FFB, 1, -126}, {0x01FFC, 0x01FFC, 1, -9}, {0x02126, 0x02126, 1, -7517},
    {0x0212A, 0x0212A, 1, -8383}, {0x0212B, 0x0212B, 1, -8262}, {0x02132, 0x02132, 1, 28}, {0x02160, 0x0216F, 1, 16},
    {0x02183, 0x02183, 1, 1}, {0x024B6, 0x024CF, 1, 26}, {0x02C00, 0x02C2F, 1, 48}, {0x02C60, 0x02C60, 1, 1},
    {0x02C62, 0x02C62, 1, -10743}, {0x02C63, 0x02C63, 1, -3814}, {0x02C64, 0x02C64, 1, -10727}, {0x02C67, 0x02C6B, 2, 1},
    {0x02C6D, 0x02C6D, 1, -10780}, {0x02C6E, 0x02C6E, 1, -10749}, {0x02C6F, 0x02C6F, 1, -10783}, {0x02C70, 0x02C70, 1, -10782},
    {0x02C72, 0x02C72, 1, 1}, {0x02C75, 0x02C75, 1, 1}, {0x02C7E, 0x02C7F, 1, -10815}, {0x02C80, 0x02CE2, 2, 1},
    {0x02CEB, 0x02CED, 2, 1}, {0x02CF2, 0x02CF2, 1, 1}, {0x0A640, 0x0A66C, 2, 1}, {0x0A680, 0x0A69A, 2, 1},
    {0x0A722, 0x0A72E, 2, 1}, {0x0A732, 0x0A76E, 2, 1}, {0x0A779, 0x0A77B, 2, 1}, {0x0A77D, 0x0A77D, 1, -35332},
    {0x0A77E, 0x0A786, 2, 1}, {0x0A78B, 0x0A78B, 1, 1}, {0x0A78D, 0x0A78D, 1, -42280}, {0x0A790, 0x0A792, 2, 1},
    {0x0A796, 0x0A7A8, 2, 1}, {0x0A7AA, 0x0A7AA, 1, -42308}, {0x0A7AB, 0x0A7AB, 1, -42319}, {0x0A7AC, 0x0A7AC, 1, -42315},
    {0x0A7AD, 0x0A7AD, 1, -42305}, {0x0A7AE, 0x0A7AE, 1, -42308}, {0x0A7B0, 0x0A7B0, 1, -42258}, {0x0A7B1, 0x0A7B1, 1, -42282},
    {0x0A7B2, 0x0A7B2, 1, -42261}, {0x0A7B3, 0x0A7B3, 1, 928}, {0x0A7B4, 0x0A7C2, 2, 1}, {0x0A7C4, 0x0A7C4, 1, -48},
    {0x0A7C5, 0x0A7C5, 1, -42307}, {0x0A7C6, 0x0A7C6, 1, -35384}, {0x0A7C7, 0x0A7C9, 2, 1}, {0x0A7D0, 0x0A7D0, 1, 1},
    {0x0A7D6, 0x0A7D8, 2, 1}, {0x0A7F5, 0x0A7F5, 1, 1}, {0x0FF21, 0x0FF3A, 1, 32}, {0x10400, 0x10427, 1, 40},
    {0x104B0, 0x104D3, 1, 40}, {0x10570, 0x1057A, 1, 39}, {0x1057C, 0x1058A, 1, 39}, {0x1058C, 0x10592, 1, 39},
    {0x10594, 0x10595, 1, 39}, {0x10C80, 0x10CB2, 1, 64}, {0x118A0, 0x118BF, 1, 32}, {0x16E40, 0x16E5F, 1, 32},
    {0x1E900, 0x1E921, 1, 34},
};

char32_t strip_letter(char32_t c) {
  if (c < 0xC0 || c > 0xFFFF) return c;
  auto it = std::lower_bound(std::begin(kStrippedLetters), std::end(kStrippedLetters), c,
                             [](const StrippedLetter& s, char32_t v) { return s.from < v; });
  return (it != std::end(kStrippedLetters) && it->from == c) ? it->to : c;
}

// Hangul syllables decompose algorithmically (Unicode §3.12) into two or three jamo, none a mark.
bool append_hangul_jamo(std::string& out, char32_t c) {
  constexpr char32_t kFirst = 0xAC00, kCount = 11172, kVowels = 21, kTrailing = 28;
  if (c < kFirst || c >= kFirst + kCount) return false;
  const char32_t index = c - kFirst;
  append_utf8(out, 0x1100 + index / (kVowels * kTrailing));
  append_utf8(out, 0x1161 + (index % (kVowels * kTrailing)) / kTrailing);
  if (index % kTrailing) append_utf8(out, 0x11A7 + index % kTrailing);
  return true;
}

void append_lowercase(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    return;
  }
  if (c == 0x130) {  // İ -> i + combining dot above
    out += 'i';
    append_utf8(out, 0x307);
    return;
  }
  auto it = std::upper_bound(std::begin(kLowercaseRanges), std::end(kLowercaseRanges), c,
                             [](char32_t v, const LowercaseRange& r) { return v < r.first; });
  if (it != std::begin(kLowercaseRanges)) {
    const LowercaseRange& r = *(it - 1);
    if (c <= r.last && (c - r.first) % static_cast<uint32_t>(r.stride) == 0) {
      c = static_cast<char32_t>(static_cast<int64_t>(c) + r.delta);
    }
  }
  append_utf8(out, c);
}

// Calls word(bytes) for each pre-tokenized word of normalized text until it returns false.
template <typename OnWord>
void for_each_word(std::string_view text, OnWord&& word) {
  const CharClassTable& table = CharClassTable::get();
  size_t begin = 0, i = 0;
  auto flush = [&](size_t end) { return end <= begin || word(text.substr(begin, end - begin)); };
  while (i < text.size()) {
    const size_t at = i;
    const char32_t c = next_code_point(text, i);
    if (is_whitespace(c)) {
      if (!flush(at)) return;
      begin = i;
    } else if (table.flags(c) & kPunctuation) {
      if (!flush(at) || !word(text.substr(at, i - at))) return;
      begin = i;
    }
  }
  flush(text.size());
}

}  // namespace

std::string bert_normalize(std::string_view text, const BertNormalization& n) {
  const CharClassTable& table = CharClassTable::get();
  const bool strip = n.strips_accents();
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  auto emit = [&](char32_t c) {
    if (strip) {
      if (append_hangul_jamo(out, c)) return;
      if (table.flags(c) & kNonspacingMark) return;
      c = strip_letter(c);
    }
    if (n.lowercase) {
      append_lowercase(out, c);
    } else {
      append_utf8(out, c);
    }
  };
  for (size_t i = 0; i < text.size();) {
    char32_t c = next_code_point(text, i);
    if (n.clean_text) {
      const bool kept_control = c == '\t' || c == '\n' || c == '\r';
      if (c == 0 || c == kReplacement || ((table.flags(c) & kOther) && !kept_control)) continue;
      if (is_whitespace(c)) c = ' ';
    }
    if (n.handle_chinese_chars && is_chinese_char(c)) {
      out += ' ';
      emit(c);
      out += ' ';
    } else {
      emit(c);
    }
  }
  return out;
}

std::vector<std::string> bert_pre_tokenize(std::string_view normalized_text) {
  std::vector<std::string> words;
  for_each_word(normalized_text, [&](std::string_view w) {
    words.emplace_back(w);
    return true;
  });
  return words;
}

// ---------------------------------------------------------------------------------------------
// The model

struct WordPieceTokenizer::Model {
  std::string source;
  WordPieceSettings settings;
  std::vector<std::string> vocab;  // by id; "" where the file assigns no token
  std::unordered_map<std::string, int32_t> ids;
  int32_t unk = -1;
  std::optional<int32_t> cls, sep;
  int32_t pad = 0;
  size_t longest_token = 0;  // bytes, to skip lookups that cannot match
  detail::AddedTokenMatcher added;

  std::optional<int32_t> find(std::string_view token) const {
    auto it = ids.find(std::string(token));
    if (it == ids.end()) return std::nullopt;
    return it->second;
  }
};

namespace {

using Model = WordPieceTokenizer::Model;

[[noreturn]] void fail(const std::string& source, const std::string& key, const std::string& what) {
  throw Error(NT_INVALID_ARGUMENT, source + ": " + key + " " + what);
}

// Fills the derived fields of a model whose vocab and settings are set; checks every named token.
std::shared_ptr<const Model> finish_model(std::shared_ptr<Model> m, const std::vector<detail::AddedToken>& added) {
  m->ids.clear();
  m->ids.reserve(m->vocab.size());
  for (size_t id = 0; id < m->vocab.size(); ++id) {
    const std::string& token = m->vocab[id];
    if (token.empty()) continue;
    if (!m->ids.emplace(token, static_cast<int32_t>(id)).second) {
      fail(m->source, "vocabulary", "has \"" + token + "\" twice (ids " + std::to_string(m->ids[token]) + " and " +
                                        std::to_string(id) + "); each token needs one id");
    }
    m->longest_token = std::max(m->longest_token, token.size());
  }
  const WordPieceSettings& s = m->settings;
  auto required = [&](const std::string& token, const char* role) {
    std::optional<int32_t> id = m->find(token);
    if (!id) fail(m->source, role, "\"" + token + "\" is not in the vocabulary");
    return *id;
  };
  m->unk = required(s.unk_token, "unk_token");
  if (!s.cls_token.empty()) m->cls = required(s.cls_token, "cls token");
  if (!s.sep_token.empty()) m->sep = required(s.sep_token, "sep token");
  m->pad = m->find("[PAD]").value_or(0);
  if (s.max_input_chars_per_word < 1) fail(m->source, "max_input_chars_per_word", "must be at least 1");
  for (const detail::AddedToken& token : added) m->added.add(token);
  return m;
}

}  // namespace

WordPieceTokenizer::WordPieceTokenizer(std::shared_ptr<const Model> model) : model_(std::move(model)) {}

WordPieceTokenizer WordPieceTokenizer::from_vocab(std::vector<std::string> vocab, WordPieceSettings settings) {
  auto m = std::make_shared<Model>();
  m->source = "WordPiece vocabulary";
  m->vocab = std::move(vocab);
  m->settings = std::move(settings);
  std::vector<detail::AddedToken> added;
  for (const std::string& special : m->settings.special_tokens) {
    auto it = std::find(m->vocab.begin(), m->vocab.end(), special);
    if (it == m->vocab.end()) fail(m->source, "special token", "\"" + special + "\" is not in the vocabulary");
    detail::AddedToken token;
    token.id = static_cast<int32_t>(it - m->vocab.begin());
    token.content = special;
    token.special = true;
    added.push_back(token);
  }
  return WordPieceTokenizer(finish_model(std::move(m), added));
}

std::vector<int32_t> WordPieceTokenizer::encode_word(std::string_view word) const {
  const Model& m = *model_;
  if (word.empty()) return {};
  std::vector<size_t> boundaries;  // byte offsets of character starts, then the end
  for (size_t i = 0; i < word.size();) {
    boundaries.push_back(i);
    next_code_point(word, i);
  }
  if (boundaries.size() > m.settings.max_input_chars_per_word) return {m.unk};
  boundaries.push_back(word.size());
  const std::string& prefix = m.settings.continuing_subword_prefix;
  std::vector<int32_t> pieces;
  std::string candidate;
  size_t start = 0;  // index into boundaries
  while (start + 1 < boundaries.size()) {
    std::optional<int32_t> found;
    size_t end = boundaries.size() - 1;
    for (; end > start; --end) {
      const size_t length = boundaries[end] - boundaries[start];
      const size_t with_prefix = length + (start > 0 ? prefix.size() : 0);
      if (with_prefix > m.longest_token) continue;
      candidate.assign(start > 0 ? prefix : std::string());
      candidate.append(word.substr(boundaries[start], length));
      auto it = m.ids.find(candidate);
      if (it != m.ids.end()) {
        found = it->second;
        break;
      }
    }
    if (!found) return {m.unk};
    pieces.push_back(*found);
    start = end;
  }
  return pieces;
}

std::vector<int32_t> WordPieceTokenizer::encode(std::string_view text, size_t max_length) const {
  const Model& m = *model_;
  const size_t specials = special_token_count();
  const size_t cap = max_length ? max_length : m.settings.max_length;
  if (cap && cap <= specials) {
    throw Error(NT_INVALID_ARGUMENT, "WordPiece encode: max_length " + std::to_string(cap) + " leaves no room beside the " +
                                         std::to_string(specials) + " special tokens; use at least " +
                                         std::to_string(specials + 1));
  }
  const size_t room = cap ? cap - specials : SIZE_MAX;
  std::vector<int32_t> ids;
  if (m.cls) ids.push_back(*m.cls);
  const size_t first = ids.size();
  auto full = [&] { return ids.size() - first >= room; };

  std::vector<detail::TextSegment> segments;
  if (m.added.empty()) {
    segments.push_back({text, -1});
  } else {
    m.added.split(text, true, segments);
  }
  for (const detail::TextSegment& segment : segments) {
    if (full()) break;
    if (segment.added_token_id >= 0) {
      ids.push_back(segment.added_token_id);
      continue;
    }
    const std::string normalized = bert_normalize(segment.text, m.settings.normalization);
    for_each_word(normalized, [&](std::string_view word) {
      for (int32_t piece : encode_word(word)) {
        if (full()) return false;
        ids.push_back(piece);
      }
      return !full();
    });
  }
  if (m.sep) ids.push_back(*m.sep);
  return ids;
}

const std::string& WordPieceTokenizer::token_string(int32_t id) const {
  static const std::string kNone;
  if (id < 0 || static_cast<size_t>(id) >= model_->vocab.size()) return kNone;
  return model_->vocab[id];
}

std::optional<int32_t> WordPieceTokenizer::token_id(std::string_view token) const { return model_->find(token); }
size_t WordPieceTokenizer::vocab_size() const { return model_->vocab.size(); }
const std::vector<std::string>& WordPieceTokenizer::vocabulary() const { return model_->vocab; }
const WordPieceSettings& WordPieceTokenizer::settings() const { return model_->settings; }
int32_t WordPieceTokenizer::unk_id() const { return model_->unk; }
std::optional<int32_t> WordPieceTokenizer::cls_id() const { return model_->cls; }
std::optional<int32_t> WordPieceTokenizer::sep_id() const { return model_->sep; }
int32_t WordPieceTokenizer::pad_id() const { return model_->pad; }
size_t WordPieceTokenizer::special_token_count() const {
  return (model_->cls ? 1 : 0) + (model_->sep ? 1 : 0);
}

// ---------------------------------------------------------------------------------------------
// tokenizer.json

namespace {

using rapidjson::Value;

class JsonReader {
 public:
  explicit JsonReader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const std::string& key, const std::string& what) const { text::fail(source_, key, what); }

  const Value* member(const Value& object, const char* name) const {
    auto it = object.FindMember(name);
    return (it == object.MemberEnd() || it->value.IsNull()) ? nullptr : &it->value;
  }
  const Value& object(const Value& parent, const char* name, const std::string& key) const {
    const Value* v = member(parent, name);
    if (!v || !v->IsObject()) fail(key, std::string("must be an object, got ") + (v ? sdk::json_type_name(*v) : "nothing"));
    return *v;
  }
  bool boolean(const Value& object, const char* name, const std::string& key, bool fallback) const {
    const Value* v = member(object, name);
    if (!v) return fallback;
    if (!v->IsBool()) fail(key, std::string("must be true or false, got ") + sdk::json_type_name(*v));
    return v->GetBool();
  }
  std::string string(const Value& object, const char* name, const std::string& key, std::string fallback) const {
    const Value* v = member(object, name);
    if (!v) return fallback;
    if (!v->IsString()) fail(key, std::string("must be a string, got ") + sdk::json_type_name(*v));
    return std::string(v->GetString(), v->GetStringLength());
  }
  int64_t integer(const Value& v, const std::string& key, int64_t lo, int64_t hi) const {
    if (!v.IsInt64() || v.GetInt64() < lo || v.GetInt64() > hi) {
      fail(key, "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
    }
    return v.GetInt64();
  }
  std::string type_of(const Value& object, const std::string& key) const {
    if (!object.IsObject()) fail(key, std::string("must be an object, got ") + sdk::json_type_name(object));
    return string(object, "type", key + ".type", "");
  }

  // A post-processor's special token: TemplateProcessing's {"SpecialToken": {"id": "[CLS]"}}.
  std::string template_special(const Value& item, const std::string& key) const {
    if (!item.IsObject()) fail(key, "must be an object");
    const Value* special = member(item, "SpecialToken");
    if (!special) return "";
    return string(object(item, "SpecialToken", key + ".SpecialToken"), "id", key + ".SpecialToken.id", "");
  }

  void read_post_processor(const Value& root, WordPieceSettings& s) const {
    s.cls_token.clear();
    s.sep_token.clear();
    const Value* post = member(root, "post_processor");
    if (!post) return;
    const std::string type = type_of(*post, "post_processor");
    if (type == "BertProcessing" || type == "RobertaProcessing") {
      for (auto [name, target] : {std::pair<const char*, std::string*>{"cls", &s.cls_token}, {"sep", &s.sep_token}}) {
        const Value* pair = member(*post, name);
        std::string key = std::string("post_processor.") + name;
        if (!pair || !pair->IsArray() || pair->Size() != 2 || !(*pair)[0].IsString()) {
          fail(key, "must be a [token, id] pair");
        }
        *target = (*pair)[0].GetString();
      }
      return;
    }
    if (type != "TemplateProcessing") {
      fail("post_processor.type", "is \"" + type +
                                      "\"; supported: BertProcessing, RobertaProcessing, TemplateProcessing or null");
    }
    const Value* single = member(*post, "single");
    if (!single || !single->IsArray()) fail("post_processor.single", "must be an array");
    // The one shape BERT uses: at most one special token before the sequence and one after.
    int sequence_at = -1;
    for (rapidjson::SizeType i = 0; i < single->Size(); ++i) {
      std::string key = "post_processor.single[" + std::to_string(i) + "]";
      std::string special = template_special((*single)[i], key);
      if (special.empty()) {
        if (!member((*single)[i], "Sequence") || sequence_at >= 0) fail(key, "must be a SpecialToken or the one Sequence");
        sequence_at = static_cast<int>(i);
      } else if (sequence_at < 0 && s.cls_token.empty()) {
        s.cls_token = special;
      } else if (sequence_at >= 0 && s.sep_token.empty()) {
        s.sep_token = special;
      } else {
        fail(key, "is a second special token on one side; only [CLS] $A [SEP]-shaped templates are supported");
      }
    }
    if (sequence_at < 0) fail("post_processor.single", "has no Sequence item");
  }

  WordPieceTokenizer::Model read(std::string_view json, std::vector<detail::AddedToken>& added) const {
    rapidjson::Document document = detail::parse_json_object(json, source_);
    WordPieceTokenizer::Model m;
    m.source = source_;
    WordPieceSettings& s = m.settings;
    s.special_tokens.clear();

    const Value& model = object(document, "model", "model");
    const std::string model_type = string(model, "type", "model.type", "");
    if (model_type != "WordPiece") {
      fail("model.type", "is \"" + model_type + "\"; this tokenizer reads \"WordPiece\" (BERT family) models");
    }
    s.unk_token = string(model, "unk_token", "model.unk_token", "[UNK]");
    s.continuing_subword_prefix = string(model, "continuing_subword_prefix", "model.continuing_subword_prefix", "##");
    if (const Value* v = member(model, "max_input_chars_per_word")) {
      s.max_input_chars_per_word = static_cast<size_t>(integer(*v, "model.max_input_chars_per_word", 1, 1 << 20));
    }

    const Value& vocab = object(model, "vocab", "model.vocab");
    constexpr int64_t kMaxId = (1 << 24) - 1;
    for (auto it = vocab.MemberBegin(); it != vocab.MemberEnd(); ++it) {
      std::string token(it->name.GetString(), it->name.GetStringLength());
      const int64_t id = integer(it->value, "model.vocab[\"" + token + "\"]", 0, kMaxId);
      if (static_cast<size_t>(id) >= m.vocab.size()) m.vocab.resize(id + 1);
      if (!m.vocab[id].empty()) {
        fail("model.vocab", "gives id " + std::to_string(id) + " to both \"" + m.vocab[id] + "\" and \"" + token + "\"");
      }
      if (token.empty()) fail("model.vocab", "has an empty token");
      m.vocab[id] = std::move(token);
    }
    if (m.vocab.empty()) fail("model.vocab", "is empty");

    if (const Value* list = member(document, "added_tokens")) {
      if (!list->IsArray()) fail("added_tokens", "must be an array");
      for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
        const std::string key = "added_tokens[" + std::to_string(i) + "]";
        const Value& item = (*list)[i];
        if (!item.IsObject() || !member(item, "id")) fail(key, "must be an object with id and content");
        detail::AddedToken t;
        t.id = static_cast<int32_t>(integer(*member(item, "id"), key + ".id", 0, kMaxId));
        t.content = string(item, "content", key + ".content", "");
        if (t.content.empty()) fail(key + ".content", "must be a non-empty string");
        t.special = boolean(item, "special", key + ".special", false);
        t.lstrip = boolean(item, "lstrip", key + ".lstrip", false);
        t.rstrip = boolean(item, "rstrip", key + ".rstrip", false);
        t.single_word = boolean(item, "single_word", key + ".single_word", false);
        if (static_cast<size_t>(t.id) >= m.vocab.size()) m.vocab.resize(t.id + 1);
        if (m.vocab[t.id].empty()) m.vocab[t.id] = t.content;
        if (m.vocab[t.id] != t.content) {
          fail(key, "gives id " + std::to_string(t.id) + " to \"" + t.content + "\", but model.vocab gives it to \"" +
                        m.vocab[t.id] + "\"");
        }
        s.special_tokens.push_back(t.content);
        added.push_back(std::move(t));
      }
    }

    if (const Value* normalizer = member(document, "normalizer")) {
      const std::string type = type_of(*normalizer, "normalizer");
      if (type != "BertNormalizer") {
        fail("normalizer.type", "is \"" + type + "\"; supported: BertNormalizer or null");
      }
      BertNormalization& n = s.normalization;
      n.clean_text = boolean(*normalizer, "clean_text", "normalizer.clean_text", true);
      n.handle_chinese_chars = boolean(*normalizer, "handle_chinese_chars", "normalizer.handle_chinese_chars", true);
      n.lowercase = boolean(*normalizer, "lowercase", "normalizer.lowercase", true);
      if (member(*normalizer, "strip_accents")) {
        n.strip_accents = boolean(*normalizer, "strip_accents", "normalizer.strip_accents", false);
      }
    } else {
      s.normalization = BertNormalization{false, false, false, false};
    }

    const Value* pre = member(document, "pre_tokenizer");
    const std::string pre_type = pre ? type_of(*pre, "pre_tokenizer") : "null";
    if (pre_type != "BertPreTokenizer") {
      fail("pre_tokenizer.type", "is \"" + pre_type + "\"; a WordPiece tokenizer here needs BertPreTokenizer");
    }
    read_post_processor(document, s);
    if (const Value* truncation = member(document, "truncation")) {
      if (!truncation->IsObject()) fail("truncation", "must be an object or null");
      if (const Value* max = member(*truncation, "max_length")) {
        s.max_length = static_cast<size_t>(integer(*max, "truncation.max_length", 1, kMaxId));
      }
    }
    return m;
  }

 private:
  std::string source_;
};

using PrettyWriter = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void write_string(PrettyWriter& w, const std::string& s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

void write_template_special(PrettyWriter& w, const std::string& token) {
  w.StartObject();
  w.Key("SpecialToken");
  w.StartObject();
  w.Key("id");
  write_string(w, token);
  w.Key("type_id");
  w.Int(0);
  w.EndObject();
  w.EndObject();
}

}  // namespace

WordPieceTokenizer WordPieceTokenizer::from_json(std::string_view json, const std::string& source_name) {
  std::vector<detail::AddedToken> added;
  auto m = std::make_shared<Model>(JsonReader(source_name).read(json, added));
  return WordPieceTokenizer(finish_model(std::move(m), added));
}

WordPieceTokenizer WordPieceTokenizer::from_file(const std::string& path) {
  return from_json(detail::read_text_file(path), path);
}

std::string WordPieceTokenizer::to_json() const {
  const Model& m = *model_;
  const WordPieceSettings& s = m.settings;
  rapidjson::StringBuffer buffer;
  PrettyWriter w(buffer);
  w.SetIndent(' ', 2);
  w.StartObject();
  w.Key("version");
  w.String("1.0");
  w.Key("truncation");
  if (s.max_length) {
    w.StartObject();
    w.Key("direction");
    w.String("Right");
    w.Key("max_length");
    w.Uint64(s.max_length);
    w.Key("strategy");
    w.String("LongestFirst");
    w.Key("stride");
    w.Int(0);
    w.EndObject();
  } else {
    w.Null();
  }
  w.Key("padding");
  w.Null();
  w.Key("added_tokens");
  w.StartArray();
  for (const std::string& special : s.special_tokens) {
    w.StartObject();
    w.Key("id");
    w.Int(*m.find(special));
    w.Key("content");
    write_string(w, special);
    w.Key("single_word");
    w.Bool(false);
    w.Key("lstrip");
    w.Bool(false);
    w.Key("rstrip");
    w.Bool(false);
    w.Key("normalized");
    w.Bool(false);
    w.Key("special");
    w.Bool(true);
    w.EndObject();
  }
  w.EndArray();
  w.Key("normalizer");
  w.StartObject();
  w.Key("type");
  w.String("BertNormalizer");
  w.Key("clean_text");
  w.Bool(s.normalization.clean_text);
  w.Key("handle_chinese_chars");
  w.Bool(s.normalization.handle_chinese_chars);
  w.Key("strip_accents");
  if (s.normalization.strip_accents) {
    w.Bool(*s.normalization.strip_accents);
  } else {
    w.Null();
  }
  w.Key("lowercase");
  w.Bool(s.normalization.lowercase);
  w.EndObject();
  w.Key("pre_tokenizer");
  w.StartObject();
  w.Key("type");
  w.String("BertPreTokenizer");
  w.EndObject();
  w.Key("post_processor");
  if (m.cls || m.sep) {
    w.StartObject();
    w.Key("type");
    w.String("TemplateProcessing");
    w.Key("single");
    w.StartArray();
    if (m.cls) write_template_special(w, s.cls_token);
    w.StartObject();
    w.Key("Sequence");
    w.StartObject();
    w.Key("id");
    w.String("A");
    w.Key("type_id");
    w.Int(0);
    w.EndObject();
    w.EndObject();
    if (m.sep) write_template_special(w, s.sep_token);
    w.EndArray();
    w.Key("special_tokens");
    w.StartObject();
    for (const std::string* token : {&s.cls_token, &s.sep_token}) {
      if (token->empty()) continue;
      w.Key(token->c_str());
      w.StartObject();
      w.Key("id");
      write_string(w, *token);
      w.Key("ids");
      w.StartArray();
      w.Int(*m.find(*token));
      w.EndArray();
      w.Key("tokens");
      w.StartArray();
      write_string(w, *token);
      w.EndArray();
      w.EndObject();
    }
    w.EndObject();
    w.EndObject();
  } else {
    w.Null();
  }
  w.Key("decoder");
  w.StartObject();
  w.Key("type");
  w.String("WordPiece");
  w.Key("prefix");
  write_string(w, s.continuing_subword_prefix);
  w.Key("cleanup");
  w.Bool(true);
  w.EndObject();
  w.Key("model");
  w.StartObject();
  w.Key("type");
  w.String("WordPiece");
  w.Key("unk_token");
  write_string(w, s.unk_token);
  w.Key("continuing_subword_prefix");
  write_string(w, s.continuing_subword_prefix);
  w.Key("max_input_chars_per_word");
  w.Uint64(s.max_input_chars_per_word);
  w.Key("vocab");
  w.StartObject();
  for (size_t id = 0; id < m.vocab.size(); ++id) {
    if (m.vocab[id].empty()) continue;
    write_string(w, m.vocab[id]);
    w.Int(static_cast<int>(id));
  }
  w.EndObject();
  w.EndObject();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

}  // namespace nineteen::text
