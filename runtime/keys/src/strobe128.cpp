// STROBE-128 over Keccak-f[1600] with rate 166, as Merlin specifies it (strobe.sourceforge.io).
#include "nineteen/keys/strobe128.hpp"

#include <sodium.h>

#include <cstring>
#include <stdexcept>

#include "nineteen/keys/keccak_f1600.hpp"

namespace nineteen::keys {
namespace {

constexpr std::uint8_t kRate = 166;
constexpr std::uint8_t kFlagI = 1;
constexpr std::uint8_t kFlagA = 1 << 1;
constexpr std::uint8_t kFlagC = 1 << 2;
constexpr std::uint8_t kFlagT = 1 << 3;
constexpr std::uint8_t kFlagM = 1 << 4;
constexpr std::uint8_t kFlagK = 1 << 5;

}  // namespace

Strobe128::Strobe128(const std::uint8_t* protocol_label, std::size_t size) {
  const std::uint8_t header[6] = {1, kRate + 2, 1, 0, 1, 96};
  std::memcpy(state_.data(), header, sizeof header);
  std::memcpy(state_.data() + 6, "STROBEv1.0.2", 12);
  keccak_f1600(state_);
  meta_ad(protocol_label, size, false);
}

void Strobe128::meta_ad(const std::uint8_t* data, std::size_t size, bool more) {
  begin_op(kFlagM | kFlagA, more);
  absorb(data, size);
}

void Strobe128::ad(const std::uint8_t* data, std::size_t size, bool more) {
  begin_op(kFlagA, more);
  absorb(data, size);
}

void Strobe128::prf(std::uint8_t* out, std::size_t size, bool more) {
  begin_op(kFlagI | kFlagA | kFlagC, more);
  squeeze(out, size);
}

void Strobe128::key(const std::uint8_t* data, std::size_t size, bool more) {
  begin_op(kFlagA | kFlagC, more);
  overwrite(data, size);
}

void Strobe128::wipe() {
  sodium_memzero(state_.data(), state_.size());
  pos_ = pos_begin_ = cur_flags_ = 0;
}

void Strobe128::run_f() {
  state_[pos_] ^= pos_begin_;
  state_[pos_ + 1] ^= 0x04;
  state_[kRate + 1] ^= 0x80;
  keccak_f1600(state_);
  pos_ = 0;
  pos_begin_ = 0;
}

void Strobe128::absorb(const std::uint8_t* data, std::size_t size) {
  for (std::size_t i = 0; i < size; ++i) {
    state_[pos_] ^= data[i];
    if (++pos_ == kRate) run_f();
  }
}

void Strobe128::overwrite(const std::uint8_t* data, std::size_t size) {
  for (std::size_t i = 0; i < size; ++i) {
    state_[pos_] = data[i];
    if (++pos_ == kRate) run_f();
  }
}

void Strobe128::squeeze(std::uint8_t* out, std::size_t size) {
  for (std::size_t i = 0; i < size; ++i) {
    out[i] = state_[pos_];
    state_[pos_] = 0;
    if (++pos_ == kRate) run_f();
  }
}

void Strobe128::begin_op(std::uint8_t flags, bool more) {
  if (more) {
    if (flags != cur_flags_) throw std::logic_error("STROBE: a continued operation must keep its flags");
    return;
  }
  if ((flags & kFlagT) != 0) throw std::logic_error("STROBE: transport operations are not supported");
  const std::uint8_t old_begin[2] = {pos_begin_, flags};
  pos_begin_ = static_cast<std::uint8_t>(pos_ + 1);
  cur_flags_ = flags;
  absorb(old_begin, 2);
  const bool force_f = (flags & (kFlagC | kFlagK)) != 0;
  if (force_f && pos_ != 0) run_f();
}

}  // namespace nineteen::keys
