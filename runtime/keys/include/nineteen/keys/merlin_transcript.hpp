// Merlin transcripts (merlin.cool): the Fiat-Shamir transcript that schnorrkel (sr25519) signs over.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "nineteen/keys/strobe128.hpp"

namespace nineteen::keys {

class MerlinTranscript {
 public:
  // Transcript::new(label): STROBE-128 with "Merlin v1.0", then the label under "dom-sep".
  explicit MerlinTranscript(std::string_view label);

  void append_message(std::string_view label, const std::uint8_t* data, std::size_t size);
  void append_message(std::string_view label, std::string_view data);

  // Fills `out` with challenge bytes bound to everything appended so far (and changes the transcript).
  void challenge_bytes(std::string_view label, std::uint8_t* out, std::size_t size);

  // Merlin's TranscriptRng: a copy of the transcript keyed with `witness` (a secret) and 32 random
  // bytes, then squeezed into `out`. `random32` null takes the randomness from libsodium; tests pass
  // fixed bytes. The transcript itself is unchanged.
  void witness_bytes(std::string_view label, const std::uint8_t* witness, std::size_t witness_size, std::uint8_t* out,
                     std::size_t size, const std::uint8_t* random32 = nullptr) const;

 private:
  Strobe128 strobe_;
};

}  // namespace nineteen::keys
