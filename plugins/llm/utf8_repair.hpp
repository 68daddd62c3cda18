// Byte-level tokens can split or garble UTF-8 characters; JSON needs valid UTF-8. These two
// functions let the plugin show such bytes safely.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace nineteen::llm {

// `bytes` with every invalid or truncated UTF-8 sequence replaced by U+FFFD.
std::string to_valid_utf8(std::string_view bytes);

// Length of the trailing bytes that start a UTF-8 character not yet complete (0..3): bytes that
// the next token may finish, so a stream holds them back.
size_t incomplete_utf8_tail(std::string_view bytes);

}  // namespace nineteen::llm
