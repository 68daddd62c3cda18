// The local chain's wire format, shared by its server and its client: JSON shapes and the signed-write audience.
#pragma once

#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "nineteen/chain/chain.hpp"

namespace nineteen::chain::wire {

// Writes are signed like validator → miner requests (keys/request_signing.hpp), addressed to this
// name in place of a miner hotkey: signature over nonce:nineteen-local-chain:sha256(body).
inline constexpr const char* kChainAudience = "nineteen-local-chain";

// --- writing
std::string block_json(std::uint64_t block);
std::string params_json(const ChainParams& params);
std::string metagraph_json(std::uint64_t block, const std::vector<Neuron>& neurons);
std::string weights_json(const ValidatorWeights& weights);
std::string incentives_json(const Incentives& incentives);
std::string accepted_json(const WriteResult& result);
std::string register_body(const Registration& registration);
std::string serve_body(const std::string& ip, std::uint16_t port);
std::string set_weights_body(const std::vector<std::uint16_t>& uids, const std::vector<std::uint16_t>& values,
                             std::uint64_t version_key);
// Commitment bytes travel as 0x-hex ("data"): they need not be UTF-8.
std::string commitments_json(const std::vector<Commitment>& commitments);
std::string set_commitment_body(const std::string& data);

// --- reading. Each throws std::invalid_argument naming `what` and the key ("body key \"uids\": ...").
rapidjson::Document parse_object(const std::string& text, const std::string& what);
std::uint64_t read_block(const rapidjson::Value& doc, const std::string& what);
ChainParams read_params(const rapidjson::Value& doc, const std::string& what);
std::vector<Neuron> read_metagraph(const rapidjson::Value& doc, const std::string& what);
ValidatorWeights read_weights(const rapidjson::Value& doc, const std::string& what);
Incentives read_incentives(const rapidjson::Value& doc, const std::string& what);
WriteResult read_accepted(const rapidjson::Value& doc, const std::string& what);
// The hotkey comes from the signature, not the body.
Registration read_register_body(const rapidjson::Value& doc, const std::string& hotkey);
void read_serve_body(const rapidjson::Value& doc, std::string& ip, std::uint16_t& port);
std::vector<Commitment> read_commitments(const rapidjson::Value& doc, const std::string& what);
std::string read_set_commitment_body(const rapidjson::Value& doc);
void read_set_weights_body(const rapidjson::Value& doc, std::vector<std::uint16_t>& uids,
                           std::vector<std::uint16_t>& values, std::uint64_t& version_key);

}  // namespace nineteen::chain::wire
