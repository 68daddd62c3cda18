// JSON of the local chain's endpoints: written with RapidJSON's writer, read with checks naming each key.
#include "chain_wire.hpp"
#include "nineteen/sdk/json.hpp"

#include <cmath>
#include <optional>
#include <stdexcept>

#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace nineteen::chain::wire {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

std::string finish(const rapidjson::StringBuffer& out) { return std::string(out.GetString(), out.GetSize()); }

void write_u16_array(Writer& w, const char* key, const std::vector<std::uint16_t>& values) {
  w.Key(key);
  w.StartArray();
  for (std::uint16_t v : values) w.Uint(v);
  w.EndArray();
}

void write_neuron(Writer& w, const Neuron& n) {
  w.StartObject();
  w.Key("uid");
  w.Uint(n.uid);
  w.Key("hotkey");
  w.String(n.hotkey.c_str());
  w.Key("coldkey");
  w.String(n.coldkey.c_str());
  w.Key("stake");
  w.Double(n.stake);
  w.Key("role");
  w.String(role_name(n.role));
  w.Key("ip");
  w.String(n.ip.c_str());
  w.Key("port");
  w.Uint(n.port);
  w.Key("last_update");
  w.Uint64(n.last_update);
  w.EndObject();
}

const char* type_name(const rapidjson::Value& v) {
  if (v.IsNull()) return "null";
  if (v.IsBool()) return "a boolean";
  if (v.IsNumber()) return "a number";
  if (v.IsString()) return "a string";
  if (v.IsArray()) return "an array";
  return "an object";
}

// Reads keys of one JSON object with errors like `body key "port": expected an integer 0..65535, got "x"`.
class ObjectReader {
 public:
  ObjectReader(const rapidjson::Value& value, std::string what) : value_(value), what_(std::move(what)) {
    if (!value_.IsObject()) throw std::invalid_argument(what_ + ": expected a JSON object, got " + type_name(value_));
  }

  const rapidjson::Value* find(const char* key) const {
    auto it = value_.FindMember(key);
    return it == value_.MemberEnd() || it->value.IsNull() ? nullptr : &it->value;
  }

  [[noreturn]] void fail(const char* key, const std::string& expected, const rapidjson::Value* got) const {
    throw std::invalid_argument(what_ + " key \"" + key + "\": expected " + expected +
                                (got ? std::string(", got ") + type_name(*got) : std::string(", but it is missing")));
  }

  const rapidjson::Value& require(const char* key, const std::string& expected) const {
    const rapidjson::Value* v = find(key);
    if (!v) fail(key, expected, nullptr);
    return *v;
  }

  std::string string(const char* key) const {
    const auto& v = require(key, "a string");
    if (!v.IsString()) fail(key, "a string", &v);
    return std::string(v.GetString(), v.GetStringLength());
  }

  std::string optional_string(const char* key) const { return find(key) ? string(key) : std::string(); }

  std::uint64_t uint(const char* key, std::uint64_t max) const {
    std::string expected = "an integer from 0 to " + std::to_string(max);
    const auto& v = require(key, expected);
    if (!v.IsUint64() || v.GetUint64() > max) fail(key, expected, &v);
    return v.GetUint64();
  }

  double number(const char* key) const {
    const auto& v = require(key, "a number");
    if (!v.IsNumber() || !std::isfinite(v.GetDouble())) fail(key, "a finite number", &v);
    return v.GetDouble();
  }

  // A number a newer chain sends and an older one does not: 0 when absent.
  double optional_number(const char* key) const { return find(key) ? number(key) : 0.0; }

  bool boolean(const char* key) const {
    const auto& v = require(key, "true or false");
    if (!v.IsBool()) fail(key, "true or false", &v);
    return v.GetBool();
  }

  std::vector<std::uint16_t> u16_array(const char* key) const {
    const char* expected = "an array of integers from 0 to 65535";
    const auto& v = require(key, expected);
    if (!v.IsArray()) fail(key, expected, &v);
    std::vector<std::uint16_t> out;
    for (const auto& item : v.GetArray()) {
      if (!item.IsUint() || item.GetUint() > 65535) fail(key, expected, &item);
      out.push_back(static_cast<std::uint16_t>(item.GetUint()));
    }
    return out;
  }

  const rapidjson::Value& array(const char* key) const {
    const auto& v = require(key, "an array");
    if (!v.IsArray()) fail(key, "an array", &v);
    return v;
  }

  const std::string& what() const { return what_; }

 private:
  const rapidjson::Value& value_;
  std::string what_;
};

NodeRole role_from(const ObjectReader& r) {
  std::string text = r.string("role");
  auto role = parse_role(text);
  if (!role) throw std::invalid_argument(r.what() + " key \"role\": expected \"miner\" or \"validator\", got \"" + text + "\"");
  return *role;
}

}  // namespace

std::string block_json(std::uint64_t block) { return "{\"block\":" + std::to_string(block) + "}"; }

std::string params_json(const ChainParams& p) {
  rapidjson::StringBuffer out;
  Writer w(out);
  w.StartObject();
  w.Key("version_key");
  w.Uint64(p.version_key);
  w.Key("rate_limit");
  w.Uint64(p.rate_limit);
  w.Key("tempo");
  w.Uint64(p.tempo);
  w.Key("block_time_s");
  w.Double(p.block_time_s);
  w.EndObject();
  return finish(out);
}

std::string metagraph_json(std::uint64_t block, const std::vector<Neuron>& neurons) {
  rapidjson::StringBuffer out;
  Writer w(out);
  w.StartObject();
  w.Key("block");
  w.Uint64(block);
  w.Key("neurons");
  w.StartArray();
  for (const auto& n : neurons) write_neuron(w, n);
  w.EndArray();
  w.EndObject();
  return finish(out);
}

std::string weights_json(const ValidatorWeights& weights) {
  rapidjson::StringBuffer out;
  Writer w(out);
  w.StartObject();
  w.Key("hotkey");
  w.String(weights.hotkey.c_str());
  w.Key("uid");
  w.Uint(weights.uid);
  write_u16_array(w, "uids", weights.uids);
  write_u16_array(w, "values", weights.values);
  w.Key("block");
  w.Uint64(weights.block);
  w.Key("version_key");
  w.Uint64(weights.version_key);
  w.EndObject();
  return finish(out);
}

std::string incentives_json(const Incentives& incentives) {
  rapidjson::StringBuffer out;
  Writer w(out);
  w.StartObject();
  w.Key("epoch_block");
  w.Uint64(incentives.epoch_block);
  w.Key("incentives");
  w.StartArray();
  for (const auto& entry : incentives.by_uid) {
    w.StartObject();
    w.Key("uid");
    w.Uint(entry.uid);
    w.Key("incentive");
    w.Double(entry.incentive);
    w.Key("share");
    w.Double(entry.share);
    w.Key("dividends");
    w.Double(entry.dividends);
    w.Key("consensus");
    w.Double(entry.consensus);
    w.Key("validator_trust");
    w.Double(entry.validator_trust);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return finish(out);
}

std::string accepted_json(const WriteResult& result) {
  rapidjson::StringBuffer out;
  Writer w(out);
  w.StartObject();
  w.Key("accepted");
  w.Bool(result.accepted);
  w.Key("block");
  w.Uint64(result.block);
  if (result.uid) {
    w.Key("uid");
    w.Uint(*result.uid);
  }
  w.EndObject();
  return finish(out);
}

std::string register_body(const Registration& r) {
  rapidjson::StringBuffer out;
  Writer w(out);
  w.StartObject();
  if (!r.coldkey.empty()) {
    w.Key("coldkey");
    w.String(r.coldkey.c_str());
  }
  w.Key("stake");
  w.Double(r.stake);
  w.Key("role");
  w.String(role_name(r.role));
  w.Key("ip");
  w.String(r.ip.c_str());
  w.Key("port");
  w.Uint(r.port);
  w.EndObject();
  return finish(out);
}

std::string serve_body(const std::string& ip, std::uint16_t port) {
  rapidjson::StringBuffer out;
  Writer w(out);
  w.StartObject();
  w.Key("ip");
  w.String(ip.c_str());
  w.Key("port");
  w.Uint(port);
  w.EndObject();
  return finish(out);
}

std::string set_weights_body(const std::vector<std::uint16_t>& uids, const std::vector<std::uint16_t>& values,
                             std::uint64_t version_key) {
  rapidjson::StringBuffer out;
  Writer w(out);
  w.StartObject();
  write_u16_array(w, "uids", uids);
  write_u16_array(w, "values", values);
  w.Key("version_key");
  w.Uint64(version_key);
  w.EndObject();
  return finish(out);
}

namespace {

std::string to_hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out = "0x";
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

// "0x..." → bytes; nullopt when it is not even-length hex.
std::optional<std::string> from_hex(const std::string& text) {
  if (text.rfind("0x", 0) != 0 || text.size() % 2 != 0) return std::nullopt;
  auto digit = [](char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
  };
  std::string out;
  for (std::size_t i = 2; i < text.size(); i += 2) {
    int hi = digit(text[i]), lo = digit(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

std::string hex_field(const ObjectReader& r, const char* key) {
  std::string text = r.string(key);
  auto bytes = from_hex(text);
  if (!bytes) {
    throw std::invalid_argument(r.what() + " key \"" + key + "\": expected 0x-prefixed hex bytes, got \"" +
                                text.substr(0, 40) + "\"");
  }
  return *bytes;
}

}  // namespace

std::string commitments_json(const std::vector<Commitment>& commitments) {
  rapidjson::StringBuffer out;
  Writer w(out);
  w.StartObject();
  w.Key("commitments");
  w.StartArray();
  for (const auto& c : commitments) {
    w.StartObject();
    w.Key("uid");
    w.Uint(c.uid);
    w.Key("hotkey");
    w.String(c.hotkey.c_str());
    w.Key("block");
    w.Uint64(c.block);
    w.Key("data");
    std::string hex = to_hex(c.data);
    w.String(hex.c_str());
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return finish(out);
}

std::string set_commitment_body(const std::string& data) {
  rapidjson::StringBuffer out;
  Writer w(out);
  w.StartObject();
  w.Key("data");
  std::string hex = to_hex(data);
  w.String(hex.c_str());
  w.EndObject();
  return finish(out);
}

std::vector<Commitment> read_commitments(const rapidjson::Value& doc, const std::string& what) {
  ObjectReader r(doc, what);
  std::vector<Commitment> out;
  const auto& entries = r.array("commitments");
  for (rapidjson::SizeType i = 0; i < entries.Size(); ++i) {
    ObjectReader e(entries[i], what + " commitment " + std::to_string(i));
    Commitment c;
    c.uid = static_cast<std::uint16_t>(e.uint("uid", 65535));
    c.hotkey = e.string("hotkey");
    c.block = e.uint("block", UINT64_MAX);
    c.data = hex_field(e, "data");
    out.push_back(std::move(c));
  }
  return out;
}

std::string read_set_commitment_body(const rapidjson::Value& doc) {
  return hex_field(ObjectReader(doc, "set_commitment body"), "data");
}

rapidjson::Document parse_object(const std::string& text, const std::string& what) {
  rapidjson::Document doc;
  const std::string problem = sdk::parse_json_bounded(doc, text);
  if (!problem.empty()) throw std::invalid_argument(what + ": " + problem);
  if (!doc.IsObject()) throw std::invalid_argument(what + ": expected a JSON object, got " + type_name(doc));
  return doc;
}

std::uint64_t read_block(const rapidjson::Value& doc, const std::string& what) {
  return ObjectReader(doc, what).uint("block", UINT64_MAX);
}

ChainParams read_params(const rapidjson::Value& doc, const std::string& what) {
  ObjectReader r(doc, what);
  ChainParams p;
  p.version_key = r.uint("version_key", UINT64_MAX);
  p.rate_limit = r.uint("rate_limit", UINT64_MAX);
  p.tempo = r.uint("tempo", UINT64_MAX);
  p.block_time_s = r.number("block_time_s");
  return p;
}

std::vector<Neuron> read_metagraph(const rapidjson::Value& doc, const std::string& what) {
  ObjectReader r(doc, what);
  std::vector<Neuron> out;
  const auto& neurons = r.array("neurons");
  for (rapidjson::SizeType i = 0; i < neurons.Size(); ++i) {
    ObjectReader n(neurons[i], what + " neuron " + std::to_string(i));
    Neuron neuron;
    neuron.uid = static_cast<std::uint16_t>(n.uint("uid", 65535));
    neuron.hotkey = n.string("hotkey");
    neuron.coldkey = n.string("coldkey");
    neuron.stake = n.number("stake");
    neuron.role = role_from(n);
    neuron.ip = n.string("ip");
    neuron.port = static_cast<std::uint16_t>(n.uint("port", 65535));
    neuron.last_update = n.uint("last_update", UINT64_MAX);
    out.push_back(std::move(neuron));
  }
  return out;
}

ValidatorWeights read_weights(const rapidjson::Value& doc, const std::string& what) {
  ObjectReader r(doc, what);
  ValidatorWeights w;
  w.hotkey = r.string("hotkey");
  w.uid = static_cast<std::uint16_t>(r.uint("uid", 65535));
  w.uids = r.u16_array("uids");
  w.values = r.u16_array("values");
  w.block = r.uint("block", UINT64_MAX);
  w.version_key = r.uint("version_key", UINT64_MAX);
  return w;
}

Incentives read_incentives(const rapidjson::Value& doc, const std::string& what) {
  ObjectReader r(doc, what);
  Incentives out;
  out.epoch_block = r.uint("epoch_block", UINT64_MAX);
  const auto& entries = r.array("incentives");
  for (rapidjson::SizeType i = 0; i < entries.Size(); ++i) {
    ObjectReader e(entries[i], what + " incentive " + std::to_string(i));
    UidIncentive u;
    u.uid = static_cast<std::uint16_t>(e.uint("uid", 65535));
    u.incentive = e.number("incentive");
    u.share = e.number("share");
    u.dividends = e.optional_number("dividends");
    u.consensus = e.optional_number("consensus");
    u.validator_trust = e.optional_number("validator_trust");
    out.by_uid.push_back(u);
  }
  return out;
}

WriteResult read_accepted(const rapidjson::Value& doc, const std::string& what) {
  ObjectReader r(doc, what);
  WriteResult result;
  result.accepted = r.boolean("accepted");
  result.block = r.uint("block", UINT64_MAX);
  if (r.find("uid")) result.uid = static_cast<std::uint16_t>(r.uint("uid", 65535));
  return result;
}

Registration read_register_body(const rapidjson::Value& doc, const std::string& hotkey) {
  ObjectReader r(doc, "register body");
  Registration reg;
  reg.hotkey = hotkey;
  reg.coldkey = r.optional_string("coldkey");
  reg.stake = r.number("stake");
  reg.role = role_from(r);
  reg.ip = r.optional_string("ip");
  reg.port = r.find("port") ? static_cast<std::uint16_t>(r.uint("port", 65535)) : 0;
  return reg;
}

void read_serve_body(const rapidjson::Value& doc, std::string& ip, std::uint16_t& port) {
  ObjectReader r(doc, "serve body");
  ip = r.string("ip");
  port = static_cast<std::uint16_t>(r.uint("port", 65535));
}

void read_set_weights_body(const rapidjson::Value& doc, std::vector<std::uint16_t>& uids,
                           std::vector<std::uint16_t>& values, std::uint64_t& version_key) {
  ObjectReader r(doc, "set_weights body");
  uids = r.u16_array("uids");
  values = r.u16_array("values");
  version_key = r.uint("version_key", UINT64_MAX);
}

}  // namespace nineteen::chain::wire
