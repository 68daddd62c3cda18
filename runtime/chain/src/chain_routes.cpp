// HTTP handlers of the local chain: reads answer JSON; writes check the signature, parse, then apply the rules.
#include "chain_routes.hpp"

#include <cctype>
#include <memory>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "chain_wire.hpp"
#include "nineteen/keys/request_signing.hpp"
#include "nineteen/keys/signed_request_guard.hpp"
#include "nineteen/net/openai_error.hpp"

namespace nineteen::chain {
namespace {

// Anyone may write to a dev chain (registering is how one gets stake), so every signer passes the
// guard's stake check; the rules of each write decide the rest.
class AnySigner : public keys::StakeSource {
 public:
  std::optional<double> stake_of(const std::string&) override { return 0.0; }
};

int from_hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The value of `name` in a query string ("a=1&hotkey=5F..."), percent-decoded; "" when absent.
std::string query_value(const std::string& query, const std::string& name) {
  std::size_t start = 0;
  while (start <= query.size()) {
    std::size_t end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    std::string pair = query.substr(start, end - start);
    std::size_t eq = pair.find('=');
    if (eq != std::string::npos && pair.substr(0, eq) == name) {
      std::string raw = pair.substr(eq + 1), out;
      for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '%' && i + 2 < raw.size() && from_hex_digit(raw[i + 1]) >= 0 && from_hex_digit(raw[i + 2]) >= 0) {
          out += static_cast<char>(from_hex_digit(raw[i + 1]) * 16 + from_hex_digit(raw[i + 2]));
          i += 2;
        } else {
          out += raw[i] == '+' ? ' ' : raw[i];
        }
      }
      return out;
    }
    start = end + 1;
  }
  return "";
}

net::Response write_answer(const WriteResult& result) {
  if (result.accepted) return net::json_response(200, wire::accepted_json(result));
  return net::error_response(403, net::ErrorBody{result.reason, "", std::nullopt, std::string("refused")});
}

// Checks the signature, parses the body, and runs `apply(hotkey, body)`.
template <typename Apply>
net::Reply signed_write(keys::SignedRequestGuard& guard, const net::Request& request, const char* endpoint,
                        Apply apply) {
  keys::Verdict verdict = guard.check(request);
  if (!verdict.accepted()) return keys::refusal_response(verdict);
  rapidjson::Document body;
  try {
    body = wire::parse_object(request.body, std::string(endpoint) + " body");
    WriteResult result = apply(verdict.validator_hotkey, body);
    if (result.accepted) {
      spdlog::info("chain: {} by {} accepted at block {}", endpoint, verdict.validator_hotkey, result.block);
    } else {
      spdlog::info("chain: {} by {} refused: {}", endpoint, verdict.validator_hotkey, result.reason);
    }
    return write_answer(result);
  } catch (const std::invalid_argument& e) {
    return net::error_response(400, net::ErrorBody{e.what(), "", std::nullopt, std::string("invalid_body")});
  }
}

}  // namespace

net::Router make_chain_routes(LocalChainState& state) {
  static AnySigner any_signer;
  keys::VerifyPolicy policy;
  policy.own_hotkey_ss58 = wire::kChainAudience;
  policy.min_validator_stake = 0;
  auto guard = std::make_shared<keys::SignedRequestGuard>(policy, any_signer);

  net::Router router;
  router.add("GET", "/block", [&state](const net::Request&) -> net::Reply {
    return net::json_response(200, wire::block_json(state.current_block()));
  });
  router.add("GET", "/params", [&state](const net::Request&) -> net::Reply {
    return net::json_response(200, wire::params_json(state.params()));
  });
  router.add("GET", "/metagraph", [&state](const net::Request&) -> net::Reply {
    // Block first: a node that sees block N knows every registration up to N is in the list.
    std::uint64_t block = state.current_block();
    return net::json_response(200, wire::metagraph_json(block, state.metagraph()));
  });
  router.add("GET", "/weights", [&state](const net::Request& request) -> net::Reply {
    std::string hotkey = query_value(request.query, "hotkey");
    if (hotkey.empty()) {
      return net::error_response(400, "GET /weights needs ?hotkey=<validator SS58 address>",
                                 std::string("missing_hotkey"));
    }
    auto weights = state.weights_of(hotkey);
    if (!weights) {
      return net::error_response(404, "hotkey " + hotkey + " has set no weights on this chain",
                                 std::string("no_weights"));
    }
    return net::json_response(200, wire::weights_json(*weights));
  });
  router.add("GET", "/incentives", [&state](const net::Request&) -> net::Reply {
    return net::json_response(200, wire::incentives_json(state.incentives()));
  });
  router.add("GET", "/commitments", [&state](const net::Request&) -> net::Reply {
    return net::json_response(200, wire::commitments_json(state.commitments()));
  });
  router.add("POST", "/set_commitment", [&state, guard](const net::Request& request) {
    return signed_write(*guard, request, "set_commitment", [&](const std::string& hotkey, const rapidjson::Value& body) {
      return state.set_commitment(hotkey, wire::read_set_commitment_body(body));
    });
  });
  router.add("POST", "/register", [&state, guard](const net::Request& request) {
    return signed_write(*guard, request, "register", [&](const std::string& hotkey, const rapidjson::Value& body) {
      return state.register_node(wire::read_register_body(body, hotkey));
    });
  });
  router.add("POST", "/serve", [&state, guard](const net::Request& request) {
    return signed_write(*guard, request, "serve", [&](const std::string& hotkey, const rapidjson::Value& body) {
      std::string ip;
      std::uint16_t port = 0;
      wire::read_serve_body(body, ip, port);
      return state.serve(hotkey, ip, port);
    });
  });
  router.add("POST", "/set_weights", [&state, guard](const net::Request& request) {
    return signed_write(*guard, request, "set_weights", [&](const std::string& hotkey, const rapidjson::Value& body) {
      std::vector<std::uint16_t> uids, values;
      std::uint64_t version_key = 0;
      wire::read_set_weights_body(body, uids, values, version_key);
      return state.set_weights(hotkey, uids, values, version_key);
    });
  });
  return router;
}

}  // namespace nineteen::chain
