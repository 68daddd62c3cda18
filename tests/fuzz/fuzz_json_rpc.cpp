// Fuzz target: the JSON-RPC side of the local Subtensor node (JsonRpcServer::answer, one message in,
// its answer out) and the endpoint URLs the client is given.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "nineteen/chain/subtensor/json_rpc_client.hpp"
#include "nineteen/chain/subtensor/json_rpc_server.hpp"
#include "nineteen/sdk/json.hpp"

namespace subtensor = nineteen::chain::subtensor;
namespace sdk = nineteen::sdk;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const subtensor::JsonRpcServer::Handler handler = [](const std::string& method, const rapidjson::Value& params) {
    if (method == "fail") throw subtensor::RpcServerError(-32000, "refused", "\"why\"");
    if (method == "throw") throw std::runtime_error("handler failed");
    if (!params.IsArray()) throw subtensor::RpcServerError(-32602, "params must be an array");
    return sdk::to_json(params);
  };
  const std::string answer = subtensor::JsonRpcServer::answer(handler, text);
  // Whatever came in, the answer is one JSON object.
  rapidjson::Document doc;
  if (!sdk::parse_json_bounded(doc, answer).empty() || !doc.IsObject()) std::abort();
  try {
    subtensor::parse_ws_url(text);
  } catch (const nineteen::chain::ChainError&) {
  }
  return 0;
}
