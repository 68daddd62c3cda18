// The Chain interface over HTTP to a `nineteen chain` server, signing writes with the node's hotkey.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "nineteen/chain/chain.hpp"
#include "nineteen/keys/hotkey.hpp"
#include "nineteen/net/http_client.hpp"

namespace nineteen::chain {

class ChainClient : public Chain {
 public:
  // `base_url` is "http://127.0.0.1:9944". Without `signer` the client can only read; writes are
  // refused locally. Writes act for the signer: a hotkey argument naming another key is refused
  // without asking the chain (the chain would refuse it too).
  ChainClient(std::string base_url, std::optional<keys::Hotkey> signer = std::nullopt,
              net::ClientOptions options = default_options());
  ~ChainClient() override;

  static net::ClientOptions default_options();
  const std::string& base_url() const { return base_url_; }

  std::vector<Neuron> metagraph() override;
  std::uint64_t current_block() override;
  ChainParams params() override;
  // `registration.hotkey` may be empty (the signer's is used).
  WriteResult register_node(const Registration& registration) override;
  WriteResult serve(const std::string& hotkey, const std::string& ip, std::uint16_t port) override;
  WriteResult set_weights(const std::string& validator_hotkey, const std::vector<std::uint16_t>& uids,
                          const std::vector<std::uint16_t>& values, std::uint64_t version_key) override;
  std::optional<ValidatorWeights> weights_of(const std::string& validator_hotkey) override;
  Incentives incentives() override;
  WriteResult set_commitment(const std::string& hotkey, const std::string& data) override;
  std::vector<Commitment> commitments() override;

 private:
  // GET `target`: the body of a 200; nullopt for a 404 when `none_when_404`; else throws ChainError.
  std::optional<std::string> get(const std::string& target, bool none_when_404 = false);
  WriteResult post(const std::string& endpoint, const std::string& hotkey, const std::string& body);

  std::string base_url_;
  std::optional<keys::Hotkey> signer_;
  std::unique_ptr<net::HttpClient> http_;
};

}  // namespace nineteen::chain
