// Issue 18, item 4 for the chat task: a miner cannot tell the validator's synthetic chat requests
// from users' ones. What counts is what the miner receives, so both are captured at a "miner" (a
// real HTTP server on loopback that records every request and answers 429):
//   synthetic: the llm plugin's synthesize (loaded through the plugin host, on the devnet's tiny
//              Llama) sent as the validator sends it: with_model(synthesize(seed), task) through
//              validator::query_miner, signed with the validator's key;
//   organic:   the devnet's chat users (devnet::organic_chat_body) posted to a real gateway, which
//              refuses what the task refuses (the plugin's validate, as the validator does), makes
//              the request checkable (the plugin's check_needs) and sends it to the miner.
// A classifier trained on what the miner saw (body keys, their order and values, message counts,
// lengths and token statistics, headers) must stay near chance on held-out requests. A control
// shows it does separate the synthesizer's request form before this change.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "child_process.hpp"
#include "loopback_routing.hpp"
#include "nineteen/config/task_catalog.hpp"
#include "nineteen/devnet/devnet.hpp"
#include "nineteen/gateway/api_key_text.hpp"
#include "nineteen/gateway/gateway_server.hpp"
#include "nineteen/keys/hotkey.hpp"
#include "nineteen/net/http_client.hpp"
#include "nineteen/net/http_server.hpp"
#include "nineteen/net/openai_request.hpp"
#include "nineteen/plugin_host/plugin_host.hpp"
#include "nineteen/sdk/json.hpp"
#include "nineteen/store/sqlite_validator_store.hpp"
#include "nineteen/validator/miner_query.hpp"
#include "request_classifier.hpp"

namespace {

const std::string kTask = "chat-tiny-llama";
const std::string kEndpoint = "/v1/chat/completions";

// One request as the miner received it.
struct Received {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// The miner: records every request, answers 429 (full), so that nothing else differs between them.
class RecordingMiner {
 public:
  RecordingMiner() {
    nineteen::net::Router router;
    router.add("POST", kEndpoint, [this](const nineteen::net::Request& r) -> nineteen::net::Reply {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        received_.push_back({r.headers.fields(), r.body});
      }
      nineteen::net::Response response;
      response.status = 429;
      response.body = R"({"error":{"message":"full","type":"rate_limited","code":"rate_limited"}})";
      return response;
    });
    nineteen::net::ServerOptions options;
    server_ = std::make_unique<nineteen::net::HttpServer>(std::move(router), options);
  }
  std::string url() const { return server_->base_url(); }
  std::vector<Received> take() {
    std::lock_guard<std::mutex> lock(mutex_);
    return std::move(received_);
  }

 private:
  std::mutex mutex_;
  std::vector<Received> received_;
  std::unique_ptr<nineteen::net::HttpServer> server_;
};

// The validator's side for the gateway: the loopback double, refusing what the task's own validate
// refuses (as ValidatorNode::refuse_request does), so what reaches the miner is what would in a network.
class TaskRouting : public gateway_testing::LoopbackRouting {
 public:
  TaskRouting(nineteen::keys::Hotkey key, std::shared_ptr<nineteen::plugin_host::LiveTask> task)
      : LoopbackRouting(std::move(key)), task_(std::move(task)) {}
  std::optional<nineteen::validator::RequestRefusal> refuse_request(const std::string&, const std::string& request) override {
    try {
      task_->validate(request);
    } catch (const std::exception& e) {
      return nineteen::validator::RequestRefusal{e.what()};
    }
    return std::nullopt;
  }

 private:
  std::shared_ptr<nineteen::plugin_host::LiveTask> task_;
};

// What a miner can read off one request, by name (a feature absent from a request is 0).
std::map<std::string, double> features(const Received& r) {
  std::map<std::string, double> f;
  double header_bytes = 0;
  for (const auto& [name, value] : r.headers) {
    std::string lower;
    for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    f["header " + lower] = 1;
    header_bytes += static_cast<double>(name.size() + value.size());
  }
  f["header count"] = static_cast<double>(r.headers.size());
  f["header bytes"] = header_bytes;
  f["body bytes"] = static_cast<double>(r.body.size());
  rapidjson::Document d;
  d.Parse(r.body.c_str());
  if (!d.IsObject()) return f;
  const double keys = d.MemberCount();
  f["keys"] = keys;
  double position = 0;
  for (const auto& m : d.GetObject()) {
    const std::string key = m.name.GetString();
    f["has " + key] = 1;
    f["position " + key] = position++ / keys;
    if (m.value.IsNumber()) f["value " + key] = m.value.GetDouble();
    if (m.value.IsInt64()) f["integer-written " + key] = 1;
    if (m.value.IsBool()) f["value " + key] = m.value.GetBool() ? 1 : 0;
  }
  if (!d.HasMember("messages") || !d["messages"].IsArray()) return f;
  const auto& messages = d["messages"].GetArray();
  f["messages"] = messages.Size();
  std::string all, last;
  for (const auto& m : messages) {
    const std::string role = m["role"].GetString();
    f["role " + role] += 1;
    last = m["content"].GetString();
    all += last + "\n";
  }
  if (messages.Size() > 0) f["first is system"] = std::string(messages[0]["role"].GetString()) == "system";
  for (const auto& [name, text] : {std::pair<std::string, std::string>{"all", all}, {"last", last}}) {
    std::istringstream in(text);
    std::vector<std::string> words;
    for (std::string w; in >> w;) words.push_back(w);
    double letters = 0, longest = 0;
    for (const auto& w : words) {
      letters += static_cast<double>(w.size());
      longest = std::max(longest, static_cast<double>(w.size()));
    }
    const double n = static_cast<double>(words.size());
    f[name + " chars"] = static_cast<double>(text.size());
    f[name + " words"] = n;
    f[name + " mean word"] = n > 0 ? letters / n : 0;
    f[name + " longest word"] = longest;
    f[name + " distinct words"] = n > 0 ? static_cast<double>(std::set<std::string>(words.begin(), words.end()).size()) / n : 0;
    double lines = 0, questions = 0, digits = 0, capitals = 0, commas = 0;
    for (char c : text) {
      lines += c == '\n';
      questions += c == '?';
      digits += c >= '0' && c <= '9';
      capitals += c >= 'A' && c <= 'Z';
      commas += c == ',';
    }
    f[name + " lines"] = lines;
    f[name + " questions"] = questions;
    f[name + " digits"] = digits;
    f[name + " capitals"] = capitals;
    f[name + " commas"] = commas;
  }
  return f;
}

// The exact keys in order: the request's shape.
std::string shape(const Received& r) {
  rapidjson::Document d;
  d.Parse(r.body.c_str());
  std::string out;
  if (d.IsObject()) {
    for (const auto& m : d.GetObject()) out += std::string(m.name.GetString()) + (m.value.IsInt64() ? "#" : "") + ",";
  }
  return out;
}

struct Accuracy {
  double logistic = 0, shape = 0;
};

Accuracy held_out(const std::vector<Received>& synthetic, const std::vector<Received>& organic) {
  std::vector<std::map<std::string, double>> s, o;
  std::set<std::string> names;
  for (const auto& r : synthetic) s.push_back(features(r));
  for (const auto& r : organic) o.push_back(features(r));
  for (const auto* side : {&s, &o})
    for (const auto& f : *side)
      for (const auto& [name, value] : f) names.insert(name);
  auto vectors = [&](const std::vector<std::map<std::string, double>>& side) {
    std::vector<std::vector<double>> out;
    for (const auto& f : side) {
      std::vector<double> v;
      for (const std::string& name : names) {
        auto it = f.find(name);
        v.push_back(it == f.end() ? 0 : it->second);
      }
      out.push_back(std::move(v));
    }
    return out;
  };
  if (std::getenv("SVO_DEBUG")) {  // the features whose means differ most, in pooled deviations
    std::vector<std::pair<double, std::string>> gaps;
    for (const std::string& name : names) {
      double ms = 0, mo = 0, vs = 0, vo = 0;
      auto get = [&](const std::map<std::string, double>& f) { auto it = f.find(name); return it == f.end() ? 0.0 : it->second; };
      for (const auto& f : s) ms += get(f) / s.size();
      for (const auto& f : o) mo += get(f) / o.size();
      for (const auto& f : s) vs += (get(f) - ms) * (get(f) - ms) / s.size();
      for (const auto& f : o) vo += (get(f) - mo) * (get(f) - mo) / o.size();
      const double sd = std::sqrt((vs + vo) / 2);
      gaps.push_back({sd > 0 ? std::abs(ms - mo) / sd : 0, name + " synthetic " + std::to_string(ms) + " organic " + std::to_string(mo)});
    }
    std::sort(gaps.rbegin(), gaps.rend());
    std::vector<std::vector<double>> x;
    std::vector<int> y;
    for (const auto* side : {&s, &o}) {
      for (const auto& f : *side) {
        std::vector<double> v;
        for (const std::string& name : names) {
          auto it = f.find(name);
          v.push_back(it == f.end() ? 0 : it->second);
        }
        x.push_back(v);
        y.push_back(side == &s);
      }
    }
    request_classifier::Logistic model;
    model.fit(x, y);
    std::vector<std::pair<double, std::string>> weights;
    std::size_t j = 0;
    for (const std::string& name : names) weights.push_back({std::abs(model.w[j++]), name});
    std::sort(weights.rbegin(), weights.rend());
    for (std::size_t i = 0; i < 12; ++i) std::cout << "weight " << weights[i].first << " " << weights[i].second << "\n";
    for (std::size_t i = 0; i < 15 && i < gaps.size(); ++i) std::cout << gaps[i].first << "  " << gaps[i].second << "\n";
  }
  std::vector<std::string> s_shapes, o_shapes;
  for (const auto& r : synthetic) s_shapes.push_back(shape(r));
  for (const auto& r : organic) o_shapes.push_back(shape(r));
  return {request_classifier::held_out_accuracy(vectors(s), vectors(o)),
          request_classifier::held_out_lookup_accuracy(s_shapes, o_shapes)};
}

// The synthetic chat request as the plugin wrote it before this change: every parameter always,
// the checker's wishes included (temperature 0 with p 0.25 else 0.10-1.00, top_p 1 with p 0.7 else
// 0.9/0.95, max_tokens log-uniform 16-1024, a seed, stream, logprobs and return_token_ids on).
std::string old_form(const std::string& request, std::mt19937_64& rng) {
  rapidjson::Document d;
  d.Parse(request.c_str());
  std::uniform_real_distribution<double> u(0, 1);
  const double temperature = u(rng) < 0.25 ? 0.0 : std::round((0.10 + 0.90 * u(rng)) * 100.0) / 100.0;
  const double top_p = u(rng) < 0.7 ? 1.0 : (u(rng) < 0.5 ? 0.9 : 0.95);
  const long long max_tokens = std::llround(16.0 * std::exp(u(rng) * std::log(1024.0 / 16.0)));
  rapidjson::Document out(rapidjson::kObjectType);
  auto& a = out.GetAllocator();
  out.AddMember("model", rapidjson::Value(kTask.c_str(), a), a);
  out.AddMember("messages", rapidjson::Value(d["messages"], a), a);
  out.AddMember("temperature", temperature, a);
  out.AddMember("top_p", top_p, a);
  out.AddMember("max_tokens", static_cast<int64_t>(max_tokens), a);
  out.AddMember("seed", static_cast<uint64_t>(rng() % (1ull << 31)), a);
  out.AddMember("stream", true, a);
  out.AddMember("logprobs", true, a);
  out.AddMember("return_token_ids", true, a);
  return nineteen::sdk::to_json(out);
}

}  // namespace

TEST(SyntheticVsOrganic, AClassifierCannotTellTheChatTasksSyntheticRequestsFromUsersAsTheMinerReceivesThem) {
  test_support::ScratchDir dir("synthetic-vs-organic-chat");
  auto [rc, out] = test_support::ChildProcess::run_shell(std::string(NINETEEN_MODELS_BINARY) + " make tiny-llama --out " +
                                                         dir.file("tiny-llama") + " 2>&1");
  ASSERT_EQ(rc, 0) << "nineteen-models make tiny-llama failed: " << out;
  // The devnet's chat task (tasks.toml's [tasks.chat-tiny-llama]).
  dir.write("tasks.toml", "[tasks." + kTask + "]\nplugin = \"llm\"\ntype = \"chat\"\nmodel_dir = \"" + dir.file("tiny-llama") +
                              "\"\nthreads = 1\nmax_tokens_limit = 1024\nmax_capacity = 120000\nvolume_per_request = 300\n"
                              "timeout_s = 2\n");
  nineteen::plugin_host::PluginHostOptions host_options;
  // SYNTHETIC_VS_ORGANIC_PLUGIN_DIR: another build's plugins (e.g. before a change), to measure them.
  const char* other = std::getenv("SYNTHETIC_VS_ORGANIC_PLUGIN_DIR");
  host_options.search_dirs = {other ? other : SHIPPED_PLUGIN_DIR};
  nineteen::plugin_host::PluginHost host(host_options);
  host.load(nineteen::config::load_task_catalog(dir.file("tasks.toml")));
  std::shared_ptr<nineteen::plugin_host::LiveTask> task = host.task(kTask);
  ASSERT_TRUE(task) << "the llm plugin did not load from " << host_options.search_dirs.front();

  RecordingMiner miner;
  const nineteen::keys::Hotkey validator_key = nineteen::keys::Hotkey::generate();
  const nineteen::keys::Hotkey miner_key = nineteen::keys::Hotkey::generate();
  nineteen::validator::OrganicCandidate candidate;
  candidate.miner = {miner_key.ss58_address(), miner.url()};
  candidate.uid = 1;
  candidate.endpoint = kEndpoint;
  candidate.timeouts.first_byte = std::chrono::milliseconds(5000);
  candidate.timeouts.total = std::chrono::milliseconds(20000);

  // SVO_SEED: other seeds for both generators, to see the spread of the figures (SVO_DEBUG: the
  // features that differ most and the classifier's largest weights).
  const int n = 1500;  // per side: 2100 of the 3000 trained on, 900 held out
  // Synthetic, as ValidatorNode::State::send sends it.
  {
    std::mt19937_64 seeds(std::getenv("SVO_SEED") ? std::atoi(std::getenv("SVO_SEED")) : 3);
    std::vector<std::string> requests;
    for (int i = 0; i < n; ++i) requests.push_back(nineteen::net::with_model(task->synthesize(seeds()), kTask));
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> senders;
    for (int t = 0; t < 2; ++t) {
      senders.emplace_back([&] {
        nineteen::net::HttpClient client;
        for (std::size_t i; (i = next++) < requests.size();) {
          nineteen::validator::query_miner(client, validator_key, candidate.miner, kEndpoint, requests[i],
                                           nineteen::net::wants_stream(requests[i]), candidate.timeouts);
        }
      });
    }
    for (auto& s : senders) s.join();
  }
  std::vector<Received> synthetic = miner.take();

  // Organic: the devnet's chat users through the gateway.
  {
    TaskRouting routing(validator_key, task);
    nineteen::validator::OrganicTask organic_task{kTask, "text", kEndpoint, true, "tokens", 1, task->info().check_needs};
    routing.add_task(organic_task, {candidate});
    auto store = std::make_shared<nineteen::store::SqliteValidatorStore>(dir.file("validator.db"));
    const std::string key = nineteen::gateway::new_api_key();
    nineteen::store::ApiKeyRecord record;
    record.key_hash = nineteen::gateway::api_key_hash(key);
    record.name = "users";
    record.created_at = std::chrono::system_clock::now();
    store->add_api_key(record);
    nineteen::gateway::GatewaySettings settings;
    nineteen::gateway::GatewayServer gateway(settings, routing, store);
    std::mt19937_64 rng(std::getenv("SVO_SEED") ? std::atoi(std::getenv("SVO_SEED")) + 100 : 11);
    std::vector<std::string> bodies;
    for (int i = 0; i < n; ++i) bodies.push_back(nineteen::devnet::organic_user_request(true, rng).body);
    std::atomic<std::size_t> next{0};
    std::atomic<int> refused{0};
    std::vector<std::thread> users;
    for (int t = 0; t < 2; ++t) {
      users.emplace_back([&] {
        nineteen::net::HttpClient client;
        for (std::size_t i; (i = next++) < bodies.size();) {
          nineteen::net::ClientRequest r;
          r.method = "POST";
          r.url = gateway.base_url() + kEndpoint;
          r.body = bodies[i];
          r.headers.set("Content-Type", "application/json");
          r.headers.set("Authorization", "Bearer " + key);
          if (client.send(r).status == 400) ++refused;
        }
      });
    }
    for (auto& u : users) u.join();
    gateway.stop();
    EXPECT_EQ(refused.load(), 0) << "the devnet's users send requests the chat task refuses";
  }
  std::vector<Received> organic = miner.take();
  // In a fixed order (two senders each), so that the split into trained and held out is the same every run.
  auto by_body = [](const Received& a, const Received& b) { return a.body < b.body; };
  std::sort(synthetic.begin(), synthetic.end(), by_body);
  std::sort(organic.begin(), organic.end(), by_body);
  ASSERT_EQ(synthetic.size(), static_cast<std::size_t>(n));
  ASSERT_EQ(organic.size(), static_cast<std::size_t>(n)) << "every user's request reaches the miner once";
  if (std::getenv("SVO_DEBUG")) {
    for (const auto* side : {&synthetic, &organic}) {
      for (const auto& [k, v] : side->front().headers) std::cout << k << ": " << v << "\n";
      std::cout << "--\n";
    }
  }
  std::cout << "a synthetic request as the miner received it: " << synthetic.front().body.substr(0, 400) << "\n"
            << "a user's request as the miner received it:    " << organic.front().body.substr(0, 400) << "\n";

  // Near chance: 0.60 is the issue's bound. With 900 held-out requests a classifier at chance scores
  // 0.5 with a standard deviation of 0.017, so 0.60 is 6 deviations away: noise never fails it, and a
  // miner right 60 % of the time would still serve 4 of every 10 requests it took for synthetic
  // wrongly. Measured over SVO_SEED 1-7: logistic 0.54-0.57 (what is left is the two generators'
  // wording, written apart on purpose), keys' order 0.47-0.52; the form before this change: 0.999.
  const Accuracy now = held_out(synthetic, organic);
  std::cout << "held-out accuracy, synthetic vs organic chat as the miner receives them: logistic regression " << now.logistic
            << ", lookup on the keys' order " << now.shape << "\n";
  EXPECT_LE(now.logistic, 0.60);
  EXPECT_LE(now.shape, 0.60);

  // Control: the same classifiers, on the synthetic request form before this change (the same
  // prompts, every parameter always sent), as the miner would receive it, tell it from users.
  std::vector<Received> old;
  std::mt19937_64 rng(5);
  for (const Received& r : synthetic) old.push_back({r.headers, old_form(r.body, rng)});
  const Accuracy before = held_out(old, organic);
  std::cout << "control, the synthetic form before issue 18's item 4: logistic regression " << before.logistic
            << ", lookup on the keys' order " << before.shape << "\n";
  EXPECT_GT(before.logistic, 0.9);
  EXPECT_GT(before.shape, 0.9);
}
