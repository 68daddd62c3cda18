// SS58 per the Substrate spec: base58(prefix || public key || blake2b-512("SS58PRE" || prefix || key)[0..2]).
#include "nineteen/keys/ss58.hpp"

#include <sodium.h>

#include <stdexcept>
#include <vector>

#include "nineteen/keys/hotkey.hpp"

namespace nineteen::keys {
namespace {

constexpr char kAlphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

std::string base58_encode(const std::vector<std::uint8_t>& bytes) {
  std::size_t zeros = 0;
  while (zeros < bytes.size() && bytes[zeros] == 0) ++zeros;
  std::vector<std::uint8_t> digits;  // base-58 digits, least significant first
  for (std::size_t i = zeros; i < bytes.size(); ++i) {
    int carry = bytes[i];
    for (auto& d : digits) {
      carry += d * 256;
      d = static_cast<std::uint8_t>(carry % 58);
      carry /= 58;
    }
    while (carry > 0) {
      digits.push_back(static_cast<std::uint8_t>(carry % 58));
      carry /= 58;
    }
  }
  std::string out(zeros, '1');
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) out.push_back(kAlphabet[*it]);
  return out;
}

std::optional<std::vector<std::uint8_t>> base58_decode(const std::string& text, std::string* bad_char) {
  std::size_t zeros = 0;
  while (zeros < text.size() && text[zeros] == '1') ++zeros;
  std::vector<std::uint8_t> bytes;  // least significant first
  for (std::size_t i = zeros; i < text.size(); ++i) {
    const char* pos = std::char_traits<char>::find(kAlphabet, 58, text[i]);
    if (!pos) {
      if (bad_char) *bad_char = std::string(1, text[i]);
      return std::nullopt;
    }
    int carry = static_cast<int>(pos - kAlphabet);
    for (auto& b : bytes) {
      carry += b * 58;
      b = static_cast<std::uint8_t>(carry & 0xff);
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push_back(static_cast<std::uint8_t>(carry & 0xff));
      carry >>= 8;
    }
  }
  std::vector<std::uint8_t> out(zeros, 0);
  out.insert(out.end(), bytes.rbegin(), bytes.rend());
  return out;
}

std::array<std::uint8_t, 64> ss58_hash(const std::uint8_t* data, std::size_t size) {
  ensure_sodium();
  static const char kPre[] = "SS58PRE";
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, 64);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(kPre), sizeof kPre - 1);
  crypto_generichash_update(&state, data, size);
  std::array<std::uint8_t, 64> hash{};
  crypto_generichash_final(&state, hash.data(), hash.size());
  return hash;
}

}  // namespace

std::string ss58_encode(const PublicKey& public_key, std::uint16_t prefix) {
  std::vector<std::uint8_t> payload;
  if (prefix < 64) {
    payload.push_back(static_cast<std::uint8_t>(prefix));
  } else if (prefix < 16384) {
    payload.push_back(static_cast<std::uint8_t>(((prefix & 0xfc) >> 2) | 0x40));
    payload.push_back(static_cast<std::uint8_t>((prefix >> 8) | ((prefix & 0x03) << 6)));
  } else {
    throw std::invalid_argument("ss58_encode: prefix " + std::to_string(prefix) + " is above 16383");
  }
  payload.insert(payload.end(), public_key.begin(), public_key.end());
  auto hash = ss58_hash(payload.data(), payload.size());
  payload.push_back(hash[0]);
  payload.push_back(hash[1]);
  return base58_encode(payload);
}

std::optional<Ss58Decoded> ss58_decode(const std::string& address, std::string* error,
                                       std::optional<std::uint16_t> expected_prefix) {
  auto fail = [&](const std::string& why) -> std::optional<Ss58Decoded> {
    if (error) *error = "\"" + address + "\" is not a valid SS58 address: " + why;
    return std::nullopt;
  };
  if (address.empty()) return fail("it is empty");
  if (address.size() > 64) return fail("it is too long");
  std::string bad_char;
  auto bytes = base58_decode(address, &bad_char);
  if (!bytes) return fail("'" + bad_char + "' is not a base58 character");
  if (bytes->empty()) return fail("it is empty");
  Ss58Decoded out;
  std::size_t prefix_len = 0;
  std::uint8_t b0 = (*bytes)[0];
  if (b0 < 64) {
    out.prefix = b0;
    prefix_len = 1;
  } else if (b0 < 128 && bytes->size() >= 2) {
    std::uint8_t b1 = (*bytes)[1];
    std::uint16_t lower = static_cast<std::uint16_t>(((b0 << 2) | (b1 >> 6)) & 0xff);
    std::uint16_t upper = b1 & 0x3f;
    out.prefix = static_cast<std::uint16_t>(lower | (upper << 8));
    prefix_len = 2;
  } else {
    return fail("the first byte " + std::to_string(b0) + " is not a valid prefix form");
  }
  if (bytes->size() != prefix_len + 32 + 2) {
    return fail("it decodes to " + std::to_string(bytes->size()) + " bytes; a 32-byte account needs " +
                std::to_string(prefix_len + 34));
  }
  auto hash = ss58_hash(bytes->data(), prefix_len + 32);
  if (hash[0] != (*bytes)[prefix_len + 32] || hash[1] != (*bytes)[prefix_len + 33]) {
    return fail("the checksum does not match (a mistyped character?)");
  }
  if (expected_prefix && *expected_prefix != out.prefix) {
    return fail("network prefix " + std::to_string(out.prefix) + ", expected " + std::to_string(*expected_prefix));
  }
  std::copy(bytes->begin() + static_cast<std::ptrdiff_t>(prefix_len),
            bytes->begin() + static_cast<std::ptrdiff_t>(prefix_len + 32), out.public_key.begin());
  return out;
}

bool is_valid_ss58(const std::string& address) { return ss58_decode(address).has_value(); }

std::string to_hex(const std::uint8_t* data, std::size_t size) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 0x0f]);
  }
  return out;
}

std::optional<std::string> from_hex(const std::string& hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>((hi << 4) | lo));
  }
  return out;
}

}  // namespace nineteen::keys
