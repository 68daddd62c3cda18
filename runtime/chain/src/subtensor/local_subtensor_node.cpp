// LocalSubtensorNode: the local chain's state read and written through Substrate's JSON-RPC, with SCALE
// built from the embedded metadata (nothing about indices or layouts is written here by hand).
#include "nineteen/chain/subtensor/local_subtensor_node.hpp"
#include "nineteen/chain/subtensor/subtensor_chain.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "nineteen/chain/subtensor/json_rpc_server.hpp"
#include "nineteen/chain/subtensor/value.hpp"
#include "nineteen/keys/sr25519.hpp"
#include "nineteen/keys/ss58.hpp"

namespace nineteen::chain::subtensor {
namespace {

constexpr const char* kModule = "SubtensorModule";
constexpr std::size_t kBlocksKept = 512;  // SubtensorChain looks a few blocks back; this is plenty

std::string quoted(const std::string& s) {
  return "\"" + s + "\"";
}

std::string hex_number(std::uint64_t n) {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "0x%llx", static_cast<unsigned long long>(n));
  return buffer;
}

std::string param_string(const rapidjson::Value& params, rapidjson::SizeType i) {
  if (params.IsArray() && params.Size() > i && params[i].IsString()) return params[i].GetString();
  return "";
}

bool param_present(const rapidjson::Value& params, rapidjson::SizeType i) {
  return params.IsArray() && params.Size() > i && !params[i].IsNull();
}

Bytes hex_param(const rapidjson::Value& params, rapidjson::SizeType i, const std::string& what) {
  try {
    return hex_decode(param_string(params, i), what);
  } catch (const std::invalid_argument& e) {
    throw RpcServerError(-32602, std::string("Invalid params: ") + e.what());
  }
}

// Substrate's author errors: 1010 "Invalid Transaction" with the reason as data.
[[noreturn]] void invalid_transaction(const std::string& why) {
  throw RpcServerError(1010, "Invalid Transaction", why);
}

const Value* arg(const DecodedExtrinsic& x, const std::string& name) {
  for (const auto& [n, v] : x.args)
    if (n == name) return &v;
  return nullptr;
}

u128 uint_arg(const DecodedExtrinsic& x, const std::string& name) {
  const Value* v = arg(x, name);
  return v && v->kind() == Value::Kind::uint ? v->as_uint() : 0;
}

std::vector<std::uint16_t> u16_list_arg(const DecodedExtrinsic& x, const std::string& name) {
  std::vector<std::uint16_t> out;
  if (const Value* v = arg(x, name))
    for (const auto& item : v->items()) out.push_back(static_cast<std::uint16_t>(item.as_uint()));
  return out;
}

bool has_storage(const Metadata& m, const std::string& pallet, const std::string& entry) {
  for (const auto& e : m.pallet(pallet).storage)
    if (e.name == entry) return true;
  return false;
}

}  // namespace

Hash256 LocalSubtensorNode::block_hash(std::uint64_t number) {
  std::string text = "nineteen local chain block " + std::to_string(number);
  return blake2_256(Bytes(text.begin(), text.end()));
}

LocalSubtensorNode::LocalSubtensorNode(LocalChainState& state, std::uint16_t netuid)
    : state_(state), netuid_(netuid), metadata_(decode_metadata_hex(embedded_metadata_hex())) {
  // The bare blob inside Option<Vec<u8>>, as state_getMetadata answers it.
  Bytes wrapped = hex_decode(embedded_metadata_hex(), "embedded metadata");
  ScaleDecoder d(wrapped, "embedded metadata");
  if (d.u8() != 1) throw MetadataError("embedded metadata: expected Some(metadata)");
  std::size_t n = d.length();
  metadata_hex_ = hex_encode(d.cursor(), n);

  // The runtime's version is one of its own constants: read it rather than write it here.
  const PalletConstant& version = metadata_.constant("System", "Version");
  ScaleDecoder in(version.value, "System.Version");
  Value v = decode_value(metadata_.types, version.type, in);
  if (v.kind() != Value::Kind::list || v.items().size() < 7)
    throw MetadataError("embedded metadata: System.Version is not a RuntimeVersion");
  spec_name_ = v.items()[0].as_text();
  spec_version_ = static_cast<std::uint32_t>(v.items()[3].as_uint());
  transaction_version_ = static_cast<std::uint32_t>(v.items()[6].as_uint());

  // Which SubtensorModule error each local rule is, by the metadata's names (first one present wins).
  const std::vector<std::pair<WeightsRule, std::vector<const char*>>> names = {
      {WeightsRule::not_registered, {"HotKeyNotRegisteredInSubNet", "HotKeyNotRegisteredInNetwork"}},
      {WeightsRule::not_validator, {"NeuronNoValidatorPermit"}},
      {WeightsRule::no_stake, {"NotEnoughStakeToSetWeights"}},
      {WeightsRule::length_mismatch, {"WeightVecNotEqualSize"}},
      {WeightsRule::empty, {"WeightVecLengthIsLow"}},
      {WeightsRule::unknown_uid, {"UidVecContainInvalidOne", "InvalidUid"}},
      {WeightsRule::duplicate_uid, {"DuplicateUids"}},
      {WeightsRule::not_max_upscaled, {"MaxWeightExceeded"}},
      {WeightsRule::version_key, {"IncorrectWeightVersionKey"}},
      {WeightsRule::rate_limit, {"SettingWeightsTooFast"}},
  };
  const Pallet& module = metadata_.pallet(kModule);
  auto has_error = [&](const std::string& name) {
    if (!module.error_type) return false;
    for (const auto& var : metadata_.types.get(*module.error_type).def.variants)
      if (var.name == name) return true;
    return false;
  };
  for (const auto& [rule, candidates] : names) {
    for (const char* name : candidates) {
      if (has_error(name)) {
        weights_errors_[rule] = name;
        break;
      }
    }
    if (!weights_errors_.count(rule))
      throw MetadataError(std::string("embedded metadata: SubtensorModule has no error ") +
                          candidates.front());
  }
  for (const char* name : {"SubnetNotExists", "SubNetworkDoesNotExist", "SubnetDoesNotExist"}) {
    if (no_subnet_error_.empty() && has_error(name)) no_subnet_error_ = name;
  }
  if (no_subnet_error_.empty())
    throw MetadataError("embedded metadata: SubtensorModule has no error SubnetNotExists");
  for (const char* name : {"InvalidIpAddress", "InvalidIpType", "InvalidPort"})
    if (!has_error(name))
      throw MetadataError(std::string("embedded metadata: SubtensorModule has no error ") + name);
  head_ = state_.current_block();
}

// ---- blocks and events ----

std::optional<std::uint64_t> LocalSubtensorNode::block_of_hash(const std::string& hex) const {
  Bytes b;
  try {
    b = hex_decode(hex, "block hash");
  } catch (const std::invalid_argument&) {
    return std::nullopt;
  }
  if (b.size() != 32) return std::nullopt;
  Hash256 wanted{};
  std::copy(b.begin(), b.end(), wanted.begin());
  if (wanted == block_hash(0)) return 0;
  // Recent blocks first (clients ask about the last few); far older ones are not looked for.
  for (std::uint64_t n = head_ + 1; n-- > 0;) {
    if (block_hash(n) == wanted) return n;
    if (head_ - n > 100000) break;
  }
  return std::nullopt;
}

std::string LocalSubtensorNode::header_json(std::uint64_t number) const {
  const std::string zero = hex_encode(Hash256{});
  return R"({"parentHash":")" + (number == 0 ? zero : hex_encode(block_hash(number - 1))) +
         R"(","number":")" + hex_number(number) + R"(","stateRoot":")" + zero + R"(","extrinsicsRoot":")" +
         zero + R"(","digest":{"logs":[]}})";
}

Bytes LocalSubtensorNode::event_record(std::uint32_t index, const std::optional<std::string>& error) const {
  const TypeRegistry& t = metadata_.types;
  const StorageEntry& events = metadata_.storage("System", "Events");
  const TypeDef& record =
      t.get(t.get(events.value_type).def.element).def;  // EventRecord {phase, event, topics}
  if (record.fields.size() != 3)
    throw MetadataError("System.Events: EventRecord is not {phase, event, topics}");
  auto variant_of = [&](std::uint32_t type, const std::string& name) -> const TypeVariant& {
    for (const auto& v : t.get(type).def.variants)
      if (v.name == name) return v;
    throw MetadataError("metadata: " + t.describe(type) + " has no variant " + name);
  };
  const std::uint32_t system_event = variant_of(record.fields[1].type, "System").fields.at(0).type;
  const TypeVariant& ev = variant_of(system_event, error ? "ExtrinsicFailed" : "ExtrinsicSuccess");
  std::vector<Value> fields;
  for (const auto& f : ev.fields) {
    if (error && f.name == std::optional<std::string>("dispatch_error")) {
      // DispatchError::Module(ModuleError {index, error: [u8; 4]}), both from the metadata. An error is
      // SubtensorModule's by its name, another pallet's as "Pallet.Name".
      const auto dot = error->find('.');
      const Pallet& module = metadata_.pallet(dot == std::string::npos ? std::string(kModule) : error->substr(0, dot));
      std::uint8_t error_index =
          variant_of(*module.error_type, dot == std::string::npos ? *error : error->substr(dot + 1)).index;
      fields.push_back(Value::variant(
          "Module", {Value::list({Value::uint(module.index), Value::bytes(Bytes{error_index, 0, 0, 0})})}));
    } else {
      fields.push_back(zero_value(t, f.type));  // DispatchInfo: weight and class do not matter here
    }
  }
  Value rec = Value::list({Value::variant("ApplyExtrinsic", {Value::uint(index)}),
                           Value::variant("System", {Value::variant(ev.name, fields)}), Value::list({})});
  return encode_value(t, t.get(events.value_type).def.element, rec, "EventRecord");
}

void LocalSubtensorNode::on_block(std::uint64_t block) {
  std::lock_guard<std::mutex> lock(mutex_);
  Block applied;
  std::vector<Bytes> records;
  for (const Pending& p : pending_) {
    std::optional<std::string> error;
    try {
      error = apply_locked(p.extrinsic);
    } catch (const std::exception& e) {
      spdlog::error("chain: block {}: {}.{} could not be applied: {}", block, p.extrinsic.pallet,
                    p.extrinsic.call_name, e.what());
      error = weights_errors_.at(WeightsRule::not_registered);
    }
    ++nonces_[p.extrinsic.signer];  // a failed dispatch still uses its nonce, as on Substrate
    records.push_back(event_record(static_cast<std::uint32_t>(applied.extrinsics.size()), error));
    applied.extrinsics.push_back(p.hex);
  }
  pending_.clear();
  ScaleEncoder out;
  out.compact(records.size());
  for (const Bytes& r : records) out.raw(r);
  applied.events = out.take();
  if (!applied.extrinsics.empty()) blocks_[block] = std::move(applied);
  while (blocks_.size() > kBlocksKept) blocks_.erase(blocks_.begin());
  head_ = std::max(head_, block);
}

// ---- applying calls through LocalChainState's rules ----

std::optional<std::string> LocalSubtensorNode::apply_locked(const DecodedExtrinsic& x) {
  std::optional<std::string> error = x.call_name == "set_weights"      ? apply_set_weights(x)
                                     : x.call_name == "set_commitment" ? apply_set_commitment(x)
                                                                       : apply_serve_axon(x);
  const std::string who = keys::ss58_encode(x.signer);
  if (error) {
    spdlog::info("chain: {} by {} failed: {}{}", x.call_name, who,
                 error->find('.') == std::string::npos ? "SubtensorModule." : "", *error);
  } else {
    spdlog::debug("chain: {} by {} applied", x.call_name, who);
  }
  return error;
}

std::optional<std::string> LocalSubtensorNode::apply_set_weights(const DecodedExtrinsic& x) {
  if (uint_arg(x, "netuid") != netuid_) return no_subnet_error_;
  WeightsSubmission s;
  s.version_key = static_cast<std::uint64_t>(uint_arg(x, "version_key"));
  std::vector<std::uint16_t> dests = u16_list_arg(x, "dests"), weights = u16_list_arg(x, "weights");
  if (dests.size() != weights.size()) return weights_errors_.at(WeightsRule::length_mismatch);
  // Subtensor max-upscales what it is given (the largest weight becomes 65535) and keeps no zeros.
  std::uint16_t largest = 0;
  for (std::uint16_t w : weights) largest = std::max(largest, w);
  for (std::size_t i = 0; i < dests.size(); ++i) {
    if (weights[i] == 0) continue;
    s.uids.push_back(dests[i]);
    s.values.push_back(static_cast<std::uint16_t>(std::lround(weights[i] * 65535.0 / largest)));
  }
  auto outcome = state_.apply_weights(keys::ss58_encode(x.signer), s);
  if (outcome.result.accepted) return std::nullopt;
  if (outcome.refused_by) return weights_errors_.at(*outcome.refused_by);
  spdlog::warn("chain: set_weights refused: {}", outcome.result.reason);
  return weights_errors_.at(WeightsRule::not_registered);
}

std::optional<std::string> LocalSubtensorNode::apply_serve_axon(const DecodedExtrinsic& x) {
  if (uint_arg(x, "netuid") != netuid_) return no_subnet_error_;
  const std::string hotkey = keys::ss58_encode(x.signer);
  bool registered = false;
  for (const Neuron& n : state_.metagraph()) registered = registered || n.hotkey == hotkey;
  if (!registered) return weights_errors_.at(WeightsRule::not_registered);
  auto ip_type = static_cast<std::uint8_t>(uint_arg(x, "ip_type"));
  if (ip_type != 4 && ip_type != 6) return std::string("InvalidIpType");
  std::string ip = ip_to_text(uint_arg(x, "ip"), ip_type);
  // Subtensor refuses loopback and "not serving"; local setups post 0.0.0.1, which means this machine.
  if (ip.empty() || ip == "127.0.0.1" || ip == "::1" || ip == "0.0.0.0")
    return std::string("InvalidIpAddress");
  if (ip == "0.0.0.1") ip = "127.0.0.1";
  auto port = static_cast<std::uint16_t>(uint_arg(x, "port"));
  if (port == 0) return std::string("InvalidPort");
  WriteResult r = state_.serve(hotkey, ip, port);
  if (r.accepted) return std::nullopt;
  spdlog::warn("chain: serve_axon refused: {}", r.reason);
  return std::string("InvalidIpAddress");
}

std::optional<std::string> LocalSubtensorNode::apply_set_commitment(const DecodedExtrinsic& x) {
  if (uint_arg(x, "netuid") != netuid_) return no_subnet_error_;
  const Value* info = arg(x, "info");
  if (!info || info->kind() != Value::Kind::list) return std::string("Commitments.TooManyFieldsInCommitmentInfo");
  // CommitmentInfo { fields: BoundedVec<Data, MaxFields> }: the chain keeps raw fields (Data::RawN); their
  // bytes, in order, are the commitment.
  ScaleDecoder max_in(metadata_.constant("Commitments", "MaxFields").value, "Commitments.MaxFields");
  if (info->items().size() > max_in.u32()) return std::string("Commitments.TooManyFieldsInCommitmentInfo");
  std::string data;
  for (const Value& field : info->items()) {
    if (field.variant_name() == "None") continue;
    if (field.variant_name().rfind("Raw", 0) != 0 || field.items().size() != 1)
      return std::string("Commitments.TooManyFieldsInCommitmentInfo");  // hashes, timelocks: not kept here
    const Bytes& b = field.items()[0].as_bytes();
    data.append(b.begin(), b.end());
  }
  WriteResult r = state_.set_commitment(keys::ss58_encode(x.signer), data);
  if (r.accepted) return std::nullopt;
  spdlog::warn("chain: set_commitment refused: {}", r.reason);
  return std::string("Commitments.AccountNotAllowedCommit");
}

// ---- reads ----

std::vector<NeuronLite> LocalSubtensorNode::neurons() const {
  std::map<std::uint16_t, UidIncentive> epoch;
  for (const UidIncentive& u : state_.incentives().by_uid) epoch[u.uid] = u;
  auto u16 = [](double proportion) {
    return static_cast<std::uint16_t>(std::lround(std::clamp(proportion, 0.0, 1.0) * 65535));
  };
  std::vector<NeuronLite> out;
  for (const Neuron& n : state_.metagraph()) {
    NeuronLite x;
    auto hot = keys::ss58_decode(n.hotkey);
    auto cold = keys::ss58_decode(n.coldkey);
    if (!hot) continue;  // the state only holds decodable hotkeys; be safe
    x.hotkey = hot->public_key;
    x.coldkey = cold ? cold->public_key : hot->public_key;
    x.uid = n.uid;
    x.netuid = netuid_;
    x.active = true;
    if (!n.ip.empty() && n.port != 0) {
      // As Subtensor would hold it: loopback posted as 0.0.0.1 (SubtensorChain reads it back as 127.0.0.1).
      auto ip = parse_ip(n.ip == "127.0.0.1" || n.ip == "localhost" ? "0.0.0.1" : n.ip);
      if (ip) x.axon = AxonInfo{n.last_update, 1, ip->first, n.port, ip->second, 4, 0, 0};
    }
    if (n.stake > 0) x.stake = {{x.coldkey, static_cast<std::uint64_t>(std::llround(n.stake * 1e9))}};
    auto e = epoch.find(n.uid);
    if (e != epoch.end()) {
      x.incentive = u16(e->second.incentive);
      x.dividends = u16(e->second.dividends);
      x.consensus = u16(e->second.consensus);
      x.validator_trust = u16(e->second.validator_trust);
    }
    // LastUpdate is the block of the neuron's last weights, as on Subtensor (the rate limit counts from it).
    auto w = state_.weights_of(n.hotkey);
    x.last_update = w ? w->block : 0;
    x.validator_permit = n.role == NodeRole::validator;
    out.push_back(std::move(x));
  }
  return out;
}

std::optional<Bytes> LocalSubtensorNode::storage_locked(const Bytes& key, std::optional<std::uint64_t> at) {
  const Metadata& m = metadata_;
  auto value_of = [&](const std::string& pallet, const std::string& entry, const Value& v) {
    return encode_value(m.types, m.storage(pallet, entry).value_type, v, pallet + "." + entry);
  };
  if (key == m.storage_key("System", "Events")) {
    auto it = blocks_.find(at.value_or(head_));
    if (it != blocks_.end()) return it->second.events;
    return Bytes{0};  // no extrinsics in that block: an empty Vec
  }
  const Value netuid = Value::uint(netuid_);
  const ChainParams p = state_.params();
  const std::pair<const char*, Value> plain[] = {
      {"Tempo", Value::uint(std::min<std::uint64_t>(p.tempo, 65535))},
      {"WeightsSetRateLimit", Value::uint(p.rate_limit)},
      {"WeightsVersionKey", Value::uint(p.version_key)},
      {"CommitRevealWeightsEnabled", Value::boolean(false)},
      {"LastEpochBlock", Value::uint(state_.incentives().epoch_block)},
      {"LastMechansimStepBlock", Value::uint(state_.incentives().epoch_block)},
  };
  for (const auto& [entry, v] : plain) {
    if (has_storage(m, kModule, entry) && key == m.storage_key(kModule, entry, {netuid}))
      return value_of(kModule, entry, v);
  }
  if (has_storage(m, kModule, "LastUpdate") && key == m.storage_key(kModule, "LastUpdate", {netuid})) {
    std::vector<std::uint64_t> last;
    for (const auto& n : neurons()) last.push_back(n.last_update);
    return value_of(kModule, "LastUpdate", Value::uint_list(last));
  }
  for (const Commitment& c : state_.commitments()) {
    auto hot = keys::ss58_decode(c.hotkey);
    if (!hot || key != m.storage_key("Commitments", "CommitmentOf", {netuid, Value::bytes(hot->public_key)}))
      continue;
    // Registration { deposit, block, info: CommitmentInfo { fields } }, in raw fields of at most 128 bytes.
    return value_of("Commitments", "CommitmentOf",
                    Value::list({Value::uint(0), Value::uint(c.block), commitment_info(c.data)}));
  }
  for (const Neuron& n : state_.metagraph()) {
    if (key != m.storage_key(kModule, "Weights", {netuid, Value::uint(n.uid)})) continue;
    auto w = state_.weights_of(n.hotkey);
    if (!w) return std::nullopt;
    std::vector<Value> pairs;
    for (std::size_t i = 0; i < w->uids.size(); ++i)
      pairs.push_back(Value::list({Value::uint(w->uids[i]), Value::uint(w->values[i])}));
    return value_of(kModule, "Weights", Value::list(std::move(pairs)));
  }
  return std::nullopt;
}

// ---- writes ----

std::string LocalSubtensorNode::submit_locked(const std::string& hex) {
  Bytes bytes;
  DecodedExtrinsic x;
  try {
    bytes = hex_decode(hex, "extrinsic");
    x = decode_signed_extrinsic(metadata_, bytes);
  } catch (const std::exception& e) {
    throw RpcServerError(1001, "Extrinsic has invalid format", e.what());
  }
  for (const Pending& p : pending_)
    if (p.hex == hex) throw RpcServerError(1013, "Transaction Already Imported");
  if (x.signature_kind != "Sr25519")
    invalid_transaction("Transaction has a bad signature (this chain takes sr25519 signatures only)");
  TxParams node_side;
  node_side.spec_version = spec_version_;
  node_side.transaction_version = transaction_version_;
  node_side.genesis_hash = block_hash(0);
  node_side.era_block_hash = block_hash(x.era.birth(head_));
  Bytes payload = signing_payload_of(metadata_, x, node_side);
  if (!keys::sr25519_verify(x.signer, payload.data(), payload.size(), x.signature))
    invalid_transaction("Transaction has a bad signature");
  std::uint64_t expected = nonces_[x.signer];
  for (const Pending& p : pending_) expected += p.extrinsic.signer == x.signer ? 1 : 0;
  if (x.nonce < expected) invalid_transaction("Transaction is outdated");
  if (x.nonce > expected)
    invalid_transaction("Transaction will be valid in the future (nonce " + std::to_string(x.nonce) +
                        ", next " + std::to_string(expected) +
                        "; this dev chain does not hold future transactions)");
  const bool applies = (x.pallet == kModule && (x.call_name == "set_weights" || x.call_name == "serve_axon")) ||
                       (x.pallet == "Commitments" && x.call_name == "set_commitment");
  if (!applies)
    invalid_transaction(
        "Transaction call is not expected (the local chain applies SubtensorModule.set_weights, serve_axon "
        "and Commitments.set_commitment; register with `nineteen chain register`)");
  pending_.push_back({hex, std::move(x)});
  return hex_encode(blake2_256(bytes));
}

std::string LocalSubtensorNode::handle(const std::string& method, const rapidjson::Value& params) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (method == "state_getMetadata") return quoted(metadata_hex_);
  if (method == "state_getRuntimeVersion") {
    return R"({"specName":")" + spec_name_ + R"(","implName":")" + spec_name_ +
           R"(","authoringVersion":1,"specVersion":)" + std::to_string(spec_version_) +
           R"(,"implVersion":1,"apis":[],"transactionVersion":)" + std::to_string(transaction_version_) +
           R"(,"stateVersion":1})";
  }
  if (method == "chain_getHeader") {
    if (!param_present(params, 0)) return header_json(head_);
    auto n = block_of_hash(param_string(params, 0));
    return n ? header_json(*n) : "null";
  }
  if (method == "chain_getBlockHash") {
    std::uint64_t n = head_;
    if (param_present(params, 0)) {
      if (!params[0].IsUint64()) throw RpcServerError(-32602, "Invalid params: expected a block number");
      n = params[0].GetUint64();
    }
    return n > head_ ? "null" : quoted(hex_encode(block_hash(n)));
  }
  if (method == "chain_getBlock") {
    std::optional<std::uint64_t> n =
        param_present(params, 0) ? block_of_hash(param_string(params, 0)) : head_;
    if (!n) return "null";
    std::string xs;
    auto it = blocks_.find(*n);
    if (it != blocks_.end())
      for (const auto& x : it->second.extrinsics) xs += (xs.empty() ? "" : ",") + quoted(x);
    return R"({"block":{"header":)" + header_json(*n) + R"(,"extrinsics":[)" + xs +
           R"(]},"justifications":null})";
  }
  if (method == "system_accountNextIndex") {
    std::string error;
    auto account = keys::ss58_decode(param_string(params, 0), &error);
    if (!account) throw RpcServerError(-32602, "Invalid params: " + error);
    std::uint64_t next = nonces_[account->public_key];
    for (const Pending& p : pending_) next += p.extrinsic.signer == account->public_key ? 1 : 0;
    return std::to_string(next);
  }
  if (method == "state_getStorage") {
    Bytes key = hex_param(params, 0, "storage key");
    std::optional<std::uint64_t> at;
    if (param_present(params, 1)) {
      at = block_of_hash(param_string(params, 1));
      if (!at) throw RpcServerError(4003, "Client error: UnknownBlock: no block " + param_string(params, 1));
    }
    auto value = storage_locked(key, at);
    return value ? quoted(hex_encode(*value)) : "null";
  }
  if (method == "state_call") {
    const std::string api = param_string(params, 0);
    if (api != "NeuronInfoRuntimeApi_get_neurons_lite")
      throw RpcServerError(4003, "Client error: Execution failed: Exported method " + api +
                                     " is not served by the local chain (it serves "
                                     "NeuronInfoRuntimeApi_get_neurons_lite)");
    Bytes arg = hex_param(params, 1, "state_call argument");
    if (arg.size() != 2) throw RpcServerError(4003, "Client error: get_neurons_lite takes a netuid (u16)");
    std::uint16_t netuid = static_cast<std::uint16_t>(arg[0] | (arg[1] << 8));
    return quoted(hex_encode(encode_neurons_lite(netuid == netuid_ ? neurons() : std::vector<NeuronLite>{})));
  }
  if (method == "author_submitExtrinsic") return quoted(submit_locked(param_string(params, 0)));
  if (method == "system_chain") return quoted("nineteen local chain");
  if (method == "system_name") return quoted("nineteen");
  if (method == "system_health") return R"({"peers":0,"isSyncing":false,"shouldHavePeers":false})";
  if (method == "rpc_methods") {
    return R"({"methods":["author_submitExtrinsic","chain_getBlock","chain_getBlockHash","chain_getHeader",)"
           R"("rpc_methods","state_call","state_getMetadata","state_getRuntimeVersion","state_getStorage",)"
           R"("system_accountNextIndex","system_chain","system_health","system_name"]})";
  }
  throw RpcServerError(-32601, "Method not found: " + method +
                                   " (the local chain serves Substrate's subset "
                                   "that SubtensorChain uses; see rpc_methods)");
}

}  // namespace nineteen::chain::subtensor
