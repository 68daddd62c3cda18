// The file-backed StakeSource: a JSON node list standing in for the chain until the chain client exists.
#include "nineteen/keys/stake_source.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "nineteen/keys/ss58.hpp"
#include "nineteen/sdk/json.hpp"

namespace nineteen::keys {
namespace {

const char* type_name(const rapidjson::Value& v) {
  if (v.IsNull()) return "null";
  if (v.IsBool()) return "a boolean";
  if (v.IsNumber()) return "a number";
  if (v.IsString()) return "a string";
  if (v.IsArray()) return "an array";
  return "an object";
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("node list " + path + ": cannot open it (does the file exist?)");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

std::vector<NodeEntry> parse_node_list(const std::string& json_text, const std::string& what) {
  rapidjson::Document doc;
  const std::string problem = sdk::parse_json_bounded(doc, json_text);
  if (!problem.empty()) throw std::runtime_error(what + ": " + problem);
  if (!doc.IsArray()) {
    throw std::runtime_error(what + ": expected a JSON array of {\"hotkey\", \"stake\", \"role\"}, got " +
                             type_name(doc));
  }
  std::vector<NodeEntry> nodes;
  for (rapidjson::SizeType i = 0; i < doc.Size(); ++i) {
    const auto& item = doc[i];
    std::string where = what + ": entry " + std::to_string(i);
    if (!item.IsObject()) throw std::runtime_error(where + ": expected an object, got " + type_name(item));
    NodeEntry node;
    auto hotkey = item.FindMember("hotkey");
    if (hotkey == item.MemberEnd() || !hotkey->value.IsString()) {
      throw std::runtime_error(where + ": key \"hotkey\": expected an SS58 address string" +
                               (hotkey == item.MemberEnd() ? std::string(", but it is missing")
                                                           : std::string(", got ") + type_name(hotkey->value)));
    }
    node.hotkey = hotkey->value.GetString();
    std::string address_error;
    if (!ss58_decode(node.hotkey, &address_error)) throw std::runtime_error(where + ": key \"hotkey\": " + address_error);
    auto stake = item.FindMember("stake");
    if (stake == item.MemberEnd() || !stake->value.IsNumber() || stake->value.GetDouble() < 0) {
      throw std::runtime_error(where + ": key \"stake\": expected a number >= 0" +
                               (stake == item.MemberEnd() ? std::string(", but it is missing")
                                                          : std::string(", got ") + type_name(stake->value)));
    }
    node.stake = stake->value.GetDouble();
    auto role = item.FindMember("role");
    if (role == item.MemberEnd() || !role->value.IsString()) {
      throw std::runtime_error(where + ": key \"role\": expected a string such as \"validator\" or \"miner\"");
    }
    node.role = role->value.GetString();
    nodes.push_back(std::move(node));
  }
  return nodes;
}

FileStakeSource::FileStakeSource(std::string path) : path_(std::move(path)) {
  nodes_ = parse_node_list(read_file(path_), "node list " + path_);
}

std::optional<double> FileStakeSource::stake_of(const std::string& hotkey_ss58) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& node : nodes_) {
    if (node.hotkey == hotkey_ss58 && node.role == "validator") return node.stake;
  }
  return std::nullopt;
}

std::string FileStakeSource::reload() {
  try {
    auto fresh = parse_node_list(read_file(path_), "node list " + path_);
    std::lock_guard<std::mutex> lock(mutex_);
    nodes_ = std::move(fresh);
    return "";
  } catch (const std::exception& e) {
    return std::string(e.what()) + " (keeping the previous list)";
  }
}

std::vector<NodeEntry> FileStakeSource::nodes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return nodes_;
}

}  // namespace nineteen::keys
