// The gateway benchmarks' setup: a gateway with one API key in front of one miner that is always
// tried first, so what is measured is the gateway itself (keys, routing, signing, relay).
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nineteen/gateway/api_key_text.hpp"
#include "nineteen/gateway/gateway_server.hpp"
#include "nineteen/keys/hotkey.hpp"
#include "nineteen/store/sqlite_validator_store.hpp"
#include "nineteen/validator/organic_routing.hpp"

namespace bench {

// The validator's side reduced to one miner that is always tried first.
class OneMinerRouting : public nineteen::validator::OrganicRouting {
 public:
  OneMinerRouting(nineteen::keys::Hotkey key, nineteen::validator::OrganicCandidate miner)
      : key_(std::move(key)), miner_(std::move(miner)) {}
  std::vector<nineteen::validator::OrganicTask> organic_tasks() override {
    return {{"words", "text", "/v1/text/transform", true, "words", 1}};
  }
  std::vector<nineteen::validator::OrganicCandidate> organic_candidates(const std::string&) override { return {miner_}; }
  void organic_started(const std::string&, const std::string&) override {}
  // Every answer's work is 1.
  double organic_finished(const std::string&, const std::string&, const std::string&,
                          const nineteen::validator::QueryResult&) override {
    return 1;
  }
  std::vector<nineteen::validator::ContenderStatus> contender_status() override { return {}; }
  const nineteen::keys::Hotkey& signing_key() const override { return key_; }
  std::optional<nineteen::validator::RequestRefusal> refuse_request(const std::string&, const std::string&) override {
    return std::nullopt;
  }

 private:
  nineteen::keys::Hotkey key_;
  nineteen::validator::OrganicCandidate miner_;
};

// The gateway on the text task "words" of the miner at `miner_url`, its store in `dir`.
struct BenchGateway {
  BenchGateway(const std::filesystem::path& dir, const nineteen::keys::Hotkey& validator,
               const std::string& miner_hotkey, const std::string& miner_url, int handler_threads)
      : routing(validator, candidate_for(miner_hotkey, miner_url)),
        store(std::make_shared<nineteen::store::SqliteValidatorStore>((dir / "validator.db").string())),
        api_key(nineteen::gateway::new_api_key()),
        gateway(settings_with(handler_threads), routing, add_key(store, api_key)) {}

  OneMinerRouting routing;
  std::shared_ptr<nineteen::store::SqliteValidatorStore> store;
  std::string api_key;
  nineteen::gateway::GatewayServer gateway;

 private:
  static nineteen::validator::OrganicCandidate candidate_for(const std::string& hotkey, const std::string& url) {
    nineteen::validator::OrganicCandidate c;
    c.miner = {hotkey, url};
    c.endpoint = "/v1/text/transform";
    c.timeouts.first_byte = std::chrono::milliseconds(10000);
    return c;
  }
  static nineteen::gateway::GatewaySettings settings_with(int handler_threads) {
    nineteen::gateway::GatewaySettings s;
    s.handler_threads = handler_threads;
    return s;
  }
  static std::shared_ptr<nineteen::store::SqliteValidatorStore> add_key(
      std::shared_ptr<nineteen::store::SqliteValidatorStore> store, const std::string& key) {
    nineteen::store::ApiKeyRecord record;
    record.key_hash = nineteen::gateway::api_key_hash(key);
    record.name = "bench";
    record.created_at = std::chrono::system_clock::now();
    store->add_api_key(record);
    return store;
  }
};

}  // namespace bench
