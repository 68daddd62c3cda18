// Standard base64 (RFC 4648, with padding), as the OpenAI images API carries b64_json.
#pragma once

#include <string>
#include <string_view>

namespace nineteen::image {

std::string base64_encode(std::string_view bytes);

// Accepts the standard alphabet with '=' padding; ASCII whitespace is skipped (wrapped lines).
// A "data:image/...;base64," prefix is accepted too, since clients paste data URLs. Throws
// sdk::Error(NT_INVALID_ARGUMENT) naming `what` and the offending byte offset otherwise.
std::string base64_decode(std::string_view text, const std::string& what);

}  // namespace nineteen::image
