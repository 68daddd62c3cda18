// The fixed inputs both sides of the @polkadot/types comparison use (passed to Node as JSON).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace reference_inputs {

inline const char* kFinneyGenesis = "0x2f0555cc76fc2840a25a6ea3b9637146806f1f44b090c175ffde2a7e5ab36c03";
inline const char* kBlockHash = "0x94c921cb6bd8ecc72a5f4df4d5d863dd75210745d6f046ab5ff2b52c394ef8fd";
inline const char* kPublicKey = "0x46ebddef8cd9bb167dc30878d7113b7e168e6f0646beffd77d69d39bad76b47a";
constexpr std::uint8_t kSignatureByte = 0xab;
constexpr std::uint16_t kNetuid = 19;
constexpr std::uint64_t kVersionKey = 12345;
constexpr std::uint64_t kNonce = 70000;  // a two-byte-mode compact
constexpr std::uint64_t kTip = 7;
constexpr std::uint64_t kEraCurrent = 4898328;
constexpr std::uint64_t kEraPeriod = 64;
inline const std::vector<std::uint16_t> kDests{0, 3, 7};
inline const std::vector<std::uint16_t> kWeights{65535, 1200, 9};
inline const std::vector<std::uint16_t> kSalt{1, 2, 3, 4, 5, 6, 7, 8};
inline const char* kCommitHash = "0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
struct Axon {
  std::uint32_t version;
  std::uint64_t ip;
  std::uint16_t port;
  std::uint8_t ip_type, protocol;
};
inline const Axon kAxon{800, 1, 8091, 4, 4};  // 0.0.0.1, as local setups post

// A task vote as a validator publishes it (Commitments.set_commitment); 150 bytes, so two raw fields
// (128 + 22) where the chain allows them.
inline const char* kCommitment =
    "tv1 chat-tiny-llama=0.6 completions-tiny-llama=0.1 embed-tiny-bert=0.1 reverse-words=0.2 "
    "text-to-image-tiny=0.05 image-to-image-tiny=0.05 avatar-tiny=0.0";
inline const char* kShortCommitment = "tv1 chat-tiny-llama=0.6 reverse-words=0.4";
constexpr std::uint32_t kCommitmentBlock = 4242;

inline std::string hex_of(const std::string& bytes) {
  static const char* d = "0123456789abcdef";
  std::string out = "0x";
  for (unsigned char c : bytes) {
    out += d[c >> 4];
    out += d[c & 15];
  }
  return out;
}

// The commitment's fields as 0x-hex, 128 bytes each at most.
inline std::string commitment_fields_json(const std::string& text) {
  std::string out = "[";
  for (std::size_t at = 0; at < text.size(); at += 128) out += (at ? ",\"" : "\"") + hex_of(text.substr(at, 128)) + "\"";
  return out + "]";
}

inline std::pair<std::vector<std::uint16_t>, std::vector<std::uint16_t>> long_weights() {
  std::vector<std::uint16_t> d, w;
  for (std::uint16_t i = 0; i < 100; ++i) {
    d.push_back(i);
    w.push_back(static_cast<std::uint16_t>(655 * i + 1));
  }
  return {d, w};
}

inline std::string list(const std::vector<std::uint16_t>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s + "]";
}

inline std::string json(const std::string& genesis, std::uint32_t spec, const std::string& commitment) {
  auto [ld, lw] = long_weights();
  std::string sig = "0x";
  for (int i = 0; i < 64; ++i) sig += "ab";
  return std::string("{") + "\"netuid\":" + std::to_string(kNetuid) + ",\"dests\":" + list(kDests) +
         ",\"weights\":" + list(kWeights) + ",\"salt\":" + list(kSalt) + ",\"commit_hash\":\"" + kCommitHash +
         "\"" + ",\"long_dests\":" + list(ld) + ",\"long_weights\":" + list(lw) + ",\"version_key\":\"" +
         std::to_string(kVersionKey) + "\",\"axon\":{\"version\":" + std::to_string(kAxon.version) +
         ",\"ip\":\"" + std::to_string(kAxon.ip) + "\",\"port\":" + std::to_string(kAxon.port) +
         ",\"ip_type\":" + std::to_string(kAxon.ip_type) + ",\"protocol\":" + std::to_string(kAxon.protocol) +
         "},\"nonce\":" + std::to_string(kNonce) + ",\"tip\":" + std::to_string(kTip) +
         ",\"era\":{\"current\":" + std::to_string(kEraCurrent) +
         ",\"period\":" + std::to_string(kEraPeriod) + "},\"block_hash\":\"" + kBlockHash +
         "\",\"genesis\":\"" + genesis + "\",\"spec_version\":" + std::to_string(spec) +
         ",\"transaction_version\":1,\"public_key\":\"" + kPublicKey + "\",\"signature\":\"" + sig +
         "\",\"commitment_fields\":" + commitment_fields_json(commitment) +
         ",\"commitment_block\":" + std::to_string(kCommitmentBlock) + "}";
}

}  // namespace reference_inputs
