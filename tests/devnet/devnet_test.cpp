// `nineteen devnet` end to end: real processes, scripted miner behaviours, and the weights they earn.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

#include "child_process.hpp"
#include "nineteen/chain/open_chain.hpp"
#include "nineteen/devnet/devnet.hpp"
#include "nineteen/net/http_client.hpp"
#include "nineteen/net/status_report.hpp"
#include "nineteen/store/sqlite_validator_store.hpp"

namespace {

std::map<std::string, double> weight_by_behaviour(const std::vector<nineteen::devnet::MinerRow>& rows) {
  std::map<std::string, std::map<unsigned, double>> by;
  for (const auto& r : rows) by[r.behaviour][r.uid] = r.weight;  // one final weight per miner
  std::map<std::string, double> out;
  for (const auto& [behaviour, miners] : by) {
    for (const auto& [uid, w] : miners) out[behaviour] += w;
  }
  return out;
}

// The last "weights #N" table the devnet printed: what a failure message needs, without the
// earlier settings (the whole run's output buries the failing line in CI's excerpt).
std::string last_weights(const std::string& printed) {
  size_t at = printed.rfind("weights #");
  return at == std::string::npos ? printed : printed.substr(at);
}

// A devnet in `dir` that stops by itself after `periods` periods of 12 s.
nineteen::devnet::DevnetOptions test_options(const test_support::ScratchDir& dir, int periods,
                                             std::vector<std::string> miners) {
  nineteen::devnet::DevnetOptions options;
  options.dir = dir.path().string();
  options.binary = NINETEEN_BINARY;
  options.periods = periods;
  options.exit_after = true;
  options.period_s = 12;
  options.miners = std::move(miners);
  return options;
}

}  // namespace

TEST(Devnet, BehavioursEarnTheWeightsTheMechanismPromises) {
  test_support::ScratchDir dir("devnet");
  nineteen::devnet::DevnetOptions options =
      test_options(dir, 3, {"honest", "honest", "quantized", "wrong-model", "lazy", "slow", "flaky", "full", "offline"});
  nineteen::devnet::Devnet devnet(options);
  devnet.start();
  std::string printed;
  devnet.run([&](const std::string& text) { printed += text; });

  // The network keeps serving users: the validator's gateway answers with the key the devnet made.
  ASSERT_FALSE(devnet.gateway_url().empty()) << devnet.validator_log();
  nineteen::net::HttpClient client;
  nineteen::net::ClientRequest request;
  request.method = "POST";
  request.url = devnet.gateway_url() + "/v1/text/transform";
  request.body = R"({"model":"reverse-words","text":"hello devnet"})";
  request.headers.set("Authorization", "Bearer " + devnet.api_key());
  request.headers.set("Content-Type", "application/json");
  auto answer = client.send(request);
  EXPECT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.body, R"({"words":["olleh","tenved"]})");

  // The nodes ran on the chain's Substrate JSON-RPC (SubtensorChain): the miners' axons and the
  // validator's weights read back through it.
  ASSERT_EQ(devnet.chain_rpc_url().rfind("ws://", 0), 0u) << printed;
  EXPECT_NE(printed.find(devnet.chain_rpc_url()), std::string::npos) << printed;
  auto chain = nineteen::chain::open_chain(devnet.chain_rpc_url(), nineteen::devnet::Devnet::chain_netuid());
  size_t serving = 0;
  std::optional<nineteen::chain::ValidatorWeights> weights;
  for (const auto& n : chain->metagraph()) {
    if (n.role == nineteen::chain::NodeRole::miner && n.ip == "127.0.0.1" && n.port != 0) ++serving;
    if (n.role == nineteen::chain::NodeRole::validator) weights = chain->weights_of(n.hotkey);
  }
  EXPECT_EQ(serving, options.miners.size()) << printed;
  ASSERT_TRUE(weights.has_value()) << printed << devnet.validator_log();
  EXPECT_FALSE(weights->uids.empty());
  devnet.stop();

  auto rows = devnet.latest_rows();
  ASSERT_FALSE(rows.empty()) << printed << devnet.validator_log();
  std::cout << last_weights(printed);
  auto w = weight_by_behaviour(rows);
  // What the mechanism promises (MECHANISM.md §4-§7), stated so that the noise of a 3-period run on
  // 2 busy cores cannot break it: with ~3 checks per miner per task and a speed bonus of ±25% that
  // is cubed, one miner's share moves a lot between runs (seen: flaky at 10% when it ranked fastest).
  // Wrong answers earn nothing:
  EXPECT_LT(w["wrong-model"], 0.01);
  EXPECT_LT(w["lazy"], 0.01);
  EXPECT_LT(w["offline"], 0.01);  // never a contender: no row at all
  // Miners whose answers are right (honest, quantized, slow, full) hold most of the weight; flaky
  // (500 to half its requests, so a period score near 0.5 and an effective volume cubed near 1/8)
  // holds the rest, and less than an honest miner.
  EXPECT_GE(w["honest"] + w["quantized"] + w["slow"] + w["full"], 0.80);
  EXPECT_GT(w["full"], w["flaky"]);
  EXPECT_GT(w["honest"] / 2, w["flaky"]);
  // Quantized: its answers pass checking like an honest miner's. A single answer of a tiny random
  // model sampled at a high temperature can check below 1 for honest miners too (tokens outside the
  // reference's top 20 count as distance 1: seen 0.917 for an honest one), and there are a handful
  // of checks per task, so the bar is "passes checking" (a wrong model scores 0), not a mean of 1.
  for (const auto& r : rows) {
    // A row with no checked answer yet (the checker is behind on images) has no quality to judge.
    if (r.behaviour == "quantized" && r.checked > 0) EXPECT_GE(r.quality, 0.5) << r.task;
  }
  EXPECT_GT(w["quantized"], w["flaky"]);
  EXPECT_GT(w["quantized"], 0.25 * w["honest"] / 2);
  EXPECT_NE(printed.find("overall"), std::string::npos);
}


// Issue 18, item 1: three validators (stakes 60/30/10) on the chain's Yuma consensus, the smallest
// one colluding with the wrong-model miner. Text task only, so the run stays short.
TEST(Devnet, YumaConsensusClipsAValidatorThatFavoursAMiner) {
  test_support::ScratchDir dir("devnet-yuma");
  nineteen::devnet::DevnetOptions options = test_options(dir, 2, {"honest", "honest", "wrong-model", "flaky"});
  options.llm = false;
  options.validators = nineteen::devnet::parse_validator_specs("honest:600,honest:300,favour:100");
  nineteen::devnet::Devnet devnet(options);
  devnet.start();
  std::string printed;
  devnet.run([&](const std::string& text) { printed += text; });
  // The first validator's status page shows every validator's weights beside the consensus.
  nineteen::net::HttpClient client;
  nineteen::net::ClientRequest page;
  page.method = "GET";
  page.url = devnet.gateway_url() + "/status.json";
  const auto status = client.send(page);
  devnet.stop();
  ASSERT_EQ(status.status, 200) << status.body;
  const auto report = nineteen::net::parse_status_report_json(status.body);
  size_t validator_columns = 0, consensus_rows = 0;
  for (const auto& t : report.tables) {
    if (t.id != "consensus") continue;
    consensus_rows = t.rows.size();
    for (const auto& c : t.columns) validator_columns += c.find(" weight") != std::string::npos ? 1 : 0;
  }
  EXPECT_EQ(validator_columns, 3u) << status.body;
  EXPECT_GE(consensus_rows, 3u) << status.body;
  // Item 2: every validator published a task vote on the chain; the page shows each beside the
  // effective weights (one task here, so it keeps all of it whatever the votes).
  size_t vote_columns = 0, task_rows = 0;
  for (const auto& t : report.tables) {
    if (t.id != "task_weights") continue;
    task_rows = t.rows.size();
    for (const auto& c : t.columns) vote_columns += c.find(" vote") != std::string::npos ? 1 : 0;
  }
  EXPECT_EQ(vote_columns, 3u) << status.body;
  EXPECT_EQ(task_rows, 1u) << status.body;
  EXPECT_NEAR(devnet.latest_task_weights()["reverse-words"], 1.0, 1e-9);
  EXPECT_NE(printed.find("task weights (stake-weighted median"), std::string::npos) << last_weights(printed);
  const auto rows = devnet.latest_consensus();
  ASSERT_FALSE(rows.empty()) << printed;
  std::cout << last_weights(printed);
  std::map<std::string, std::vector<nineteen::devnet::ConsensusRow>> by_who;
  for (const auto& r : rows) by_who[r.who].push_back(r);
  ASSERT_EQ(by_who["validator honest"].size(), 2u);
  ASSERT_EQ(by_who["validator favour"].size(), 1u);
  ASSERT_EQ(by_who["wrong-model"].size(), 1u);
  ASSERT_EQ(by_who["honest"].size(), 2u);
  const auto& favour = by_who["validator favour"].front();
  EXPECT_EQ(favour.task_votes, nineteen::devnet::devnet_task_votes("favour", 2));
  EXPECT_EQ(by_who["validator honest"][0].task_votes, nineteen::devnet::devnet_task_votes("honest", 0));
  const auto& favoured = by_who["wrong-model"].front();
  // The favouring validator did put its largest weight on the wrong-model miner...
  ASSERT_EQ(favoured.weight_by_validator.size(), 3u);
  EXPECT_GT(favoured.weight_by_validator[2], 0.3);
  EXPECT_LT(favoured.weight_by_validator[0], 0.01);
  // ...and consensus clipped it: the favoured miner's incentive stays at its honest share (0),
  // within 1 %, and the colluder's dividends fall below its 10 % stake share, its trust below the
  // honest validators'.
  EXPECT_LT(favoured.incentive, 0.01);
  EXPECT_LT(favour.dividends, 0.10);
  // Honest validators, together, earn more dividends per stake than the colluder. (Each alone need
  // not: dividends follow bonds, and on a loaded machine an honest validator whose first weights
  // landed an epoch late holds fewer bonds after these few epochs: once 3 % on 30 % of the stake.)
  double honest_dividends = 0, honest_stake = 0;
  for (const auto& honest : by_who["validator honest"]) {
    EXPECT_GT(honest.validator_trust, favour.validator_trust + 0.2);
    honest_dividends += honest.dividends;
    honest_stake += honest.stake_share;
  }
  EXPECT_GT(honest_dividends / honest_stake, favour.dividends / favour.stake_share);
  // The two identical honest miners share the incentive equally (within 5 %).
  const double a = by_who["honest"][0].incentive, b = by_who["honest"][1].incentive;
  EXPECT_GT(a, 0.2);
  EXPECT_LT(std::fabs(a - b) / std::max(a, b), 0.05);
  EXPECT_NE(printed.find("consensus (Yuma"), std::string::npos);
}

// Issue 18, done when: under organic bursts every behaviour earns in the mechanism's order,
//   honest ≥ quantized > slow > full > flaky > wrong-model = lazy = 0.
// "slow" answers right but slower (a 20 ms wait per chunk: it loses its speed bonus, never times out);
// "full" declares the same capacity as an honest miner but serves one request at a time, so bursts
// meet its 429s while its declared volume is unused: its period score drops, its capacity is credited
// by the share it served (the requests routed around it after a 429 count as refused, with the chance
// it had of being asked), and it gets no positive speed bonus; "flaky" fails half its requests (a 5xx
// costs more than a 429). Text task only (quantized then serves exactly as honest does): the smallest
// devnet that shows the order, ~50 s. With the models (`nineteen devnet --organic-burst 8`, 3 periods)
// it takes 2–4 minutes on 2 cores and the image tasks time out for every miner when the machine is busy.
TEST(Devnet, BehavioursRankInTheMechanismsOrderUnderOrganicBursts) {
  test_support::ScratchDir dir("devnet-organic-bursts");
  nineteen::devnet::DevnetOptions options =
      test_options(dir, 3, {"honest", "honest", "quantized", "slow", "full", "flaky", "wrong-model", "lazy"});
  options.llm = false;
  options.period_s = 10;
  // Bursts of 16 every 0.25 s: more than the routable miners take one at a time, so a miner that serves
  // one request at a time meets them whichever miners the gateway prefers at the moment.
  options.organic_burst = 16;
  options.organic_every_s = 0.25;
  nineteen::devnet::Devnet devnet(options);
  devnet.start();
  std::string printed;
  devnet.run([&](const std::string& text) { printed += text; });
  devnet.stop();
  const auto statuses = devnet.organic_statuses();
  ASSERT_GT(statuses.count(200) ? statuses.at(200) : 0, 50u) << last_weights(printed);
  const auto rows = devnet.latest_rows();
  ASSERT_FALSE(rows.empty()) << printed << devnet.validator_log();
  std::cout << last_weights(printed);
  std::map<std::string, std::vector<nineteen::devnet::MinerRow>> by;
  for (const auto& r : rows) by[r.behaviour].push_back(r);
  ASSERT_EQ(by["honest"].size(), 2u) << last_weights(printed);
  for (const char* b : {"quantized", "slow", "full", "flaky", "wrong-model", "lazy"})
    ASSERT_EQ(by[b].size(), 1u) << b << "\n" << last_weights(printed);
  const auto w = weight_by_behaviour(rows);
  const double honest_mean = w.at("honest") / 2;
  // quantized serves exactly as honest does on the text task, so "honest ≥ quantized" is equality in
  // expectation; an upper bound would test the speed measure's noise instead (on busy cores one of three
  // identical miners was measured up to +0.25 faster: 40 % against 22 %). Each of them beats slow.
  for (const auto& r : by["honest"]) EXPECT_GT(r.weight, w.at("slow")) << last_weights(printed);
  EXPECT_GT(w.at("quantized"), w.at("slow")) << last_weights(printed);
  // slow > full: before the requests routed around the full miner counted, it held only on a busy
  // machine; on a quiet one the gateway kept the full miner out of most bursts (served 0.93-0.96) and
  // it out-earned slow (16-17.5 % against 9.7-10.3 %). Now 4.0-4.3 % and 0.7 % quiet, 2.9-4.3 % at
  // load 8 (slow 9-11.4 %).
  for (const auto& r : by["honest"]) EXPECT_GT(r.weight, w.at("full")) << last_weights(printed);
  std::cout << "slow / full weight: " << w.at("slow") / std::max(w.at("full"), 1e-9) << "\n";
  EXPECT_GT(w.at("slow"), w.at("full")) << "half speed costs less than declaring what one cannot serve\n"
                                        << last_weights(printed);
  EXPECT_GT(w.at("full"), w.at("flaky")) << "a 429 costs less than a 5xx\n" << last_weights(printed);
  EXPECT_LT(w.at("wrong-model"), 0.001) << last_weights(printed);
  EXPECT_LT(w.at("lazy"), 0.001) << last_weights(printed);
  // Why: slow loses its speed bonus, and only that; full loses period score and credited capacity.
  const auto& slow = by["slow"].front();
  const auto& full = by["full"].front();
  const double honest_period = std::max(by["honest"][0].period_score, by["honest"][1].period_score);
  EXPECT_LT(slow.speed_bonus, -0.1) << last_weights(printed);
  EXPECT_GE(slow.served_share, 0.95) << "slow, not broken: it answers within the timeout\n" << last_weights(printed);
  EXPECT_LT(full.period_score, honest_period) << "the full miner's 429s are counted\n" << last_weights(printed);
  EXPECT_LT(full.served_share, 0.95) << last_weights(printed);
  EXPECT_LE(full.speed_bonus, 0) << last_weights(printed);
}

#ifdef NINETEEN_DEVNET_TEST_MODELS
// Issue 22: organic answers are checkable and checked. Users send chat, completions, embeddings and
// image requests through the gateway without asking for logprobs or token ids; the honest miner's
// organic answers check as 1 and the wrong-model miner's as 0 within the run, and no user answer
// carries logprobs or token ids it did not ask for.
TEST(Devnet, OrganicAnswersAreCheckedWithTheQualityTheirMinerEarns) {
  test_support::ScratchDir dir("devnet-organic");
  nineteen::devnet::DevnetOptions options = test_options(dir, 4, {"honest", "wrong-model"});
  nineteen::devnet::Devnet devnet(options);
  devnet.start();
  ASSERT_FALSE(devnet.gateway_url().empty()) << devnet.validator_log();
  {
    // Issue 25, item 1: a key the task does not implement is refused by name at the gateway (by
    // the task's own rules), not ignored.
    nineteen::net::HttpClient client;
    nineteen::net::ClientRequest r;
    r.method = "POST";
    r.url = devnet.gateway_url() + "/v1/chat/completions";
    r.body = R"({"model":"chat-tiny-llama","messages":[{"role":"user","content":"hi"}],"logit_bias":{"1":5}})";
    r.headers.set("Authorization", "Bearer " + devnet.api_key());
    auto refused = client.send(r);
    EXPECT_EQ(refused.status, 400) << refused.body;
    EXPECT_NE(refused.body.find("\"code\":\"unsupported_parameter\""), std::string::npos) << refused.body;
    EXPECT_NE(refused.body.find("\"param\":\"logit_bias\""), std::string::npos) << refused.body;
    // Issue 25, item 2: a schema keyword constrained decoding does not enforce, refused by name.
    r.body = R"({"model":"chat-tiny-llama","messages":[{"role":"user","content":"hi"}],"response_format":)"
             R"({"type":"json_schema","json_schema":{"name":"n","schema":{"type":"integer","minimum":3}}}})";
    refused = client.send(r);
    EXPECT_EQ(refused.status, 400) << refused.body;
    EXPECT_NE(refused.body.find("\"code\":\"unsupported_parameter\""), std::string::npos) << refused.body;
    EXPECT_NE(refused.body.find("keyword \\\"minimum\\\""), std::string::npos) << refused.body;
  }

  struct Organic {
    const char* path;
    const char* body;
  };
  const std::vector<Organic> requests = {
      {"/v1/chat/completions", R"({"model":"chat-tiny-llama","messages":[{"role":"user","content":"Hello there"}],"max_tokens":8,"temperature":0})"},
      {"/v1/completions", R"({"model":"completions-tiny-llama","prompt":"Once upon a time","max_tokens":8,"temperature":0})"},
      {"/v1/embeddings", R"({"model":"embed-tiny-bert","input":"a red apple"})"},
      {"/v1/images/generations", R"({"model":"text-to-image-tiny","prompt":"a lighthouse","steps":4,"seed":3})"},
  };
  std::atomic<bool> sending{true};
  std::map<std::string, int> answered;
  std::vector<std::string> leaked;
  std::thread users([&] {
    nineteen::net::HttpClient client;
    // Organic load through the first period and a bit, so every answer is checked before the end
    // (an image check regenerates the image: images are asked for one round in four).
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    for (int round = 0; sending && std::chrono::steady_clock::now() < until; ++round) {
      for (const Organic& o : requests) {
        if (std::string(o.path) == "/v1/images/generations" && round % 4 != 0) continue;
        nineteen::net::ClientRequest r;
        r.method = "POST";
        r.url = devnet.gateway_url() + o.path;
        r.body = o.body;
        r.headers.set("Authorization", "Bearer " + devnet.api_key());
        r.headers.set("Content-Type", "application/json");
        auto answer = client.send(r);
        if (answer.status != 200) continue;  // e.g. no contender yet in the first seconds
        ++answered[o.path];
        if (answer.body.find("\"token_ids\"") != std::string::npos ||
            (answer.body.find("\"logprobs\":{") != std::string::npos) ||
            answer.body.find("\"token_logprobs\"") != std::string::npos) {
          leaked.push_back(answer.body.substr(0, 300));
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
  });
  std::string printed;
  devnet.run([&](const std::string& text) { printed += text; });
  sending = false;
  users.join();
  devnet.stop();

  EXPECT_TRUE(leaked.empty()) << "a user got logprobs or token ids it did not ask for: " << leaked.front();
  for (const Organic& o : requests) EXPECT_GT(answered[o.path], 0) << o.path << " was never answered\n" << last_weights(printed);

  std::map<std::string, std::string> behaviour_of;
  for (const auto& r : devnet.latest_rows()) behaviour_of[r.hotkey] = r.behaviour;
  nineteen::store::SqliteValidatorStore store((dir.path() / "run" / "validator" / "validator.db").string());
  const auto start = std::chrono::system_clock::now() - std::chrono::hours(1);
  const auto end = std::chrono::system_clock::now() + std::chrono::hours(1);
  std::map<std::string, int> organic_checked;
  for (const char* task : {"chat-tiny-llama", "completions-tiny-llama", "embed-tiny-bert", "text-to-image-tiny"}) {
    for (const auto& a : store.checked_answers(task, start, end)) {
      if (a.synthetic) continue;
      const std::string behaviour = behaviour_of[a.miner_hotkey];
      ++organic_checked[task];
      if (behaviour == "honest") {
        EXPECT_GE(a.quality, 0.99) << task << ": " << a.reason;
      } else if (behaviour == "wrong-model") {
        EXPECT_LE(a.quality, 0.01) << task << ": " << a.reason;
      }
    }
    EXPECT_GT(organic_checked[task], 0) << task << ": no organic answer was checked\n" << last_weights(printed);
  }
  // Every organic answer kept was checked (synthetic ones may still wait: on 2 cores the checker does
  // not keep up with the devnet's synthetic schedule, and organic answers go first).
  for (const auto& a : store.next_answers_to_check("", 100000)) {
    EXPECT_TRUE(a.synthetic) << "an organic answer of " << a.task << " was never checked";
  }
}
#endif

#ifdef NINETEEN_DEVNET_TEST_MODELS
// Issue 23: `nineteen devnet --check-backend`. The checker loads the LLM tasks without weights and
// checks them through a second node's prompt_logprobs endpoint (an unsigned miner on the reference
// model, as vLLM would be), so every LLM quality below came through the backend; the ranking is the
// in-process checker's: honest answers pass, the wrong model's earn nothing.
TEST(Devnet, CheckBackendChecksTheLlmTasksThroughASecondNode) {
  test_support::ScratchDir dir("devnet-check-backend");
  nineteen::devnet::DevnetOptions options = test_options(dir, 2, {"honest", "wrong-model"});
  options.check_backend = true;
  nineteen::devnet::Devnet devnet(options);
  devnet.start();
  std::string printed;
  devnet.run([&](const std::string& text) { printed += text; });
  devnet.stop();
  EXPECT_NE(printed.find("checking the LLM tasks through the node at http://"), std::string::npos) << printed;
  std::ifstream catalogue(dir.path() / "run" / "checker" / "tasks.toml");
  const std::string text((std::istreambuf_iterator<char>(catalogue)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("check_backend = \"http://"), std::string::npos) << text;

  // Two 12 s periods draw a handful of checks per task: the chat task (weight 0.6) always has some;
  // the completions task (weight 0.1) may have none for a miner, so each row is judged when checked.
  std::map<std::string, std::map<std::string, nineteen::devnet::MinerRow>> by_task;
  for (const auto& r : devnet.latest_rows()) by_task[r.task][r.behaviour] = r;
  ASSERT_GT(by_task["chat-tiny-llama"]["honest"].checked, 0u) << last_weights(printed);
  ASSERT_GT(by_task["chat-tiny-llama"]["wrong-model"].checked, 0u) << last_weights(printed);
  for (const char* task : {"chat-tiny-llama", "completions-tiny-llama"}) {
    for (const auto& [behaviour, row] : by_task[task]) {
      if (row.checked == 0) continue;
      // A tiny random model's honest answer can check a little below 1 (see above); the wrong model's is 0.
      if (behaviour == "honest") EXPECT_GE(row.quality, 0.5) << task << "\n" << last_weights(printed);
      if (behaviour == "wrong-model") EXPECT_LT(row.quality, 0.1) << task << "\n" << last_weights(printed);
    }
  }
  EXPECT_GT(by_task["chat-tiny-llama"]["honest"].task_share, by_task["chat-tiny-llama"]["wrong-model"].task_share);
  auto w = weight_by_behaviour(devnet.latest_rows());
  EXPECT_GT(w["honest"], w["wrong-model"]) << last_weights(printed);
  std::cout << last_weights(printed);
}
#endif
