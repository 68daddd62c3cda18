// Fuzz target: a WordPiece (BERT) tokenizer.json with its vocabulary (WordPieceTokenizer::from_json),
// then encoding with what was loaded and writing it back out. The input is the JSON, then optionally
// a NUL byte and the text to encode.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "nineteen/sdk/error.hpp"
#include "nineteen/text/wordpiece_tokenizer.hpp"

namespace text = nineteen::text;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t nul = input.find('\0');
  const std::string_view json = input.substr(0, nul);
  const std::string_view sample = nul == std::string_view::npos ? "Hello, WORLD! naïve [SEP] 123" : input.substr(nul + 1);
  try {
    const text::WordPieceTokenizer tokenizer = text::WordPieceTokenizer::from_json(json, "tokenizer.json");
    for (const std::int32_t id : tokenizer.encode(sample, 32)) {
      if (id < 0 || static_cast<std::size_t>(id) >= tokenizer.vocab_size()) std::abort();
    }
    // What was loaded writes out as a tokenizer.json that loads again with the same vocabulary.
    const text::WordPieceTokenizer again = text::WordPieceTokenizer::from_json(tokenizer.to_json(), "written");
    if (again.vocabulary() != tokenizer.vocabulary()) std::abort();
  } catch (const nineteen::sdk::Error&) {
  }
  return 0;
}
