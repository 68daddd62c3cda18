// Unicode NFC (canonical composition), the normalizer of Qwen2's tokenizer.json, through ICU.
#pragma once

#include <string>
#include <string_view>

namespace nineteen::text::detail {

// Writes the NFC form of `text` to `out` and returns true when it differs; returns false (out
// untouched) when `text` is already NFC, which is every ASCII text. Bytes that are not valid UTF-8
// are kept as they are; only the valid runs between them are normalised. Thread-safe.
bool to_nfc(std::string_view text, std::string& out);

}  // namespace nineteen::text::detail
