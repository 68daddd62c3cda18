// MECHANISM.md §4: what one request's outcome adds to a contender's counters for the period.
#pragma once

#include <cstdint>

namespace nineteen::scoring {

enum class Outcome {
  success,       // a valid answer in time
  rate_limited,  // 429 "I am full", including on a stream before the first chunk
  failed,        // timeout, connection error, other non-2xx, malformed or empty answer (the "500" class)
};

struct OutcomeCounts {
  double consumed = 0;             // V: work of the successful answers
  std::uint64_t total = 0;         // T
  std::uint64_t rate_limited = 0;  // n429
  std::uint64_t failed = 0;        // n500

  // Counts one request. `work` is used only for a success; a negative or non-finite work adds nothing.
  void record(Outcome outcome, double work);
};

}  // namespace nineteen::scoring
