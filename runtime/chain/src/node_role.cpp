// Node roles as they are written in requests, files and tables.
#include "nineteen/chain/chain.hpp"

namespace nineteen::chain {

const char* role_name(NodeRole role) { return role == NodeRole::validator ? "validator" : "miner"; }

std::optional<NodeRole> parse_role(const std::string& text) {
  if (text == "miner") return NodeRole::miner;
  if (text == "validator") return NodeRole::validator;
  return std::nullopt;
}

}  // namespace nineteen::chain
