// One factory for every node: the chain a `chain = "URL"` setting names, local HTTP or Subtensor JSON-RPC.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "nineteen/chain/chain.hpp"
#include "nineteen/keys/hotkey.hpp"

namespace nineteen::chain {

enum class ChainKind {
  local_http,  // http://…: `nineteen chain`'s own HTTP routes (ChainClient)
  subtensor,   // ws://… or wss://…: Substrate JSON-RPC, a Subtensor node or `nineteen chain`'s rpc_port
               // (SubtensorChain)
};

// Which client a chain URL means; nullopt when it is neither (settings parsers turn that into an error
// naming the key, with kChainUrlExpected).
inline std::optional<ChainKind> chain_kind(const std::string& url) {
  auto after = [&](const char* scheme) {
    const std::string s(scheme);
    return url.size() > s.size() && url.compare(0, s.size(), s) == 0;
  };
  if (after("http://")) return ChainKind::local_http;
  if (after("ws://") || after("wss://")) return ChainKind::subtensor;
  return std::nullopt;
}

inline constexpr const char* kChainUrlExpected =
    "a chain URL: \"http://127.0.0.1:9944\" (the local chain's HTTP), or a Subtensor JSON-RPC endpoint such "
    "as "
    "\"wss://entrypoint-finney.opentensor.ai:443\" (mainnet), \"wss://test.finney.opentensor.ai:443\" "
    "(testnet) or "
    "the local chain's \"ws://127.0.0.1:9945\", with netuid";

// Opens the chain `url` names. Subtensor endpoints need the subnet's `netuid`. `hotkey` signs writes (an
// sr25519 hotkey on Subtensor); without it the chain is read-only. Throws ChainError naming the URL when
// it is neither kind, when a Subtensor URL has no netuid, or when the hotkey cannot sign for Subtensor.
// Opening connects lazily: an unreachable chain is an error of the first read.
std::shared_ptr<Chain> open_chain(const std::string& url, std::optional<std::uint16_t> netuid,
                                  std::optional<keys::Hotkey> hotkey = std::nullopt);

}  // namespace nineteen::chain
