// NeuronInfoLite SCALE layout (subtensor's neuron_info.rs) and axon address numbers.
#include "nineteen/chain/subtensor/neuron_info.hpp"

#include <boost/asio/ip/address.hpp>

namespace nineteen::chain::subtensor {
namespace {

std::uint16_t compact_u16(ScaleDecoder& in, const char* field) {
  std::size_t at = in.position();
  u128 v = in.compact();
  if (v > 0xffff) {
    (void)at;
    in.fail(std::string(field) + " does not fit in u16");
  }
  return static_cast<std::uint16_t>(v);
}

}  // namespace

std::vector<NeuronLite> decode_neurons_lite(const Bytes& bytes) {
  ScaleDecoder in(bytes, "neurons");
  std::vector<NeuronLite> out(in.length(64 + 40));
  for (auto& n : out) {
    n.hotkey = in.array<32>();
    n.coldkey = in.array<32>();
    n.uid = compact_u16(in, "uid");
    n.netuid = compact_u16(in, "netuid");
    n.active = in.boolean();
    n.axon.block = in.u64();
    n.axon.version = in.u32();
    n.axon.ip = in.u128le();
    n.axon.port = in.u16();
    n.axon.ip_type = in.u8();
    n.axon.protocol = in.u8();
    n.axon.placeholder1 = in.u8();
    n.axon.placeholder2 = in.u8();
    n.prometheus.block = in.u64();
    n.prometheus.version = in.u32();
    n.prometheus.ip = in.u128le();
    n.prometheus.port = in.u16();
    n.prometheus.ip_type = in.u8();
    n.stake.resize(in.length(33));
    for (auto& s : n.stake) {
      s.first = in.array<32>();
      s.second = in.compact_u64();
    }
    n.rank = compact_u16(in, "rank");
    n.emission = in.compact_u64();
    n.incentive = compact_u16(in, "incentive");
    n.consensus = compact_u16(in, "consensus");
    n.trust = compact_u16(in, "trust");
    n.validator_trust = compact_u16(in, "validator_trust");
    n.dividends = compact_u16(in, "dividends");
    n.last_update = in.compact_u64();
    n.validator_permit = in.boolean();
    n.pruning_score = compact_u16(in, "pruning_score");
  }
  in.expect_end();
  return out;
}

Bytes encode_neurons_lite(const std::vector<NeuronLite>& neurons) {
  ScaleEncoder e;
  e.compact(neurons.size());
  for (const auto& n : neurons) {
    e.raw(n.hotkey);
    e.raw(n.coldkey);
    e.compact(n.uid);
    e.compact(n.netuid);
    e.boolean(n.active);
    e.u64(n.axon.block);
    e.u32(n.axon.version);
    e.u128le(n.axon.ip);
    e.u16(n.axon.port);
    e.u8(n.axon.ip_type);
    e.u8(n.axon.protocol);
    e.u8(n.axon.placeholder1);
    e.u8(n.axon.placeholder2);
    e.u64(n.prometheus.block);
    e.u32(n.prometheus.version);
    e.u128le(n.prometheus.ip);
    e.u16(n.prometheus.port);
    e.u8(n.prometheus.ip_type);
    e.compact(n.stake.size());
    for (const auto& s : n.stake) {
      e.raw(s.first);
      e.compact(s.second);
    }
    e.compact(n.rank);
    e.compact(n.emission);
    e.compact(n.incentive);
    e.compact(n.consensus);
    e.compact(n.trust);
    e.compact(n.validator_trust);
    e.compact(n.dividends);
    e.compact(n.last_update);
    e.boolean(n.validator_permit);
    e.compact(n.pruning_score);
  }
  return e.take();
}

std::optional<std::pair<u128, std::uint8_t>> parse_ip(const std::string& text) {
  boost::system::error_code ec;
  auto addr = boost::asio::ip::make_address(text, ec);
  if (ec) return std::nullopt;
  if (addr.is_v4()) return std::make_pair(u128{addr.to_v4().to_uint()}, std::uint8_t{4});
  u128 v = 0;
  for (auto b : addr.to_v6().to_bytes()) v = (v << 8) | b;
  return std::make_pair(v, std::uint8_t{6});
}

std::string ip_to_text(u128 ip, std::uint8_t ip_type) {
  if (ip == 0) return "";
  if (ip_type == 4) {
    if (ip > 0xffffffffu) return "";
    return boost::asio::ip::address_v4(static_cast<std::uint32_t>(ip)).to_string();
  }
  boost::asio::ip::address_v6::bytes_type b{};
  for (int i = 15; i >= 0; --i) {
    b[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(ip & 0xff);
    ip >>= 8;
  }
  return boost::asio::ip::address_v6(b).to_string();
}

}  // namespace nineteen::chain::subtensor
