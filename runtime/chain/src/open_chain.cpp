// open_chain: ChainClient for http://, SubtensorChain for ws:// and wss://.
#include "nineteen/chain/open_chain.hpp"

#include "nineteen/chain/chain_client.hpp"
#include "nineteen/chain/subtensor/subtensor_chain.hpp"

namespace nineteen::chain {

std::shared_ptr<Chain> open_chain(const std::string& url, std::optional<std::uint16_t> netuid,
                                  std::optional<keys::Hotkey> hotkey) {
  auto kind = chain_kind(url);
  if (!kind) throw ChainError("chain \"" + url + "\": expected " + kChainUrlExpected);
  if (*kind == ChainKind::local_http) return std::make_shared<ChainClient>(url, std::move(hotkey));
  if (!netuid) {
    throw ChainError(
        "chain \"" + url +
        "\" is a Subtensor JSON-RPC endpoint: give the subnet's netuid too (setting \"netuid\")");
  }
  subtensor::SubtensorSettings settings;
  settings.endpoint = url;
  settings.netuid = *netuid;
  std::optional<subtensor::HotkeySigner> signer;
  if (hotkey) signer = subtensor::hotkey_signer(*hotkey);
  return std::make_shared<subtensor::SubtensorChain>(settings, std::move(signer));
}

}  // namespace nineteen::chain
