// End to end: a chain, real miners, and `nineteen validator` with a [gateway] table, all processes on
// loopback; a key from `nineteen apikey create`; requests through the validator's gateway are routed
// by the validator's own contenders, and their usage is read back with `nineteen apikey usage`.
#include <gtest/gtest.h>

#include <regex>
#include <thread>

#include <rapidjson/document.h>

#include "child_process.hpp"
#include "models_listing_wait.hpp"
#include "nineteen/chain/chain_client.hpp"
#include "nineteen/keys/hotkey_file.hpp"
#include "nineteen/net/http_client.hpp"

using namespace std::chrono_literals;
using test_support::ChildProcess;
using test_support::ScratchDir;

namespace {

std::string error_code(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.c_str());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("error") || !d["error"]["code"].IsString()) return "(" + body + ")";
  return d["error"]["code"].GetString();
}

}  // namespace

TEST(GatewayOnTheValidator, RoutesOrganicRequestsToTheValidatorsContendersAndBillsTheKey) {
  ScratchDir dir("gateway-e2e");
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
            "volume_per_request = 10\ntimeout_s = 2\nprice_per_million_input_tokens = 0.15\n"
            "price_per_million_output_tokens = 0.6\n");

  // Two honest miners and one that answers every request with a 500.
  std::vector<std::unique_ptr<ChildProcess>> miners;
  for (const std::string name : {"honest1", "honest2", "broken"}) {
    auto key = nineteen::keys::Hotkey::generate();
    nineteen::keys::save_hotkey(key, dir.file(name + ".json"));
    nineteen::chain::ChainClient(chain_url, key).register_node({key.ss58_address(), "", 0, nineteen::chain::NodeRole::miner, "", 0});
    std::string settings = "[miner]\nhotkey = \"" + name + ".json\"\nchain = \"" + chain_url + "\"\ntasks_file = \"tasks.toml\"\n";
    if (name == "broken") settings += "[miner.tasks.reverse-words]\nfail_rate = 1\n";
    dir.write(name + ".toml", settings);
    miners.push_back(std::make_unique<ChildProcess>(NINETEEN_BINARY, std::vector<std::string>{"miner", "--config", dir.file(name + ".toml")},
                                                    dir.file(name + ".log")));
    ASSERT_TRUE(miners.back()->wait_for_line(std::regex("listening on"))) << miners.back()->output();
  }

  auto [create_rc, created] = test_support::run_nineteen({"apikey", "create", "--db", dir.file("validator.db"), "--name", "e2e"});
  ASSERT_EQ(create_rc, 0) << created;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(created, m, std::regex("(nt-[0-9a-f]{32})"))) << created;
  const std::string key = m[1];
  ASSERT_TRUE(std::regex_search(created, m, std::regex("API key ([0-9]+) \"e2e\""))) << created;
  const std::string key_id = m[1];

  dir.write("validator.toml", "[validator]\nhotkey = \"validator.json\"\nchain = \"" + chain_url +
                                  "\"\ndb = \"validator.db\"\ntasks_file = \"tasks.toml\"\nperiod_s = 30\n"
                                  "answer_timeout_s = 2\n[gateway]\nport = 0\nkey_cache_s = 0\nusage_flush_s = 0.1\n");
  ChildProcess validator(NINETEEN_BINARY, {"validator", "--config", dir.file("validator.toml")}, dir.file("validator.log"));
  const std::string gateway = validator.wait_for_line(std::regex("gateway listening on (http://[0-9.:]+)")).value_or("");
  ASSERT_FALSE(gateway.empty()) << validator.output();

  nineteen::net::HttpClient client;
  auto post = [&](const std::string& body, const std::string& with_key) {
    nineteen::net::ClientRequest r;
    r.method = "POST";
    r.url = gateway + "/v1/text/transform";
    r.body = body;
    if (!with_key.empty()) r.headers.set("Authorization", "Bearer " + with_key);
    return r;
  };
  // The model is listed once the validator has its contenders (capacity queries at the period's start).
  const std::string models = gateway_testing::wait_until_listed(client, gateway, key, "reverse-words");
  ASSERT_NE(models.find("\"id\":\"reverse-words\""), std::string::npos) << models << validator.output();
  // The operator's price from tasks.toml, per token as OpenRouter lists it, and the plugin's listing.
  EXPECT_NE(models.find(R"("pricing":{"prompt":"0.00000015","completion":"0.0000006"})"), std::string::npos) << models;
  EXPECT_NE(models.find(R"("output_modalities":["text"])"), std::string::npos) << models;

  // Whatever order the validator picks, the broken miner is passed over: every answer is full.
  for (int i = 0; i < 6; ++i) {
    auto whole = client.send(post(R"({"model":"reverse-words","text":"abc de"})", key));
    EXPECT_EQ(whole.status, 200) << whole.body;
    EXPECT_EQ(whole.body, R"({"words":["cba","ed"]})");
  }
  std::vector<std::string> events;
  auto streamed = client.stream(post(R"({"model":"reverse-words","text":"abc de","stream":true})", key),
                                [&](const nineteen::net::SseEvent& e) {
                                  events.push_back(e.data);
                                  return true;
                                });
  EXPECT_EQ(streamed.status, 200) << streamed.body;
  EXPECT_TRUE(streamed.done_seen);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0], R"({"index":0,"word":"cba"})");

  EXPECT_EQ(error_code(client.send(post(R"({"model":"reverse-words","text":"abc"})", "nt-nope")).body), "invalid_api_key");
  EXPECT_EQ(error_code(client.send(post(R"({"model":"no-such-task"})", key)).body), "model_not_found");
  EXPECT_EQ(error_code(client.send(post("{not json", key)).body), "invalid_json");

  // The status page shows the validator's contenders.
  nineteen::net::ClientRequest page;
  page.url = gateway + "/";
  std::string html = client.send(page).body;
  EXPECT_NE(html.find("Task reverse-words"), std::string::npos) << html;
  EXPECT_NE(html.find("<table class=\"contenders\">"), std::string::npos) << html;

  // Usage: 7 answered requests, with the plugin's work (words), written by the gateway.
  std::string usage;
  for (auto deadline = std::chrono::steady_clock::now() + 10s; std::chrono::steady_clock::now() < deadline;) {
    usage = test_support::run_nineteen({"apikey", "usage", key_id, "--db", dir.file("validator.db")}).second;
    if (std::regex_search(usage, std::regex("reverse-words +7 "))) break;
    std::this_thread::sleep_for(200ms);
  }
  EXPECT_TRUE(std::regex_search(usage, std::regex("reverse-words +7 +[1-9]"))) << usage;

  // Revoked: refused from the next request on.
  auto [revoke_rc, revoked] = test_support::run_nineteen({"apikey", "revoke", key_id, "--db", dir.file("validator.db")});
  EXPECT_EQ(revoke_rc, 0) << revoked;
  EXPECT_EQ(error_code(client.send(post(R"({"model":"reverse-words","text":"abc"})", key)).body), "revoked_api_key");

  validator.signal(SIGTERM);
  EXPECT_EQ(validator.wait_exit(20s), 0) << validator.output();
}
