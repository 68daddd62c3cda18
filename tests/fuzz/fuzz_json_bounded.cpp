// Fuzz target: sdk::parse_json_bounded, the one JSON reader of every node, and the JsonObject reads
// and previews that follow it on a request.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "nineteen/sdk/json.hpp"

namespace sdk = nineteen::sdk;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  rapidjson::Document doc;
  const std::string problem = sdk::parse_json_bounded(doc, text, sdk::JsonLimits{8, 0});
  if (!problem.empty()) {
    if (problem.size() > 200) std::abort();  // an error must never quote the input
    return 0;
  }
  // RFC 8259 text holds no raw NUL byte (not between tokens, not in strings): accepting one means
  // bytes after it were never read.
  if (text.find('\0') != std::string_view::npos) std::abort();
  // What was accepted writes out as JSON that is accepted again. Not compared for equality: a number
  // of more than 15 digits may come back one ulp off (RapidJSON's fast, not exact, reading).
  const std::string written = sdk::to_json(doc);
  rapidjson::Document again;
  if (!sdk::parse_json_bounded(again, written, sdk::JsonLimits{8, 0}).empty()) std::abort();
  if (sdk::json_preview(doc, 20).size() > 20) std::abort();
  if (!doc.IsObject()) return 0;
  try {
    sdk::JsonObject request(doc, "request");
    request.integer_or("max_tokens", 16, 1, 4096);
    request.number_in("temperature", 1, 0, 2);
    request.string_or("model", "");
    request.boolean_or("stream", false);
    if (request.has("messages")) request.array("messages");
    request.allow_only_request_keys({"model", "max_tokens", "temperature", "stream", "messages"}, {"tools"});
  } catch (const sdk::Error&) {
  }
  return 0;
}
