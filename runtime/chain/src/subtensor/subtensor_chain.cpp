// SubtensorChain: reads via state_call/state_getStorage, writes as signed extrinsics whose layout comes
// from the node's own metadata; refusals (client-side checks, pool errors, DispatchErrors) name the fix.
#include "nineteen/chain/subtensor/subtensor_chain.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <thread>

#include "nineteen/keys/ss58.hpp"

namespace nineteen::chain::subtensor {

struct SubtensorChain::Runtime {
  std::shared_ptr<const Metadata> shared;
  const Metadata& metadata;
  Runtime(std::shared_ptr<const Metadata> m) : shared(std::move(m)), metadata(*shared) {}
  std::uint32_t spec_version = 0;
  std::uint32_t transaction_version = 0;
  Hash256 genesis{};
};

namespace {

constexpr const char* kModule = "SubtensorModule";

std::uint64_t parse_hex_number(const std::string& text, const std::string& what) {
  std::string body = text.rfind("0x", 0) == 0 ? text.substr(2) : text;
  if (body.empty() || body.size() > 16)
    throw ChainError(what + ": expected a hex number, got \"" + text + "\"");
  std::uint64_t v = 0;
  for (char c : body) {
    int d = (c >= '0' && c <= '9')   ? c - '0'
            : (c >= 'a' && c <= 'f') ? c - 'a' + 10
            : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                     : -1;
    if (d < 0) throw ChainError(what + ": expected a hex number, got \"" + text + "\"");
    v = (v << 4) | static_cast<std::uint64_t>(d);
  }
  return v;
}

template <std::size_t N>
std::array<std::uint8_t, N> fixed_bytes(const std::string& hex, const std::string& what) {
  Bytes b;
  try {
    b = hex_decode(hex, what);
  } catch (const std::invalid_argument& e) {
    throw ChainError(e.what());
  }
  if (b.size() != N)
    throw ChainError(what + ": expected " + std::to_string(N) + " bytes, got " + std::to_string(b.size()));
  std::array<std::uint8_t, N> out{};
  std::copy(b.begin(), b.end(), out.begin());
  return out;
}

std::string json_string_array(std::initializer_list<std::string> items) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  w.StartArray();
  for (const auto& s : items) w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
  w.EndArray();
  return sb.GetString();
}

std::string blocks_in_time(std::uint64_t blocks, double block_time_s) {
  return std::to_string(blocks) + " more blocks (about " +
         std::to_string(static_cast<long long>(std::ceil(static_cast<double>(blocks) * block_time_s))) +
         " s)";
}

// What to do about a transaction-pool refusal (author_submitExtrinsic's error), from its text.
std::string pool_refusal_fix(const std::string& text) {
  auto has = [&](const char* s) { return text.find(s) != std::string::npos; };
  if (has("Custom error")) {
    return "Subtensor's own transaction check refused it (rate limit, registration, stake or version key; "
           "see "
           "the subnet's hyperparameters)";
  }
  if (has("outdated") || has("Stale") || has("Priority is too low")) {
    return "another transaction of this hotkey took the nonce: retry";
  }
  if (has("Inability to pay") || has("Payment")) {
    return "the hotkey cannot pay the fee: fund it, or check that this call is free for registered hotkeys";
  }
  if (has("bad signature") || has("BadProof")) {
    return "the signature does not verify: the hotkey file and its public key disagree, or the runtime "
           "changed";
  }
  return "";
}

}  // namespace

std::string subtensor_error_fix(const std::string& name) {
  static const std::map<std::string, std::string> fixes = {
      {"SettingWeightsTooFast",
       "the subnet's WeightsSetRateLimit has not passed since this hotkey's last weights: "
       "wait, then set them again"},
      {"IncorrectWeightVersionKey",
       "version_key is below the subnet's WeightsVersionKey: update the validator or "
       "its version_key setting"},
      {"NeuronNoValidatorPermit",
       "this hotkey has no validator permit on the subnet: permits go to the top "
       "MaxAllowedValidators by stake; add stake (btcli stake add) and wait for an epoch"},
      {"NotEnoughStakeToSetWeights",
       "the hotkey's stake is below the subnet's StakeThreshold: add stake with "
       "btcli stake add"},
      {"HotKeyNotRegisteredInSubNet", "register the hotkey on this subnet first: btcli subnet register"},
      {"HotKeyNotRegisteredInNetwork", "register the hotkey on this subnet first: btcli subnet register"},
      {"HotKeyAccountNotExists", "register the hotkey on this subnet first: btcli subnet register"},
      {"WeightVecLengthIsLow", "weight at least MinAllowedWeights uids (or all of them on a small subnet)"},
      {"DuplicateUids", "each uid may appear once in a weights vector"},
      {"UidVecContainInvalidOne", "a uid is not registered on the subnet: refresh the metagraph and drop it"},
      {"UidsLengthExceedUidsInSubNet", "more uids than the subnet has: refresh the metagraph"},
      {"WeightVecNotEqualSize", "uids and weights must have the same length"},
      {"MaxWeightExceeded",
       "one weight exceeds the subnet's MaxWeightsLimit: spread the weights more evenly"},
      {"CommitRevealEnabled", "this subnet uses commit-reveal weights, which this client does not send yet"},
      {"ServingRateLimitExceeded",
       "serve_axon is limited to once per ServingRateLimit blocks: wait, and skip it "
       "when nothing changed"},
      {"InvalidIpAddress", "post a public address (local setups post 0.0.0.1; the chain refuses 127.0.0.1)"},
      {"InvalidIpType", "the ip type must be 4 or 6"},
      {"InvalidPort", "the port must be 1..65535"},
      {"SubNetworkDoesNotExist", "no subnet with this netuid: check the netuid setting"},
      {"SubnetNotExists", "no subnet with this netuid: check the netuid setting"},
  };
  auto it = fixes.find(name);
  return it == fixes.end() ? "" : it->second;
}

std::string describe_dispatch_error(const Metadata& metadata, const Value& e) {
  if (e.kind() != Value::Kind::variant) return "unreadable DispatchError";
  const std::string& kind = e.variant_name();
  if (kind == "Module" && e.items().size() == 1) {
    const Value& m = e.items()[0];
    if (m.kind() == Value::Kind::list && m.items().size() == 2) {
      auto index = static_cast<std::uint8_t>(m.items()[0].as_uint());
      std::array<std::uint8_t, 4> error{};
      const Value& err = m.items()[1];
      if (err.kind() == Value::Kind::bytes && !err.as_bytes().empty()) {
        std::copy_n(err.as_bytes().begin(), std::min<std::size_t>(4, err.as_bytes().size()), error.begin());
      } else {
        error[0] = static_cast<std::uint8_t>(err.as_uint());
      }
      auto info = metadata.module_error(index, error);
      if (!info)
        return "module error " + std::to_string(index) + "/" + std::to_string(error[0]) +
               " (not in the metadata)";
      std::string text = info->pallet + "." + info->name;
      std::string fix = info->pallet == kModule ? subtensor_error_fix(info->name) : "";
      if (!fix.empty()) return text + ": " + fix;
      return info->docs.empty() ? text : text + " (" + info->docs + ")";
    }
  }
  std::string text = kind;
  if (e.items().size() == 1 && e.items()[0].kind() == Value::Kind::variant)
    text += "." + e.items()[0].variant_name();
  if (kind == "BadOrigin") text += ": the extrinsic was signed by a key this call does not accept";
  return text;
}

HotkeySigner hotkey_signer(const keys::Hotkey& hotkey) {
  if (hotkey.scheme() != keys::KeyScheme::sr25519) {
    throw ChainError("hotkey " + hotkey.ss58_address() +
                     " is ed25519; Subtensor needs an sr25519 hotkey: import the btcli hotkey "
                     "(nineteen keys import) or generate a new one");
  }
  auto key = std::make_shared<const keys::Hotkey>(hotkey);
  return HotkeySigner{key->public_key(),
                      [key](const Bytes& payload) { return key->sign(payload.data(), payload.size()); }};
}

SubtensorChain::SubtensorChain(SubtensorSettings settings, std::optional<HotkeySigner> signer)
    : settings_(std::move(settings)), signer_(std::move(signer)), rpc_(settings_.endpoint, settings_.rpc) {
  if (signer_) signer_ss58_ = keys::ss58_encode(signer_->public_key);
}

SubtensorChain::~SubtensorChain() = default;

WriteResult SubtensorChain::refuse(const std::string& reason) {
  WriteResult r;
  r.accepted = false;
  r.reason = reason;
  return r;
}

// The signer's own neuron on the subnet; nullopt when its hotkey is not registered there.
std::optional<NeuronLite> SubtensorChain::own_neuron_locked() {
  for (NeuronLite& n : neurons_locked()) {
    if (n.hotkey == signer_->public_key) return std::move(n);
  }
  return std::nullopt;
}

WriteResult SubtensorChain::not_registered() {
  return refuse("hotkey " + signer_ss58_ + " is not registered on subnet " + std::to_string(settings_.netuid) +
                ": run `btcli subnet register --netuid " + std::to_string(settings_.netuid) + "` first");
}

std::optional<std::string> SubtensorChain::signer_mismatch(const std::string& hotkey) const {
  if (!signer_)
    return "this Subtensor client has no hotkey to sign with (read-only): give the node its hotkey";
  if (hotkey != signer_ss58_) {
    return "this client signs as " + signer_ss58_ + " only, not " + hotkey + ": a hotkey acts for itself";
  }
  return std::nullopt;
}

const SubtensorChain::Runtime& SubtensorChain::runtime_locked() {
  rapidjson::Document v = rpc_.call("state_getRuntimeVersion");
  if (!v.IsObject() || !v.HasMember("specVersion") || !v["specVersion"].IsUint() ||
      !v.HasMember("transactionVersion") || !v["transactionVersion"].IsUint()) {
    throw ChainError(settings_.endpoint +
                     " state_getRuntimeVersion: expected {specVersion, transactionVersion}");
  }
  std::uint32_t spec = v["specVersion"].GetUint();
  if (runtime_ && runtime_->spec_version == spec) return *runtime_;
  std::shared_ptr<const Metadata> metadata;
  try {
    metadata = std::make_shared<const Metadata>(decode_metadata_hex(rpc_.call_string("state_getMetadata")));
  } catch (const MetadataError& e) {
    throw ChainError(settings_.endpoint + " state_getMetadata: " + e.what());
  }
  auto r = std::make_unique<Runtime>(std::move(metadata));
  r->spec_version = spec;
  r->transaction_version = v["transactionVersion"].GetUint();
  r->genesis =
      fixed_bytes<32>(rpc_.call_string("chain_getBlockHash", "[0]"), settings_.endpoint + " genesis hash");
  runtime_ = std::move(r);
  return *runtime_;
}

std::shared_ptr<const Metadata> SubtensorChain::metadata() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (runtime_) return runtime_->shared;
  return runtime_locked().shared;
}

std::uint64_t SubtensorChain::fetch_block_number() {
  rapidjson::Document h = rpc_.call("chain_getHeader");
  if (!h.IsObject() || !h.HasMember("number") || !h["number"].IsString()) {
    throw ChainError(settings_.endpoint + " chain_getHeader: expected a header with a hex \"number\"");
  }
  return parse_hex_number(h["number"].GetString(), settings_.endpoint + " chain_getHeader number");
}

Hash256 SubtensorChain::fetch_block_hash(std::uint64_t number) {
  std::string hex = rpc_.call_string("chain_getBlockHash", "[" + std::to_string(number) + "]", true);
  if (hex.empty())
    throw ChainError(settings_.endpoint + " chain_getBlockHash: no block " + std::to_string(number));
  return fixed_bytes<32>(hex, settings_.endpoint + " block hash");
}

std::uint64_t SubtensorChain::current_block() {
  std::lock_guard<std::mutex> lock(mutex_);
  return fetch_block_number();
}

u128 SubtensorChain::storage_uint_locked(const std::string& pallet, const std::string& entry,
                                         const std::vector<Value>& keys) {
  const Metadata& m = runtime_ ? runtime_->metadata : runtime_locked().metadata;
  const StorageEntry& e = m.storage(pallet, entry);
  Bytes key = m.storage_key(pallet, entry, keys);
  std::string hex = rpc_.call_string("state_getStorage", json_string_array({hex_encode(key)}), true);
  Bytes value;
  if (hex.empty()) {
    if (e.optional) return 0;
    value = e.default_value;
  } else {
    try {
      value = hex_decode(hex, pallet + "." + entry);
    } catch (const std::invalid_argument& err) {
      throw ChainError(settings_.endpoint + " state_getStorage: " + err.what());
    }
  }
  try {
    ScaleDecoder in(value, pallet + "." + entry);
    Value v = decode_value(m.types, e.value_type, in);
    if (v.kind() != Value::Kind::uint && v.kind() != Value::Kind::boolean) {
      throw ChainError(pallet + "." + entry + " is a " + m.types.describe(e.value_type) + ", not a number");
    }
    return v.as_uint();
  } catch (const ScaleError& err) {
    throw ChainError(settings_.endpoint + " state_getStorage: " + err.what());
  }
}

std::vector<NeuronLite> SubtensorChain::neurons_locked() {
  ScaleEncoder arg;
  arg.u16(settings_.netuid);
  std::string hex = rpc_.call_string(
      "state_call", json_string_array({"NeuronInfoRuntimeApi_get_neurons_lite", hex_encode(arg.data())}));
  try {
    return decode_neurons_lite(hex_decode(hex, "neurons"));
  } catch (const std::exception& e) {
    throw ChainError(settings_.endpoint + " NeuronInfoRuntimeApi_get_neurons_lite(" +
                     std::to_string(settings_.netuid) + "): " + e.what() +
                     " (the runtime's NeuronInfoLite layout differs from this client's)");
  }
}

std::vector<NeuronLite> SubtensorChain::neurons_lite() {
  std::lock_guard<std::mutex> lock(mutex_);
  return neurons_locked();
}

std::vector<Neuron> SubtensorChain::metagraph() {
  std::vector<NeuronLite> lite = neurons_lite();
  std::vector<Neuron> out;
  out.reserve(lite.size());
  for (const auto& n : lite) {
    Neuron x;
    x.uid = n.uid;
    x.hotkey = keys::ss58_encode(n.hotkey);
    x.coldkey = keys::ss58_encode(n.coldkey);
    for (const auto& s : n.stake) x.stake += static_cast<double>(s.second) / 1e9;
    x.role = n.validator_permit ? NodeRole::validator : NodeRole::miner;
    x.ip = ip_to_text(n.axon.ip, n.axon.ip_type);
    if (x.ip == "0.0.0.1") x.ip = "127.0.0.1";  // local setups post 0.0.0.1 (the chain refuses loopback)
    x.port = x.ip.empty() ? 0 : n.axon.port;
    x.last_update = n.last_update;
    out.push_back(std::move(x));
  }
  std::sort(out.begin(), out.end(), [](const Neuron& a, const Neuron& b) { return a.uid < b.uid; });
  return out;
}

ChainParams SubtensorChain::params() {
  std::lock_guard<std::mutex> lock(mutex_);
  ChainParams p;
  Value netuid = Value::uint(settings_.netuid);
  p.version_key = static_cast<std::uint64_t>(storage_uint_locked(kModule, "WeightsVersionKey", {netuid}));
  p.rate_limit = static_cast<std::uint64_t>(storage_uint_locked(kModule, "WeightsSetRateLimit", {netuid}));
  p.tempo = static_cast<std::uint64_t>(storage_uint_locked(kModule, "Tempo", {netuid}));
  p.block_time_s = settings_.block_time_s;
  return p;
}

bool SubtensorChain::commit_reveal_enabled() {
  std::lock_guard<std::mutex> lock(mutex_);
  return storage_uint_locked(kModule, "CommitRevealWeightsEnabled", {Value::uint(settings_.netuid)}) != 0;
}

WriteResult SubtensorChain::register_node(const Registration& registration) {
  return refuse(
      "registration on Subtensor is a coldkey operation (burned_register pays the burn from the coldkey): "
      "run `btcli subnet register --netuid " +
      std::to_string(settings_.netuid) + " --wallet.name <wallet> --wallet.hotkey <hotkey>` for " +
      registration.hotkey + ", then start the node");
}

WriteResult SubtensorChain::set_weights(const std::string& hotkey, const std::vector<std::uint16_t>& uids,
                                        const std::vector<std::uint16_t>& values, std::uint64_t version_key) {
  if (auto why = signer_mismatch(hotkey)) return refuse(*why);
  if (uids.size() != values.size()) {
    return refuse("uids and values differ in length (" + std::to_string(uids.size()) + " vs " +
                  std::to_string(values.size()) + ")");
  }
  // Max-normalised u16, zeros dropped (what the chain's own normalisation expects).
  std::vector<std::pair<std::uint16_t, std::uint16_t>> pairs;
  std::uint16_t max = 0;
  for (std::size_t i = 0; i < uids.size(); ++i) {
    if (values[i] == 0) continue;
    pairs.emplace_back(uids[i], values[i]);
    max = std::max(max, values[i]);
  }
  if (pairs.empty()) return refuse("every weight is zero: nothing to set");
  std::sort(pairs.begin(), pairs.end());
  for (std::size_t i = 1; i < pairs.size(); ++i) {
    if (pairs[i].first == pairs[i - 1].first)
      return refuse("uid " + std::to_string(pairs[i].first) + " appears twice");
  }
  std::vector<std::uint16_t> dests, weights;
  for (const auto& [uid, v] : pairs) {
    dests.push_back(uid);
    weights.push_back(static_cast<std::uint16_t>(std::lround(static_cast<double>(v) * 65535.0 / max)));
  }

  std::unique_lock<std::mutex> lock(mutex_);
  runtime_locked();
  Value netuid = Value::uint(settings_.netuid);
  if (runtime_->metadata.pallet(kModule).storage_prefix.empty())
    throw ChainError("metadata: SubtensorModule has no storage");
  bool has_cr = false;
  for (const auto& e : runtime_->metadata.pallet(kModule).storage)
    has_cr = has_cr || e.name == "CommitRevealWeightsEnabled";
  if (has_cr && storage_uint_locked(kModule, "CommitRevealWeightsEnabled", {netuid}) != 0) {
    return refuse(
        "subnet " + std::to_string(settings_.netuid) +
        " has commit-reveal on (CommitRevealWeightsEnabled), so plain set_weights is refused by the chain; "
        "this client does not send drand-timelocked commits (commit_timelocked_weights) yet: ask the subnet "
        "owner to turn it off (btcli sudo set --param commit_reveal_weights_enabled --value false) or run "
        "a validator that commits");
  }
  auto chain_key = static_cast<std::uint64_t>(storage_uint_locked(kModule, "WeightsVersionKey", {netuid}));
  if (version_key < chain_key) {
    return refuse("version_key " + std::to_string(version_key) + " is below the subnet's WeightsVersionKey " +
                  std::to_string(chain_key) + ": update the validator or set its version_key to at least " +
                  std::to_string(chain_key));
  }
  std::optional<NeuronLite> self = own_neuron_locked();
  if (!self) return not_registered();
  auto rate_limit = static_cast<std::uint64_t>(storage_uint_locked(kModule, "WeightsSetRateLimit", {netuid}));
  std::uint64_t block = fetch_block_number();
  if (self->last_update != 0 && block < self->last_update + rate_limit) {
    WriteResult r =
        refuse("rate limit: weights last set at block " + std::to_string(self->last_update) +
               ", the subnet allows one setting per " + std::to_string(rate_limit) + " blocks: wait " +
               blocks_in_time(self->last_update + rate_limit - block, settings_.block_time_s));
    r.block = block;
    return r;
  }
  Bytes call = encode_call(runtime_->metadata, kModule, "set_weights",
                           {{"netuid", netuid},
                            {"dests", Value::uint_list(dests)},
                            {"weights", Value::uint_list(weights)},
                            {"version_key", Value::uint(version_key)}});
  Submitted submitted = submit_locked("set_weights", call);
  lock.unlock();  // reads from other threads go on while this waits for the block
  return await_inclusion("set_weights", submitted);
}

WriteResult SubtensorChain::serve(const std::string& hotkey, const std::string& ip_text, std::uint16_t port) {
  if (auto why = signer_mismatch(hotkey)) return refuse(*why);
  if (port == 0) return refuse("port 0: the chain refuses it; give the port the node listens on");
  std::string posted = ip_text;
  if (ip_text == "127.0.0.1" || ip_text == "localhost" || ip_text == "::1") posted = "0.0.0.1";
  if (posted == "0.0.0.0")
    return refuse("0.0.0.0 means \"not serving\" on Subtensor: give the public address");
  auto ip = parse_ip(posted);
  if (!ip)
    return refuse("\"" + ip_text + "\" is not an IPv4 or IPv6 address (Subtensor stores numbers, not names)");

  std::unique_lock<std::mutex> lock(mutex_);
  runtime_locked();
  std::optional<NeuronLite> self = own_neuron_locked();
  if (!self) return not_registered();
  if (self->axon.ip == ip->first && self->axon.port == port && self->axon.ip_type == ip->second) {
    WriteResult r;  // nothing changed: serve_axon is rate limited, so do not spend it
    r.accepted = true;
    r.block = self->axon.block;
    r.uid = self->uid;
    return r;
  }
  Bytes call = encode_call(runtime_->metadata, kModule, "serve_axon",
                           {{"netuid", Value::uint(settings_.netuid)},
                            {"version", Value::uint(settings_.axon_version)},
                            {"ip", Value::uint(ip->first)},
                            {"port", Value::uint(port)},
                            {"ip_type", Value::uint(ip->second)},
                            {"protocol", Value::uint(settings_.axon_protocol)},
                            {"placeholder1", Value::uint(0)},
                            {"placeholder2", Value::uint(0)}});
  const std::uint16_t uid = self->uid;
  Submitted submitted = submit_locked("serve_axon", call);
  lock.unlock();
  WriteResult r = await_inclusion("serve_axon", submitted);
  if (r.accepted) r.uid = uid;
  return r;
}

SubtensorChain::Submitted SubtensorChain::submit_locked(const std::string& what, const Bytes& call) {
  const Runtime& rt = runtime_locked();
  rapidjson::Document nonce_doc = rpc_.call("system_accountNextIndex", json_string_array({signer_ss58_}));
  if (!nonce_doc.IsUint64())
    throw ChainError(settings_.endpoint + " system_accountNextIndex: expected a number");
  std::uint64_t block = fetch_block_number();
  TxParams tx;
  tx.spec_version = rt.spec_version;
  tx.transaction_version = rt.transaction_version;
  tx.genesis_hash = rt.genesis;
  tx.era = Era::mortal(settings_.era_period, block);
  tx.era_block_hash = fetch_block_hash(tx.era.birth(block));
  tx.nonce = nonce_doc.GetUint64();
  Bytes extrinsic = build_signed_extrinsic(rt.metadata, call, tx, signer_->public_key, signer_->sign);
  const std::string hex = hex_encode(extrinsic);
  try {
    rpc_.call_string("author_submitExtrinsic", json_string_array({hex}));
  } catch (const RpcNodeError& e) {
    std::string text = e.node_message() + (e.data().empty() ? "" : ": " + e.data());
    // A resend after a dropped socket finds the first copy in the pool: that is our extrinsic, go on.
    if (text.find("Already Imported") == std::string::npos) {
      std::string fix = pool_refusal_fix(text);
      Submitted refused;
      refused.result = refuse(what + " refused by the node: " + text + (fix.empty() ? "" : " (" + fix + ")"));
      refused.result.block = block;
      return refused;
    }
  }
  Submitted s;
  s.result.accepted = true;
  s.result.block = block;
  s.hex = hex;
  s.metadata = rt.shared;
  return s;
}

WriteResult SubtensorChain::await_inclusion(const std::string& what, const Submitted& s) {
  WriteResult accepted = s.result;
  if (!accepted.accepted || settings_.inclusion_blocks <= 0) return accepted;
  // Look for the extrinsic in the next blocks and read its outcome from System.Events.
  const Metadata& m = *s.metadata;
  const std::string& hex = s.hex;
  const std::uint64_t block = s.result.block;
  std::uint64_t next = block + 1;
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(static_cast<long long>(
                      (settings_.inclusion_blocks * settings_.block_time_s * 1.5 + 2) * 1000));
  while (next <= block + static_cast<std::uint64_t>(settings_.inclusion_blocks) &&
         std::chrono::steady_clock::now() < deadline) {
    std::uint64_t head = fetch_block_number();
    if (head < next) {
      std::this_thread::sleep_for(
          std::chrono::milliseconds(static_cast<long long>(settings_.inclusion_poll_s * 1000)));
      continue;
    }
    for (; next <= head; ++next) {
      Hash256 hash = fetch_block_hash(next);
      rapidjson::Document b = rpc_.call("chain_getBlock", json_string_array({hex_encode(hash)}));
      if (!b.IsObject() || !b.HasMember("block") || !b["block"].IsObject() ||
          !b["block"].HasMember("extrinsics") || !b["block"]["extrinsics"].IsArray())
        throw ChainError(settings_.endpoint + " chain_getBlock: expected {block: {extrinsics: [...]}}");
      const auto& xs = b["block"]["extrinsics"];
      std::optional<std::uint32_t> index;
      for (rapidjson::SizeType i = 0; i < xs.Size(); ++i)
        if (xs[i].IsString() && hex == xs[i].GetString()) index = i;
      if (!index) continue;
      accepted.block = next;
      std::string events_hex = rpc_.call_string(
          "state_getStorage",
          json_string_array({hex_encode(m.storage_key("System", "Events")), hex_encode(hash)}), true);
      if (events_hex.empty()) return accepted;
      try {
        Bytes events = hex_decode(events_hex, "System.Events");
        ScaleDecoder in(events, "System.Events");
        Value records = decode_value(m.types, m.storage("System", "Events").value_type, in);
        for (const auto& rec : records.items()) {
          if (rec.items().size() < 2) continue;
          const Value& phase = rec.items()[0];
          if (phase.variant_name() != "ApplyExtrinsic" || phase.items().empty() ||
              phase.items()[0].as_uint() != *index)
            continue;
          const Value& ev = rec.items()[1];
          if (ev.variant_name() != "System" || ev.items().empty()) continue;
          const Value& sys = ev.items()[0];
          if (sys.variant_name() == "ExtrinsicFailed" && !sys.items().empty()) {
            WriteResult r = refuse(what + " failed in block " + std::to_string(next) + ": " +
                                   describe_dispatch_error(m, sys.items()[0]));
            r.block = next;
            return r;
          }
        }
      } catch (const std::exception&) {
        // Events this client cannot decode: the extrinsic is in a block; report it as accepted.
      }
      return accepted;
    }
  }
  return accepted;  // in the pool, not yet seen in a block
}

std::optional<ValidatorWeights> SubtensorChain::weights_of(const std::string& hotkey) {
  auto key = keys::ss58_decode(hotkey);
  if (!key) return std::nullopt;
  std::lock_guard<std::mutex> lock(mutex_);
  const Metadata& m = runtime_locked().metadata;
  std::vector<NeuronLite> neurons = neurons_locked();
  const NeuronLite* self = nullptr;
  for (const auto& n : neurons)
    if (n.hotkey == key->public_key) self = &n;
  if (!self) return std::nullopt;
  const StorageEntry& e = m.storage(kModule, "Weights");
  Bytes skey = m.storage_key(kModule, "Weights", {Value::uint(settings_.netuid), Value::uint(self->uid)});
  std::string hex = rpc_.call_string("state_getStorage", json_string_array({hex_encode(skey)}), true);
  if (hex.empty()) return std::nullopt;
  ValidatorWeights w;
  w.hotkey = hotkey;
  w.uid = self->uid;
  w.block = self->last_update;
  try {
    Bytes value = hex_decode(hex, "Weights");
    ScaleDecoder in(value, "SubtensorModule.Weights");
    Value v = decode_value(m.types, e.value_type, in);
    for (const auto& pair : v.items()) {
      if (pair.items().size() != 2) continue;
      w.uids.push_back(static_cast<std::uint16_t>(pair.items()[0].as_uint()));
      w.values.push_back(static_cast<std::uint16_t>(pair.items()[1].as_uint()));
    }
  } catch (const std::exception& err) {
    throw ChainError(settings_.endpoint + " SubtensorModule.Weights: " + err.what());
  }
  if (w.uids.empty()) return std::nullopt;
  // The chain keeps no per-validator version key; report the subnet's current one.
  w.version_key = static_cast<std::uint64_t>(
      storage_uint_locked(kModule, "WeightsVersionKey", {Value::uint(settings_.netuid)}));
  return w;
}

Incentives SubtensorChain::incentives() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<NeuronLite> neurons = neurons_locked();
  Incentives out;
  double total = 0;
  for (const auto& n : neurons) {
    if (n.incentive == 0 && n.dividends == 0 && n.validator_trust == 0) continue;
    UidIncentive u;
    u.uid = n.uid;
    u.incentive = n.incentive / 65535.0;
    u.dividends = n.dividends / 65535.0;
    u.consensus = n.consensus / 65535.0;
    u.validator_trust = n.validator_trust / 65535.0;
    out.by_uid.push_back(u);
    total += u.incentive;
  }
  for (auto& u : out.by_uid) u.share = total > 0 ? u.incentive / total : 0;
  std::sort(out.by_uid.begin(), out.by_uid.end(), [](const auto& a, const auto& b) { return a.uid < b.uid; });
  const Metadata& m = runtime_locked().metadata;
  for (const char* entry : {"LastMechansimStepBlock", "LastEpochBlock"}) {
    bool present = false;
    for (const auto& e : m.pallet(kModule).storage) present = present || e.name == entry;
    if (present) {
      out.epoch_block =
          static_cast<std::uint64_t>(storage_uint_locked(kModule, entry, {Value::uint(settings_.netuid)}));
      break;
    }
  }
  return out;
}

// ---- commitments (the Commitments pallet; validators' task votes) ----

namespace {

constexpr const char* kCommitments = "Commitments";

// The chain's MaxFields (raw fields per commitment, 128 bytes each); 1 when the metadata does not say.
std::size_t commitment_max_fields(const Metadata& m) {
  try {
    const PalletConstant& c = m.constant(kCommitments, "MaxFields");
    ScaleDecoder in(c.value, "Commitments.MaxFields");
    return in.u32();
  } catch (const std::exception&) {
    return 1;
  }
}

}  // namespace

Value commitment_info(const std::string& data) {
  std::vector<Value> fields;
  for (std::size_t at = 0; at < data.size(); at += 128) {
    std::string part = data.substr(at, 128);
    fields.push_back(
        Value::variant("Raw" + std::to_string(part.size()), {Value::bytes(Bytes(part.begin(), part.end()))}));
  }
  // CommitmentInfo and BoundedVec are single-field composites: the extra list keeps a one-field vote from
  // being read as the newtype's own value.
  return Value::list({Value::list(std::move(fields))});
}

Bytes set_commitment_call(const Metadata& metadata, std::uint16_t netuid, const std::string& data) {
  return encode_call(metadata, kCommitments, "set_commitment",
                     {{"netuid", Value::uint(netuid)}, {"info", commitment_info(data)}});
}

std::optional<std::pair<std::uint64_t, std::string>> read_commitment_registration(const Metadata& metadata,
                                                                                  const Bytes& value) {
  ScaleDecoder in(value, "Commitments.CommitmentOf");
  Value v = decode_value(metadata.types, metadata.storage(kCommitments, "CommitmentOf").value_type, in);
  if (v.kind() != Value::Kind::list || v.items().size() != 3) return std::nullopt;
  std::string data;
  for (const Value& field : v.items()[2].items()) {
    if (field.variant_name().rfind("Raw", 0) == 0 && field.items().size() == 1) {
      const Bytes& b = field.items()[0].as_bytes();
      data.append(b.begin(), b.end());
    } else if (field.variant_name() == "BigRaw" && field.items().size() == 1) {
      const Bytes& b = field.items()[0].as_bytes();
      data.append(b.begin(), b.end());
    }
  }
  return std::make_pair(static_cast<std::uint64_t>(v.items()[1].as_uint()), data);
}

WriteResult SubtensorChain::set_commitment(const std::string& hotkey, const std::string& data) {
  if (auto why = signer_mismatch(hotkey)) return refuse(*why);
  std::unique_lock<std::mutex> lock(mutex_);
  const Runtime& rt = runtime_locked();
  const std::size_t max_bytes = commitment_max_fields(rt.metadata) * 128;
  if (data.size() > max_bytes) {
    return refuse("set_commitment: " + std::to_string(data.size()) + " bytes, subnet " +
                  std::to_string(settings_.netuid) + "'s chain keeps at most " + std::to_string(max_bytes) +
                  " (Commitments.MaxFields raw fields of 128 bytes): publish less");
  }
  std::optional<NeuronLite> self = own_neuron_locked();
  if (!self) return not_registered();
  Bytes call = set_commitment_call(rt.metadata, settings_.netuid, data);
  const std::uint16_t uid = self->uid;
  Submitted submitted = submit_locked("set_commitment", call);
  lock.unlock();
  WriteResult r = await_inclusion("set_commitment", submitted);
  if (r.accepted) r.uid = uid;
  return r;
}

std::vector<Commitment> SubtensorChain::commitments() {
  std::lock_guard<std::mutex> lock(mutex_);
  const Metadata& m = runtime_locked().metadata;
  std::vector<Commitment> out;
  for (const NeuronLite& n : neurons_locked()) {
    if (!n.validator_permit) continue;  // only validators' commitments are read (one storage read each)
    Bytes key = m.storage_key(kCommitments, "CommitmentOf", {Value::uint(settings_.netuid), Value::bytes(n.hotkey)});
    std::string hex = rpc_.call_string("state_getStorage", json_string_array({hex_encode(key)}), true);
    if (hex.empty()) continue;
    try {
      auto registration = read_commitment_registration(m, hex_decode(hex, "CommitmentOf"));
      if (!registration) continue;
      Commitment c;
      c.hotkey = keys::ss58_encode(n.hotkey);
      c.uid = n.uid;
      c.block = registration->first;
      c.data = registration->second;
      out.push_back(std::move(c));
    } catch (const std::exception& e) {
      throw ChainError(settings_.endpoint + " Commitments.CommitmentOf: " + e.what());
    }
  }
  std::sort(out.begin(), out.end(), [](const Commitment& a, const Commitment& b) { return a.uid < b.uid; });
  return out;
}

}  // namespace nineteen::chain::subtensor
