// Merlin v1.0 over STROBE-128: labelled messages with little-endian u32 lengths, PRF challenges.
#include "nineteen/keys/merlin_transcript.hpp"

#include <sodium.h>

#include <limits>
#include <stdexcept>

#include "nineteen/keys/hotkey.hpp"

namespace nineteen::keys {
namespace {

const std::uint8_t* bytes_of(std::string_view text) { return reinterpret_cast<const std::uint8_t*>(text.data()); }

std::array<std::uint8_t, 4> le32(std::size_t size) {
  if (size > std::numeric_limits<std::uint32_t>::max()) throw std::length_error("Merlin: message longer than 4 GiB");
  return {static_cast<std::uint8_t>(size), static_cast<std::uint8_t>(size >> 8), static_cast<std::uint8_t>(size >> 16),
          static_cast<std::uint8_t>(size >> 24)};
}

constexpr std::string_view kProtocol = "Merlin v1.0";

}  // namespace

MerlinTranscript::MerlinTranscript(std::string_view label) : strobe_(bytes_of(kProtocol), kProtocol.size()) {
  append_message("dom-sep", label);
}

void MerlinTranscript::append_message(std::string_view label, const std::uint8_t* data, std::size_t size) {
  auto length = le32(size);
  strobe_.meta_ad(bytes_of(label), label.size(), false);
  strobe_.meta_ad(length.data(), length.size(), true);
  strobe_.ad(data, size, false);
}

void MerlinTranscript::append_message(std::string_view label, std::string_view data) {
  append_message(label, bytes_of(data), data.size());
}

void MerlinTranscript::challenge_bytes(std::string_view label, std::uint8_t* out, std::size_t size) {
  auto length = le32(size);
  strobe_.meta_ad(bytes_of(label), label.size(), false);
  strobe_.meta_ad(length.data(), length.size(), true);
  strobe_.prf(out, size, false);
}

void MerlinTranscript::witness_bytes(std::string_view label, const std::uint8_t* witness, std::size_t witness_size,
                                     std::uint8_t* out, std::size_t size, const std::uint8_t* random32) const {
  Strobe128 rng = strobe_;
  auto witness_length = le32(witness_size);
  rng.meta_ad(bytes_of(label), label.size(), false);
  rng.meta_ad(witness_length.data(), witness_length.size(), true);
  rng.key(witness, witness_size, false);

  std::uint8_t random[32];
  if (random32) {
    std::copy(random32, random32 + 32, random);
  } else {
    ensure_sodium();
    randombytes_buf(random, sizeof random);
  }
  static constexpr std::string_view kRng = "rng";
  rng.meta_ad(bytes_of(kRng), kRng.size(), false);
  rng.key(random, sizeof random, false);
  sodium_memzero(random, sizeof random);

  auto out_length = le32(size);
  rng.meta_ad(out_length.data(), out_length.size(), false);
  rng.prf(out, size, false);
  rng.wipe();
}

}  // namespace nineteen::keys
