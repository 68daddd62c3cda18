// `nineteen chain`: the local chain served over HTTP on loopback, with a block every block_time_s.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "nineteen/chain/chain_settings.hpp"
#include "nineteen/chain/local_chain_state.hpp"

namespace nineteen::net {
class HttpServer;
}

namespace nineteen::chain {

// Endpoints (JSON; errors in OpenAI's shape {"error":{"message","type","code"}}):
//   GET  /block                  {"block": N}
//   GET  /params                 {"version_key","rate_limit","tempo","block_time_s"}
//   GET  /metagraph              {"block": N, "neurons": [{uid, hotkey, coldkey, stake, role, ip, port, last_update}]}
//   GET  /weights?hotkey=SS58    {"hotkey","uid","uids","values","block","version_key"}; 404 when none set
//   GET  /incentives             {"epoch_block": N, "incentives": [{uid, incentive, share}]}
//   POST /register               {"stake", "role", "coldkey"?, "ip"?, "port"?}
//   POST /serve                  {"ip", "port"}
//   POST /set_weights            {"uids": [...], "values": [...], "version_key"}
//   GET  /commitments            {"commitments": [{uid, hotkey, block, data: "0x…"}]}
//   POST /set_commitment         {"data": "0x…"} (a validator's task vote; at most kCommitmentMaxBytes)
// A POST is signed by the caller's hotkey (the keys layer's request signature, addressed to
// "nineteen-local-chain"), and acts for that hotkey only: 401 for a missing or bad signature.
// Accepted: 200 {"accepted": true, "block", "uid"}. Refused by a rule: 403, code "refused", the
// reason as the message. Malformed body: 400.
class ChainServer {
 public:
  // Opens the state file, binds, and starts the block clock. Throws (naming the file or the
  // address) when either fails.
  explicit ChainServer(const ChainSettings& settings);
  ~ChainServer();
  ChainServer(const ChainServer&) = delete;
  ChainServer& operator=(const ChainServer&) = delete;

  std::string base_url() const;
  std::uint16_t port() const;
  LocalChainState& state() { return *state_; }
  net::HttpServer& http() { return *http_; }

  // Called on the clock's thread after each new block, with its number (e.g. the JSON-RPC face applying
  // the extrinsics queued for that block). Replaces any earlier hook; may be set while blocks run.
  void on_block(std::function<void(std::uint64_t block)> hook);

  // Stops the block clock and the HTTP server. Safe to call more than once.
  void stop();

 private:
  void tick_blocks(double block_time_s);

  std::unique_ptr<LocalChainState> state_;
  std::unique_ptr<net::HttpServer> http_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::function<void(std::uint64_t)> on_block_;
  std::thread clock_;
};

}  // namespace nineteen::chain
