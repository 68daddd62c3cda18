// Fuzz target: a byte-level BPE tokenizer.json (BpeTokenizer::from_json), then encoding and decoding
// with what was loaded. The input is the JSON, then optionally a NUL byte and the text to encode.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "nineteen/sdk/error.hpp"
#include "nineteen/text/bpe_tokenizer.hpp"

namespace text = nineteen::text;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t nul = input.find('\0');
  const std::string_view json = input.substr(0, nul);
  const std::string_view sample = nul == std::string_view::npos ? "Hello, world! <|eot_id|> 123" : input.substr(nul + 1);
  try {
    const text::BpeTokenizer tokenizer = text::BpeTokenizer::from_json(json, "tokenizer.json");
    const auto ids = tokenizer.encode(sample);
    for (const std::int32_t id : ids) {
      if (id < 0 || static_cast<std::size_t>(id) >= tokenizer.vocab_size()) std::abort();
    }
    tokenizer.decode(ids);
    tokenizer.decode(ids, true);
  } catch (const nineteen::sdk::Error&) {
  }
  return 0;
}
