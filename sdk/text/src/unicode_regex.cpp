// PCRE2 glue: compile once with JIT, match with per-call match data, survive any input bytes.
#define PCRE2_CODE_UNIT_WIDTH 8
#include "unicode_regex.hpp"

#include <pcre2.h>

#include <algorithm>
#include <cstdint>

#include "nineteen/sdk/error.hpp"

namespace nineteen::text::detail {
namespace {

std::string pcre2_message(int code) {
  PCRE2_UCHAR buffer[256];
  pcre2_get_error_message(code, buffer, sizeof buffer);
  return reinterpret_cast<const char*>(buffer);
}

bool is_utf8_continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

}  // namespace

UnicodeRegex::UnicodeRegex(const std::string& pattern, bool literal, const std::string& where)
    : where_(where) {
  // MATCH_INVALID_UTF lets arbitrary bytes through: malformed sequences simply never match.
  // (PCRE2 refuses UCP together with LITERAL, where it means nothing anyway.)
  uint32_t options = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | (literal ? PCRE2_LITERAL : PCRE2_UCP);
  int error_code = 0;
  PCRE2_SIZE error_offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), options,
                                   &error_code, &error_offset, nullptr);
  if (!code) {
    throw sdk::Error(NT_INVALID_ARGUMENT,
                     where + ": the regex \"" + pattern + "\" does not compile at offset " +
                         std::to_string(error_offset) + ": " + pcre2_message(error_code));
  }
  code_.reset(code, pcre2_code_free);
  jit_ = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
}

void UnicodeRegex::find_all(std::string_view text, std::vector<ByteRange>& matches) const {
  std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> match_data(
      pcre2_match_data_create_from_pattern(code_.get(), nullptr), pcre2_match_data_free);
  std::unique_ptr<pcre2_match_context, decltype(&pcre2_match_context_free)> context(
      pcre2_match_context_create(nullptr), pcre2_match_context_free);
  if (!match_data || !context) {
    throw sdk::Error(NT_RESOURCE_EXHAUSTED, where_ + ": out of memory for regex match data");
  }
  // PCRE2's default limit (10 million steps) is hit by one 10 MB run of spaces, which the Llama 3
  // pattern handles in linear time; scale the limit with the input so only runaway backtracking
  // trips it.
  pcre2_set_match_limit(context.get(), static_cast<uint32_t>(std::min<size_t>(
                                           UINT32_MAX, std::max<size_t>(10'000'000, text.size() * 64))));
  auto subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  size_t offset = 0;
  while (offset < text.size()) {
    int rc =
        jit_ ? pcre2_jit_match(code_.get(), subject, text.size(), offset, 0, match_data.get(), context.get())
             : PCRE2_ERROR_JIT_BADOPTION;
    if (rc < 0 && rc != PCRE2_ERROR_NOMATCH) {
      // The JIT's small machine stack can run out on long inputs; the interpreter keeps its
      // backtracking frames on the heap.
      rc = pcre2_match(code_.get(), subject, text.size(), offset, 0, match_data.get(), context.get());
    }
    if (rc == PCRE2_ERROR_NOMATCH) return;
    if (rc < 0) {
      throw sdk::Error(NT_INVALID_ARGUMENT, where_ +
                                                ": the pre-tokenizer regex failed on the input at byte " +
                                                std::to_string(offset) + ": " + pcre2_message(rc));
    }
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(match_data.get());
    size_t start = ovector[0], end = ovector[1];
    if (end > start) {
      matches.emplace_back(start, end);
      offset = end;
    } else {  // an empty match: step over one character so the search moves on
      offset = start + 1;
      while (offset < text.size() && is_utf8_continuation(text[offset])) ++offset;
    }
  }
}

}  // namespace nineteen::text::detail
