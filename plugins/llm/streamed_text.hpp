// Turns generated token bytes into the text deltas a client sees: valid UTF-8, and never any part
// of a stop string (text that might begin one is held back until it cannot).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nineteen::llm {

class StreamedText {
 public:
  explicit StreamedText(std::vector<std::string> stop_strings);

  struct Step {
    std::string delta;                     // new visible text (may be empty while text is held back)
    std::optional<std::string> stop_hit;   // set when a stop string completed: generation ends here
  };
  // Adds one token's bytes.
  Step push(std::string_view bytes);
  // Releases what is still held back (at the end of generation); invalid bytes become U+FFFD.
  std::string finish();

 private:
  std::vector<std::string> stop_;
  size_t longest_stop_ = 0;
  std::string raw_;       // every byte generated so far
  size_t released_ = 0;   // bytes of raw_ already given out as deltas
  bool stopped_ = false;
};

}  // namespace nineteen::llm
