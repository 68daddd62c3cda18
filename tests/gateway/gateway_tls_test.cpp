// HTTPS all the way, as real processes on loopback: a miner serving TLS with a certificate from its
// settings, a validator that reaches miners over https:// (miners_https, miners_ca_file), and its
// gateway serving users over TLS. Plain HTTP is refused on both TLS ports.
#include <gtest/gtest.h>

#include <regex>
#include <thread>

#include "child_process.hpp"
#include "models_listing_wait.hpp"
#include "nineteen/chain/chain_client.hpp"
#include "nineteen/keys/hotkey_file.hpp"
#include "nineteen/net/http_client.hpp"
#include "self_signed_certificate.hpp"

using namespace std::chrono_literals;
using test_support::ChildProcess;
using test_support::ScratchDir;
using test_support::SelfSignedCertificate;

TEST(GatewayTls, UsersReachTheGatewayAndTheValidatorReachesItsMinersOverHttps) {
  ScratchDir dir("gateway-tls");
  SelfSignedCertificate cert;
  dir.write("chain.toml", "[chain]\nport = 0\ndb = \"chain.db\"\nblock_time_s = 0.1\ntempo = 10\nrate_limit = 2\n");
  ChildProcess chain(NINETEEN_BINARY, {"chain", "--config", dir.file("chain.toml")}, dir.file("chain.log"));
  const std::string chain_url = chain.wait_for_line(std::regex("serving (http://[0-9.:]+)")).value_or("");
  ASSERT_FALSE(chain_url.empty()) << chain.output();
  auto validator_key = nineteen::keys::Hotkey::generate();
  nineteen::keys::save_hotkey(validator_key, dir.file("validator.json"));
  nineteen::chain::ChainClient(chain_url, validator_key)
      .register_node({validator_key.ss58_address(), "", 1000, nineteen::chain::NodeRole::validator, "", 0});
  dir.write("tasks.toml",
            "[tasks.reverse-words]\nplugin = \"text_transform\"\nmode = \"reverse\"\nmax_capacity = 1000\n"
            "volume_per_request = 10\ntimeout_s = 2\n");

  const std::string tls_keys = "tls_certificate = \"" + cert.certificate.string() + "\"\ntls_private_key = \"" +
                               cert.private_key.string() + "\"\n";
  auto miner_key = nineteen::keys::Hotkey::generate();
  nineteen::keys::save_hotkey(miner_key, dir.file("miner.json"));
  nineteen::chain::ChainClient(chain_url, miner_key)
      .register_node({miner_key.ss58_address(), "", 0, nineteen::chain::NodeRole::miner, "", 0});
  dir.write("miner.toml", "[miner]\nhotkey = \"miner.json\"\nchain = \"" + chain_url + "\"\ntasks_file = \"tasks.toml\"\n" +
                              tls_keys);
  ChildProcess miner(NINETEEN_BINARY, {"miner", "--config", dir.file("miner.toml")}, dir.file("miner.log"));
  const std::string miner_url = miner.wait_for_line(std::regex("listening on (https://[0-9.:]+)")).value_or("");
  ASSERT_FALSE(miner_url.empty()) << miner.output();

  auto [create_rc, created] = test_support::run_nineteen({"apikey", "create", "--db", dir.file("validator.db"), "--name", "tls"});
  ASSERT_EQ(create_rc, 0) << created;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(created, m, std::regex("(nt-[0-9a-f]{32})"))) << created;
  const std::string key = m[1];

  dir.write("validator.toml", "[validator]\nhotkey = \"validator.json\"\nchain = \"" + chain_url +
                                  "\"\ndb = \"validator.db\"\ntasks_file = \"tasks.toml\"\nperiod_s = 30\n"
                                  "answer_timeout_s = 2\nminers_https = true\nminers_ca_file = \"" +
                                  cert.certificate.string() + "\"\n[gateway]\nport = 0\nkey_cache_s = 0\n" + tls_keys);
  ChildProcess validator(NINETEEN_BINARY, {"validator", "--config", dir.file("validator.toml")}, dir.file("validator.log"));
  const std::string gateway = validator.wait_for_line(std::regex("gateway listening on (https://[0-9.:]+)")).value_or("");
  ASSERT_FALSE(gateway.empty()) << validator.output();

  nineteen::net::ClientOptions options;
  options.tls_ca_file = cert.certificate.string();
  nineteen::net::HttpClient client(options);
  auto post = [&](const std::string& body) {
    nineteen::net::ClientRequest r;
    r.method = "POST";
    r.url = gateway + "/v1/text/transform";
    r.body = body;
    r.headers.set("Authorization", "Bearer " + key);
    return r;
  };
  // The model is listed once the validator has asked its miner's capacity, over https://.
  const std::string models = gateway_testing::wait_until_listed(client, gateway, key, "reverse-words");
  ASSERT_NE(models.find("\"id\":\"reverse-words\""), std::string::npos) << models << validator.output();

  auto whole = client.send(post(R"({"model":"reverse-words","text":"abc de"})"));
  EXPECT_EQ(whole.status, 200) << whole.error_message << whole.body;
  EXPECT_EQ(whole.body, R"({"words":["cba","ed"]})");
  std::vector<std::string> events;
  auto streamed = client.stream(post(R"({"model":"reverse-words","text":"abc de","stream":true})"),
                                [&](const nineteen::net::SseEvent& e) {
                                  events.push_back(e.data);
                                  return true;
                                });
  EXPECT_EQ(streamed.status, 200) << streamed.error_message;
  EXPECT_TRUE(streamed.done_seen);
  EXPECT_EQ(events.size(), 3u);

  // Plain HTTP reaches neither TLS port: the miner's answers above came over TLS.
  nineteen::net::HttpClient plain;
  for (const std::string& url : {miner_url, gateway}) {
    nineteen::net::ClientRequest r;
    r.url = "http://" + url.substr(std::string("https://").size()) + "/health";
    auto refused = plain.send(r);
    EXPECT_FALSE(refused.ok()) << url << " answered plain HTTP: " << refused.status;
  }
}
