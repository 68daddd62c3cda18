// A compiled PCRE2 pattern (UTF + Unicode properties, JIT) that finds all matches in any bytes.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct pcre2_real_code_8;

namespace nineteen::text::detail {

using ByteRange = std::pair<size_t, size_t>;  // [first, second) byte offsets

class UnicodeRegex {
 public:
  // literal = true matches `pattern` as plain text. `where` (e.g. "tok.json: pre_tokenizer.pattern")
  // prefixes the message of the sdk::Error(NT_INVALID_ARGUMENT) thrown for a pattern PCRE2 rejects.
  UnicodeRegex(const std::string& pattern, bool literal, const std::string& where);

  // Appends the successive non-overlapping, non-empty matches in `text`. Invalid UTF-8 is allowed:
  // no match covers a malformed byte, so such bytes end up between matches. Thread-safe.
  void find_all(std::string_view text, std::vector<ByteRange>& matches) const;

 private:
  std::shared_ptr<pcre2_real_code_8> code_;
  std::string where_;
  bool jit_ = false;
};

}  // namespace nineteen::text::detail
