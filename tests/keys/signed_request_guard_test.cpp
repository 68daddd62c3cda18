// Signed requests over real HTTP on loopback: a guarded route, a validator client, and refusals.
#include <gtest/gtest.h>

#include "nineteen/keys/signed_request_guard.hpp"
#include "nineteen/net/http_client.hpp"
#include "nineteen/net/http_server.hpp"
#include "temp_folder.hpp"

using namespace nineteen;
using namespace std::chrono_literals;
using nineteen::keys::testing::TempFolder;

namespace {

struct GuardedMiner {
  explicit GuardedMiner(const std::string& nodes_path, double threshold)
      : stakes(nodes_path),
        guard([&] {
          keys::VerifyPolicy p;
          p.own_hotkey_ss58 = key.ss58_address();
          p.min_validator_stake = threshold;
          return p;
        }(), stakes) {
    net::Router router;
    router.add("POST", "/v1/completions", [this](const net::Request& r) -> net::Reply {
      keys::Verdict v = guard.check(r);
      if (!v.accepted()) return keys::refusal_response(v);
      return net::json_response(200, "{\"served\":\"" + v.validator_hotkey + "\"}");
    });
    server = std::make_unique<net::HttpServer>(std::move(router), net::ServerOptions{});
  }
  keys::Hotkey key = keys::Hotkey::generate();
  keys::FileStakeSource stakes;
  keys::SignedRequestGuard guard;
  std::unique_ptr<net::HttpServer> server;
};

}  // namespace

TEST(SignedRequestGuard, OverHttpAcceptsSignedAndRefusesReplayAndLowStake) {
  TempFolder dir;
  keys::Hotkey rich = keys::Hotkey::generate();
  keys::Hotkey poor = keys::Hotkey::generate();
  std::string nodes = dir.write("nodes.json", "[{\"hotkey\":\"" + rich.ss58_address() +
                                                  "\",\"stake\":2000,\"role\":\"validator\"},"
                                                  "{\"hotkey\":\"" + poor.ss58_address() +
                                                  "\",\"stake\":10,\"role\":\"validator\"}]");
  GuardedMiner miner(nodes, 1000);
  net::HttpClient client;
  net::ClientRequest request;
  request.method = "POST";
  request.url = miner.server->base_url() + "/v1/completions";
  request.body = "{\"prompt\":\"hi\"}";

  net::ClientResult unsigned_result = client.send(request);
  EXPECT_EQ(unsigned_result.status, 401);
  EXPECT_NE(unsigned_result.body.find("\"type\":\"authentication_error\""), std::string::npos);
  EXPECT_NE(unsigned_result.body.find("\"code\":\"missing_header\""), std::string::npos);

  keys::add_signature_headers(request.headers, rich, miner.key.ss58_address(), request.body);
  net::ClientResult ok = client.send(request);
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_NE(ok.body.find(rich.ss58_address()), std::string::npos);

  net::ClientResult replay = client.send(request);
  EXPECT_EQ(replay.status, 401);
  EXPECT_NE(replay.body.find("\"code\":\"replayed_nonce\""), std::string::npos) << replay.body;

  net::ClientRequest low = request;
  keys::add_signature_headers(low.headers, poor, miner.key.ss58_address(), low.body);
  net::ClientResult refused = client.send(low);
  EXPECT_EQ(refused.status, 403);
  EXPECT_NE(refused.body.find("\"type\":\"permission_error\""), std::string::npos) << refused.body;
  EXPECT_NE(refused.body.find("\"code\":\"stake_too_low\""), std::string::npos) << refused.body;

  net::ClientRequest stale = request;
  keys::add_signature_headers(stale.headers, rich, miner.key.ss58_address(), stale.body,
                              std::chrono::system_clock::now() - 300s);
  net::ClientResult stale_result = client.send(stale);
  EXPECT_EQ(stale_result.status, 401);
  EXPECT_NE(stale_result.body.find("\"code\":\"stale_nonce\""), std::string::npos) << stale_result.body;
}
