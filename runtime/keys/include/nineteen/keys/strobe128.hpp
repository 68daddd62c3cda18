// STROBE-128 (v1.0.2), only the operations a Merlin transcript uses: meta-AD, AD, PRF and KEY.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace nineteen::keys {

class Strobe128 {
 public:
  explicit Strobe128(const std::uint8_t* protocol_label, std::size_t size);

  // `more` continues the previous operation of the same kind (STROBE's streaming form).
  void meta_ad(const std::uint8_t* data, std::size_t size, bool more);
  void ad(const std::uint8_t* data, std::size_t size, bool more);
  void prf(std::uint8_t* out, std::size_t size, bool more);
  void key(const std::uint8_t* data, std::size_t size, bool more);

  // Overwrites the state with zeros (for copies that held secrets).
  void wipe();

 private:
  void run_f();
  void absorb(const std::uint8_t* data, std::size_t size);
  void overwrite(const std::uint8_t* data, std::size_t size);
  void squeeze(std::uint8_t* out, std::size_t size);
  void begin_op(std::uint8_t flags, bool more);

  std::array<std::uint8_t, 200> state_{};
  std::uint8_t pos_ = 0;
  std::uint8_t pos_begin_ = 0;
  std::uint8_t cur_flags_ = 0;
};

}  // namespace nineteen::keys
