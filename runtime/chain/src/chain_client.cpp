// ChainClient: each Chain call as one HTTP exchange with the local chain; refusals come back as answers.
#include "nineteen/chain/chain_client.hpp"

#include <cctype>
#include <stdexcept>

#include "chain_wire.hpp"
#include "nineteen/keys/signed_request_guard.hpp"
#include "nineteen/sdk/json.hpp"

namespace nineteen::chain {
namespace {

// The message of an OpenAI-shaped error body, or the body itself when it is not one.
std::string error_message(const std::string& body) {
  rapidjson::Document doc;
  if (sdk::parse_json_bounded(doc, body).empty() && doc.IsObject() && doc.HasMember("error") && doc["error"].IsObject() &&
      doc["error"].HasMember("message") && doc["error"]["message"].IsString()) {
    return doc["error"]["message"].GetString();
  }
  return body.substr(0, 300);
}

// Percent-encodes everything but unreserved characters, for a query value.
std::string url_encoded(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

template <typename Read>
auto read_answer(const std::string& url, const std::string& body, Read read) {
  try {
    auto doc = wire::parse_object(body, "answer of " + url);
    return read(doc, "answer of " + url);
  } catch (const std::invalid_argument& e) {
    throw ChainError(std::string(e.what()) + " (is that address a nineteen chain?)");
  }
}

}  // namespace

ChainClient::ChainClient(std::string base_url, std::optional<keys::Hotkey> signer, net::ClientOptions options)
    : base_url_(std::move(base_url)), signer_(std::move(signer)), http_(std::make_unique<net::HttpClient>(options)) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

ChainClient::~ChainClient() = default;

net::ClientOptions ChainClient::default_options() {
  net::ClientOptions options;
  options.timeouts.connect = std::chrono::seconds(5);
  options.timeouts.first_byte = std::chrono::seconds(10);
  options.timeouts.total = std::chrono::seconds(20);
  return options;
}

std::optional<std::string> ChainClient::get(const std::string& target, bool none_when_404) {
  net::ClientRequest request;
  request.method = "GET";
  request.url = base_url_ + target;
  net::ClientResult result = http_->send(request);
  if (!result.ok()) {
    throw ChainError("chain at " + base_url_ + ": GET " + target + ": " + result.error_message +
                     " (is `nineteen chain` running there?)");
  }
  if (result.status == 404 && none_when_404) return std::nullopt;
  if (result.status != 200) {
    throw ChainError("chain at " + base_url_ + ": GET " + target + " answered " + std::to_string(result.status) +
                     ": " + error_message(result.body));
  }
  return std::move(result.body);
}

std::vector<Neuron> ChainClient::metagraph() {
  return read_answer(base_url_ + "/metagraph", *get("/metagraph"), wire::read_metagraph);
}

std::uint64_t ChainClient::current_block() {
  return read_answer(base_url_ + "/block", *get("/block"), wire::read_block);
}

ChainParams ChainClient::params() { return read_answer(base_url_ + "/params", *get("/params"), wire::read_params); }

std::optional<ValidatorWeights> ChainClient::weights_of(const std::string& validator_hotkey) {
  auto body = get("/weights?hotkey=" + url_encoded(validator_hotkey), true);
  if (!body) return std::nullopt;
  return read_answer(base_url_ + "/weights", *body, wire::read_weights);
}

Incentives ChainClient::incentives() {
  return read_answer(base_url_ + "/incentives", *get("/incentives"), wire::read_incentives);
}

WriteResult ChainClient::post(const std::string& endpoint, const std::string& hotkey, const std::string& body) {
  WriteResult refused;
  if (!signer_) {
    refused.reason = endpoint + ": this chain client has no hotkey to sign with; give it the node's key file";
    return refused;
  }
  if (!hotkey.empty() && hotkey != signer_->ss58_address()) {
    refused.reason = endpoint + ": this client signs as " + signer_->ss58_address() + " and cannot act for " + hotkey;
    return refused;
  }
  net::ClientRequest request;
  request.method = "POST";
  request.url = base_url_ + "/" + endpoint;
  request.body = body;
  request.headers.set("Content-Type", "application/json");
  keys::add_signature_headers(request.headers, *signer_, wire::kChainAudience, body);
  net::ClientResult result = http_->send(request);
  if (!result.ok()) {
    throw ChainError("chain at " + base_url_ + ": POST /" + endpoint + ": " + result.error_message +
                     " (is `nineteen chain` running there?)");
  }
  if (result.status == 200) return read_answer(request.url, result.body, wire::read_accepted);
  if (result.status == 400 || result.status == 401 || result.status == 403) {
    refused.reason = error_message(result.body);
    return refused;
  }
  throw ChainError("chain at " + base_url_ + ": POST /" + endpoint + " answered " + std::to_string(result.status) +
                   ": " + error_message(result.body));
}

WriteResult ChainClient::register_node(const Registration& registration) {
  return post("register", registration.hotkey, wire::register_body(registration));
}

WriteResult ChainClient::serve(const std::string& hotkey, const std::string& ip, std::uint16_t port) {
  return post("serve", hotkey, wire::serve_body(ip, port));
}

WriteResult ChainClient::set_weights(const std::string& validator_hotkey, const std::vector<std::uint16_t>& uids,
                                     const std::vector<std::uint16_t>& values, std::uint64_t version_key) {
  return post("set_weights", validator_hotkey, wire::set_weights_body(uids, values, version_key));
}

WriteResult ChainClient::set_commitment(const std::string& hotkey, const std::string& data) {
  return post("set_commitment", hotkey, wire::set_commitment_body(data));
}

std::vector<Commitment> ChainClient::commitments() {
  return read_answer(base_url_ + "/commitments", *get("/commitments"), wire::read_commitments);
}

}  // namespace nineteen::chain
