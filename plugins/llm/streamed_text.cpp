// Stop-string search and hold-back for streamed text.
#include "streamed_text.hpp"

#include <algorithm>

#include "utf8_repair.hpp"

namespace nineteen::llm {

StreamedText::StreamedText(std::vector<std::string> stop_strings) : stop_(std::move(stop_strings)) {
  for (const std::string& s : stop_) longest_stop_ = std::max(longest_stop_, s.size());
}

StreamedText::Step StreamedText::push(std::string_view bytes) {
  Step step;
  if (stopped_) return step;
  raw_.append(bytes.data(), bytes.size());
  // A match cannot start inside released text (its beginning would have been held back).
  size_t from = released_ > longest_stop_ ? released_ - longest_stop_ : 0;
  size_t earliest = std::string::npos;
  for (const std::string& s : stop_) {
    size_t at = raw_.find(s, from);
    if (at != std::string::npos && (earliest == std::string::npos || at < earliest)) {
      earliest = at;
      step.stop_hit = s;
    }
  }
  if (step.stop_hit) {
    stopped_ = true;
    if (earliest > released_) step.delta = to_valid_utf8(std::string_view(raw_).substr(released_, earliest - released_));
    released_ = raw_.size();
    return step;
  }
  // Hold back the longest tail that could still grow into a stop string, and a split character.
  size_t hold = incomplete_utf8_tail(raw_);
  for (const std::string& s : stop_) {
    for (size_t n = std::min(s.size() - 1, raw_.size() - released_); n > hold; --n) {
      if (raw_.compare(raw_.size() - n, n, s, 0, n) == 0) {
        hold = n;
        break;
      }
    }
  }
  size_t end = raw_.size() - std::min(hold, raw_.size() - released_);
  if (end > released_) {
    step.delta = to_valid_utf8(std::string_view(raw_).substr(released_, end - released_));
    released_ = end;
  }
  return step;
}

std::string StreamedText::finish() {
  std::string rest;
  if (released_ < raw_.size()) rest = to_valid_utf8(std::string_view(raw_).substr(released_));
  released_ = raw_.size();
  return rest;
}

}  // namespace nineteen::llm
