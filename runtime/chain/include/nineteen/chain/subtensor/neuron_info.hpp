// NeuronInfoLite as NeuronInfoRuntimeApi_get_neurons_lite returns it (plain SCALE, BITTENSOR.md), and
// axon addresses as the chain stores them (an IPv4/IPv6 address as a u128 number).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "nineteen/chain/subtensor/scale.hpp"

namespace nineteen::chain::subtensor {

using AccountId = std::array<std::uint8_t, 32>;

struct AxonInfo {
  std::uint64_t block = 0;
  std::uint32_t version = 0;
  u128 ip = 0;
  std::uint16_t port = 0;
  std::uint8_t ip_type = 0;
  std::uint8_t protocol = 0;
  std::uint8_t placeholder1 = 0;
  std::uint8_t placeholder2 = 0;
};

struct PrometheusInfo {
  std::uint64_t block = 0;
  std::uint32_t version = 0;
  u128 ip = 0;
  std::uint16_t port = 0;
  std::uint8_t ip_type = 0;
};

struct NeuronLite {
  AccountId hotkey{};
  AccountId coldkey{};
  std::uint16_t uid = 0;
  std::uint16_t netuid = 0;
  bool active = false;
  AxonInfo axon;
  PrometheusInfo prometheus;
  std::vector<std::pair<AccountId, std::uint64_t>> stake;  // (coldkey, rao)
  std::uint16_t rank = 0;
  std::uint64_t emission = 0;
  std::uint16_t incentive = 0;
  std::uint16_t consensus = 0;
  std::uint16_t trust = 0;
  std::uint16_t validator_trust = 0;
  std::uint16_t dividends = 0;
  std::uint64_t last_update = 0;
  bool validator_permit = false;
  std::uint16_t pruning_score = 0;
};

// Decodes Vec<NeuronInfoLite>; throws ScaleError ("neurons: truncated at byte B ...") on bad input.
std::vector<NeuronLite> decode_neurons_lite(const Bytes& bytes);
Bytes encode_neurons_lite(const std::vector<NeuronLite>& neurons);

// "1.2.3.4" → (ip, 4); IPv6 text → (ip, 6); nullopt for anything else.
std::optional<std::pair<u128, std::uint8_t>> parse_ip(const std::string& text);
// The dotted/colon form; "" for 0 (not serving).
std::string ip_to_text(u128 ip, std::uint8_t ip_type);

}  // namespace nineteen::chain::subtensor
