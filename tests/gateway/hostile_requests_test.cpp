// Issue 24, tried as a hostile client would, over real sockets against real processes: a chain, a
// checker, two miners and `nineteen validator` with its gateway. Every parser the network reaches
// gets JSON nested 10⁶ deep (arrays and objects, in every field a request has) and invalid UTF-8;
// each answers a clear 4xx, every process stays up, and a well-formed request is served right after.
#include <gtest/gtest.h>
#include <sys/types.h>
#include <signal.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <functional>
#include <future>
#include <iostream>
#include <regex>
#include <thread>

#include <rapidjson/document.h>

#include "child_process.hpp"
#include "nineteen/chain/chain_client.hpp"
#include "nineteen/keys/hotkey_file.hpp"
#include "nineteen/keys/signed_request_guard.hpp"
#include "nineteen/net/http_client.hpp"
#include "nineteen/sdk/json.hpp"
#include "nineteen/store/sqlite_database.hpp"

using namespace std::chrono_literals;
using test_support::ChildProcess;
using test_support::ScratchDir;

namespace {

std::string error_code(const std::string& body) {
  rapidjson::Document d;
  if (!nineteen::sdk::parse_json_bounded(d, body).empty() || !d.IsObject() || !d.HasMember("error") ||
      !d["error"].IsObject() || !d["error"].HasMember("code") || !d["error"]["code"].IsString()) {
    return "(" + body.substr(0, 200) + ")";
  }
  return d["error"]["code"].GetString();
}

std::string error_message(const std::string& body) {
  rapidjson::Document d;
  if (!nineteen::sdk::parse_json_bounded(d, body).empty() || !d.IsObject() || !d.HasMember("error") ||
      !d["error"].IsObject() || !d["error"].HasMember("message") || !d["error"]["message"].IsString()) {
    return body.substr(0, 200);
  }
  return d["error"]["message"].GetString();
}

std::string nested_arrays(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }
std::string nested_objects(size_t depth) {
  std::string out;
  out.reserve(depth * 6 + 1);
  for (size_t i = 0; i < depth; ++i) out += "{\"a\":";
  out += "1";
  out.append(depth, '}');
  return out;
}

// Every deep shape to try: the whole body, and a deep value in each field a request may have.
std::vector<std::pair<std::string, std::string>> deep_bodies(size_t depth, const std::string& model) {
  std::vector<std::pair<std::string, std::string>> out;
  const std::string arrays = nested_arrays(depth), objects = nested_objects(depth);
  out.push_back({"arrays as the body", arrays});
  out.push_back({"objects as the body", objects});
  const std::string head = "{\"model\":\"" + model + "\",";
  for (const char* field : {"model", "text", "messages", "prompt", "stop", "input", "max_tokens", "stream",
                            "logprobs", "seed", "response_format", "tools", "extra"}) {
    const std::string f = field;
    out.push_back({"arrays in \"" + f + "\"", (f == "model" ? std::string("{") : head) + "\"" + f + "\":" + arrays + "}"});
    out.push_back({"objects in \"" + f + "\"", (f == "model" ? std::string("{") : head) + "\"" + f + "\":" + objects + "}"});
  }
  return out;
}

bool alive(const ChildProcess& process) { return ::kill(process.pid(), 0) == 0; }

// A raw TCP client for what HttpClient would never send: half requests, broken framing.
class RawConnection {
 public:
  explicit RawConnection(const std::string& url) {
    const std::string hostport = url.substr(url.find("//") + 2);
    const auto colon = hostport.rfind(':');
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(std::stoi(hostport.substr(colon + 1))));
    ::inet_pton(AF_INET, hostport.substr(0, colon).c_str(), &addr.sin_addr);
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval timeout{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;
  bool connected() const { return connected_; }
  void send(const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;  // the server closed on us: what it answered is still readable
      sent += static_cast<size_t>(n);
    }
  }
  // Everything until the server closes or 5 s pass without a byte.
  std::string read_all() {
    std::string out;
    char buffer[4096];
    for (ssize_t n; (n = ::recv(fd_, buffer, sizeof buffer, 0)) > 0;) out.append(buffer, static_cast<size_t>(n));
    return out;
  }
  // The status line's code, or 0 when the server closed without one.
  int status() {
    const std::string answer = read_all();
    return answer.rfind("HTTP/1.1 ", 0) == 0 ? std::stoi(answer.substr(9, 3)) : 0;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

long resident_kb(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// A network on loopback in `dir`: a chain with a registered validator key, miners, an API key and
// `nineteen validator` with its gateway, each a real process. The tests write their own catalogues.
class LoopbackNetwork {
 public:
  explicit LoopbackNetwork(const ScratchDir& dir) : dir_(dir) {
    dir.write("chain.toml", "[chain]\nport = 0\ndb = \"chain.db\"\nblock_time_s = 0.1\ntempo = 10\nrate_limit = 2\n");
    chain = std::make_unique<ChildProcess>(NINETEEN_BINARY, std::vector<std::string>{"chain", "--config", dir.file("chain.toml")},
                                           dir.file("chain.log"));
    chain_url = chain->wait_for_line(std::regex("serving (http://[0-9.:]+)")).value_or("");
    EXPECT_FALSE(chain_url.empty()) << chain->output();
    nineteen::keys::save_hotkey(validator_key, dir.file("validator.json"));
    nineteen::chain::ChainClient(chain_url, validator_key)
        .register_node({validator_key.ss58_address(), "", 1000, nineteen::chain::NodeRole::validator, "", 0});
    auto [create_rc, created] = test_support::run_nineteen({"apikey", "create", "--db", dir.file("validator.db"), "--name", "u"});
    EXPECT_EQ(create_rc, 0) << created;
    std::smatch m;
    if (std::regex_search(created, m, std::regex("(nt-[0-9a-f]{32})"))) api_key = m[1];
  }

  // A registered miner `name` with the catalogue `tasks_file` and more [miner] settings; its URL.
  std::string start_miner(const std::string& name, const std::string& tasks_file, const std::string& settings = "") {
    auto key = nineteen::keys::Hotkey::generate();
    nineteen::keys::save_hotkey(key, dir_.file(name + ".json"));
    nineteen::chain::ChainClient(chain_url, key).register_node({key.ss58_address(), "", 0, nineteen::chain::NodeRole::miner, "", 0});
    dir_.write(name + ".toml", "[miner]\nhotkey = \"" + name + ".json\"\nchain = \"" + chain_url + "\"\ntasks_file = \"" +
                                   tasks_file + "\"\n" + settings);
    miners.push_back(std::make_unique<ChildProcess>(
        NINETEEN_BINARY, std::vector<std::string>{"miner", "--config", dir_.file(name + ".toml")}, dir_.file(name + ".log")));
    miner_hotkeys.push_back(key.ss58_address());
    auto url = miners.back()->wait_for_line(std::regex("listening on (http://[0-9.:]+)"));
    EXPECT_TRUE(url) << miners.back()->output();
    return url.value_or("");
  }

  // `nineteen validator` on tasks.toml with more [validator] settings, then `gateway_settings`
  // (which may add further tables); the gateway's URL.
  std::string start_validator(const std::string& settings, const std::string& gateway_settings = "") {
    dir_.write("validator.toml", "[validator]\nhotkey = \"validator.json\"\nchain = \"" + chain_url +
                                     "\"\ndb = \"validator.db\"\ntasks_file = \"tasks.toml\"\nanswer_timeout_s = 2\n" +
                                     settings + "[gateway]\nport = 0\nkey_cache_s = 0\nusage_flush_s = 0.1\n" +
                                     gateway_settings);
    validator = std::make_unique<ChildProcess>(
        NINETEEN_BINARY, std::vector<std::string>{"validator", "--config", dir_.file("validator.toml")},
        dir_.file("validator.log"));
    const std::string gateway = validator->wait_for_line(std::regex("gateway listening on (http://[0-9.:]+)")).value_or("");
    EXPECT_FALSE(gateway.empty()) << validator->output();
    return gateway;
  }

  // Waits for the validator's first weights on the chain (by then its first period's answers are
  // checked and its contenders routable); false when none came within `limit`.
  bool wait_for_first_weights(std::chrono::seconds limit = 60s) {
    nineteen::chain::ChainClient reader(chain_url);
    for (auto deadline = std::chrono::steady_clock::now() + limit; std::chrono::steady_clock::now() < deadline;) {
      if (reader.weights_of(validator_key.ss58_address())) return true;
      std::this_thread::sleep_for(200ms);
    }
    return false;
  }

  nineteen::keys::Hotkey validator_key = nineteen::keys::Hotkey::generate();
  std::unique_ptr<ChildProcess> chain, validator;
  std::vector<std::unique_ptr<ChildProcess>> miners;
  std::vector<std::string> miner_hotkeys;
  std::string chain_url, api_key;

 private:
  const ScratchDir& dir_;
};

}  // namespace

TEST(HostileRequests, DeepJsonInvalidUtf8AndControlCharactersGetA4xxAndEveryProcessStaysUp) {
  ScratchDir dir("hostile");
  LoopbackNetwork net(dir);
  ASSERT_FALSE(net.chain_url.empty());
  const std::string& chain_url = net.chain_url;
  const auto& validator_key = net.validator_key;
  dir.write("tasks.toml",
            "[tasks.reverse-words]\nplugin = \"text_transform\"\nmode = \"reverse\"\nmax_capacity = 1000\n"
            "volume_per_request = 10\ntimeout_s = 2\n");

  // Body limits raised to 8 MiB, so that 10⁶-deep bodies (2 MB and more) reach the JSON readers.
  constexpr const char* kBig = "max_body_bytes = 8388608\n";
  std::vector<std::string> miner_urls;
  for (const std::string name : {"miner1", "miner2"}) miner_urls.push_back(net.start_miner(name, "tasks.toml", kBig));
  const std::vector<std::string>& miner_hotkeys = net.miner_hotkeys;
  dir.write("checker.toml", std::string("[checker]\nport = 0\ntasks_file = \"tasks.toml\"\n") + kBig);
  ChildProcess checker(NINETEEN_BINARY, {"checker", "--config", dir.file("checker.toml")}, dir.file("checker.log"));
  const std::string checker_url = checker.wait_for_line(std::regex("listening on (http://[0-9.:]+)")).value_or("");
  ASSERT_FALSE(checker_url.empty()) << checker.output();
  const std::string key = net.api_key;
  const std::string gateway = net.start_validator("period_s = 30\nchecker = \"" + checker_url + "\"\n", kBig);
  ASSERT_FALSE(gateway.empty());
  ChildProcess& chain = *net.chain;
  ChildProcess& validator = *net.validator;
  auto& miners = net.miners;

  nineteen::net::ClientOptions options;
  options.timeouts.total = 60s;
  nineteen::net::HttpClient client(options);
  auto to_gateway = [&](const std::string& path, const std::string& body) {
    nineteen::net::ClientRequest r;
    r.method = "POST";
    r.url = gateway + path;
    r.body = body;
    r.headers.set("Authorization", "Bearer " + key);
    r.headers.set("Content-Type", "application/json");
    return client.send(r);
  };
  auto to_miner = [&](size_t i, const std::string& body) {
    nineteen::net::ClientRequest r;
    r.method = "POST";
    r.url = miner_urls[i] + "/v1/text/transform";
    r.body = body;
    r.headers.set("Content-Type", "application/json");
    nineteen::keys::add_signature_headers(r.headers, validator_key, miner_hotkeys[i], body);
    return client.send(r);
  };
  auto to_checker = [&](const std::string& body) {
    nineteen::net::ClientRequest r;
    r.method = "POST";
    r.url = checker_url + "/check";
    r.body = body;
    return client.send(r);
  };
  auto to_chain = [&](const std::string& body) {
    nineteen::net::ClientRequest r;
    r.method = "POST";
    r.url = chain_url + "/set_weights";
    r.body = body;
    nineteen::keys::add_signature_headers(r.headers, validator_key, "nineteen-local-chain", body);
    return client.send(r);
  };
  const std::string good = R"({"model":"reverse-words","text":"abc de"})";
  auto network_serves = [&](const std::string& after) {
    auto whole = to_gateway("/v1/text/transform", good);
    EXPECT_EQ(whole.status, 200) << "after " << after << ": " << whole.body;
    EXPECT_EQ(whole.body, R"({"words":["cba","ed"]})") << "after " << after;
    for (const ChildProcess* p : {&chain, &checker, &validator, miners[0].get(), miners[1].get()}) {
      EXPECT_TRUE(alive(*p)) << "after " << after << ": a process died\n" << p->output();
    }
  };

  for (auto deadline = std::chrono::steady_clock::now() + 30s; std::chrono::steady_clock::now() < deadline;) {
    if (to_gateway("/v1/text/transform", good).status == 200) break;
    std::this_thread::sleep_for(200ms);
  }
  network_serves("start");

  // Issue 24's inputs 1 and 3, exactly: 150000-deep arrays to the gateway and (signed) to a miner.
  auto first = to_gateway("/v1/chat/completions", nested_arrays(150000));
  EXPECT_EQ(first.status, 400) << first.body;
  EXPECT_NE(error_message(first.body).find("nested deeper than 64 levels"), std::string::npos) << first.body;
  auto third = to_miner(0, nested_arrays(150000));
  EXPECT_EQ(third.status, 400) << third.body;
  // Input 2: a deep "stop" in a well-formed chat request; the gateway never forwards it.
  auto second = to_gateway("/v1/text/transform", R"({"model":"reverse-words","text":"hi","max_tokens":3,"stop":)" +
                                                      nested_arrays(80000) + "}");
  EXPECT_EQ(second.status, 400) << second.body;
  network_serves("issue 24's inputs 1-3");

  // 10⁶ deep, every shape, at every parser a network peer reaches.
  for (const auto& [shape, body] : deep_bodies(1'000'000, "reverse-words")) {
    auto g = to_gateway("/v1/text/transform", body);
    EXPECT_EQ(g.status, 400) << "gateway, " << shape << ": " << g.body.substr(0, 300);
    EXPECT_EQ(error_code(g.body), "invalid_json") << "gateway, " << shape;
    auto mi = to_miner(1, body);
    EXPECT_EQ(mi.status, 400) << "miner, " << shape << ": " << mi.body.substr(0, 300);
    auto c = to_checker(body);
    EXPECT_EQ(c.status, 400) << "checker, " << shape << ": " << c.body.substr(0, 300);
    // The error message never echoes the input back.
    EXPECT_LT(g.body.size(), 1000u) << shape;
    EXPECT_LT(c.body.size(), 1000u) << shape;
  }
  // The chain's body limit is 1 MiB: as deep as fits under it.
  for (const auto& [shape, body] : deep_bodies(150'000, "x")) {
    auto r = to_chain(body);
    EXPECT_GE(r.status, 400) << "chain, " << shape << ": " << r.body.substr(0, 300);
    EXPECT_LT(r.status, 500) << "chain, " << shape << ": " << r.body.substr(0, 300);
  }
  // A checker batch whose request and answer texts are deep: the plugin's own reader refuses them
  // (quality 0 or a refused batch, never a crash).
  const std::string deep_text = nineteen::sdk::json_quote(nested_arrays(1'000'000));
  auto batch = to_checker(R"({"items":[{"task":"reverse-words","request":)" + deep_text + R"(,"response":)" + deep_text + "}]}");
  EXPECT_TRUE(batch.status == 202 || batch.status == 400) << batch.body.substr(0, 300);
  network_serves("10^6-deep JSON everywhere");

  // Invalid UTF-8 inside strings, and a lone surrogate escape: refused, not passed on.
  for (const std::string& bad : {std::string("{\"model\":\"reverse-words\",\"text\":\"ab\xff\xfe cd\"}"),
                                 std::string("{\"model\":\"reverse-words\",\"text\":\"\xc3\x28\"}"),
                                 std::string("{\"model\":\"reverse-words\",\"text\":\"\\ud800x\"}"),
                                 std::string("{\"model\":\"reverse-\xed\xa0\x80words\",\"text\":\"a\"}")}) {
    auto g = to_gateway("/v1/text/transform", bad);
    EXPECT_EQ(g.status, 400) << g.body;
    EXPECT_EQ(error_code(g.body), "invalid_json") << g.body;
    auto mi = to_miner(0, bad);
    EXPECT_EQ(mi.status, 400) << mi.body;
  }
  // A model name with a NUL (or any control character) is not the task's name.
  const std::string nul_model = R"({"model":"reverse-words\u0000evil","text":"abc"})";
  auto g = to_gateway("/v1/text/transform", nul_model);
  EXPECT_EQ(g.status, 400) << g.body;
  EXPECT_NE(g.body.find("\"param\":\"model\""), std::string::npos) << g.body;
  auto mi = to_miner(0, nul_model);
  EXPECT_EQ(mi.status, 400) << mi.body;
  // Trailing bytes after the value are not ignored.
  EXPECT_EQ(to_gateway("/v1/text/transform", good + "garbage").status, 400);
  network_serves("invalid UTF-8 and control characters");

  // The task's own rules at the gateway (issue 20, item 4): OpenAI's error object with `param`, and
  // the request never reaches a miner.
  auto missing = to_gateway("/v1/text/transform", R"({"model":"reverse-words"})");
  EXPECT_EQ(missing.status, 400) << missing.body;
  EXPECT_EQ(error_code(missing.body), "invalid_request") << missing.body;
  EXPECT_NE(missing.body.find("\"param\":\"text\""), std::string::npos) << missing.body;

  validator.signal(SIGTERM);
  EXPECT_EQ(validator.wait_exit(20s), 0) << validator.output();
}

// Issue 24, item 5: with the honest miner busy, a user must not be answered by a miner whose
// checked quality is 0 (it answers every request in the wrong transform).
TEST(HostileRequests, UsersAreNeverRoutedToAMinerWhoseAnswersCheckWrong) {
  ScratchDir dir("route-quality");
  LoopbackNetwork net(dir);
  ASSERT_FALSE(net.chain_url.empty());
  // A small capacity: a few synthetic requests a period, so users can reach the one slot.
  const std::string task = "[tasks.reverse-words]\nplugin = \"text_transform\"\nmode = \"%s\"\nmax_capacity = 200\n"
                           "volume_per_request = 10\ntimeout_s = 2\n";
  auto catalogue = [&](const char* mode) {
    std::string text = task;
    text.replace(text.find("%s"), 2, mode);
    return text;
  };
  dir.write("tasks.toml", catalogue("reverse"));
  dir.write("tasks-wrong.toml", catalogue("upper"));
  // The honest miner serves one request at a time, slowly: concurrent users find it full (429).
  net.start_miner("honest", "tasks.toml", "[miner.tasks.reverse-words]\nconcurrency = 1\nchunk_delay_ms = 150\n");
  net.start_miner("wrong", "tasks-wrong.toml");
  const std::string key = net.api_key;
  const std::string gateway = net.start_validator("period_s = 3\n");
  ASSERT_FALSE(gateway.empty());
  ChildProcess& validator = *net.validator;
  auto& miners = net.miners;

  // Wait for the first weight setting: by then synthetic answers of both miners have been checked.
  ASSERT_TRUE(net.wait_for_first_weights()) << validator.output();

  // Bursts of 4 users at once, 5 times: the honest miner can take one; the rest get 503, never "ABC".
  std::atomic<int> right{0}, wrong{0}, unavailable{0};
  for (int burst = 0; burst < 5; ++burst) {
    std::vector<std::thread> users;
    for (int u = 0; u < 4; ++u) {
      users.emplace_back([&] {
        nineteen::net::HttpClient own;
        nineteen::net::ClientRequest r;
        r.method = "POST";
        r.url = gateway + "/v1/text/transform";
        r.body = R"({"model":"reverse-words","text":"abc de fgh ijk lmn opq rst uvw"})";
        r.headers.set("Authorization", "Bearer " + key);
        auto answer = own.send(r);
        // The validator's synthetic requests keep the one slot busy too: a user retries a 503.
        for (int retry = 0; retry < 20 && answer.status == 503; ++retry) {
          ++unavailable;
          std::this_thread::sleep_for(100ms);
          answer = own.send(r);
        }
        if (answer.status == 200 && answer.body == R"({"words":["cba","ed","hgf","kji","nml","qpo","tsr","wvu"]})") {
          ++right;
        } else if (answer.status == 503) {
          ++unavailable;
        } else {
          ++wrong;
          ADD_FAILURE() << answer.status << " " << answer.body;
        }
      });
    }
    for (auto& t : users) t.join();
  }
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_GT(right.load(), 0);
  for (const auto& miner : miners) EXPECT_TRUE(alive(*miner));
}

// Issue 24, item 2's class: a request after which a miner dropped the connection without answering
// is not sent to the next miner (each attempt would kill one); the user gets a clear 502 and the
// miner is not blamed for it.
TEST(HostileRequests, ARequestThatKillsAMinerIsNotSentToAnother) {
  ScratchDir dir("request-dropped");
  LoopbackNetwork net(dir);
  ASSERT_FALSE(net.chain_url.empty());
  dir.write("tasks.toml", "[tasks.fragile]\nplugin = \"fixture_misbehaves\"\nmax_capacity = 1000\n"
                          "volume_per_request = 10\ntimeout_s = 2\n");
  const std::string plugins = std::string("plugins = \"") + FIXTURE_PLUGIN_DIR + "\"\n";
  // Miners that run their plugins in-process, so that the crash kills the miner (isolated, the
  // default, the miner would answer a 503 and live on).
  for (const std::string name : {"m1", "m2", "m3"}) {
    net.start_miner(name, "tasks.toml", plugins + "plugin_isolation = \"in-process\"\n");
  }
  const std::string key = net.api_key;
  const std::string gateway = net.start_validator(plugins + "period_s = 30\n");
  ASSERT_FALSE(gateway.empty());
  ChildProcess& validator = *net.validator;
  auto& miners = net.miners;
  nineteen::net::HttpClient client;
  auto send = [&](const std::string& text) {
    nineteen::net::ClientRequest r;
    r.method = "POST";
    r.url = gateway + "/v1/text/transform";
    r.body = R"({"model":"fragile","text":")" + text + "\"}";
    r.headers.set("Authorization", "Bearer " + key);
    return client.send(r);
  };
  nineteen::net::ClientResult hello;
  for (auto deadline = std::chrono::steady_clock::now() + 30s; std::chrono::steady_clock::now() < deadline;) {
    hello = send("hello");
    if (hello.status == 200) break;
    std::this_thread::sleep_for(200ms);
  }
  ASSERT_EQ(hello.status, 200) << hello.body << validator.output();

  auto killer = send("crash");
  EXPECT_EQ(killer.status, 502) << killer.body;
  EXPECT_EQ(error_code(killer.body), "request_dropped") << killer.body;
  int dead = 0;
  for (const auto& miner : miners) {
    if (miner->wait_exit(1s)) ++dead;
  }
  EXPECT_EQ(dead, 1) << "only the first miner tried may die";
  auto after = send("hello again");
  EXPECT_EQ(after.status, 200) << after.body;
  EXPECT_EQ(after.body, R"({"echo":"hello again"})");
  EXPECT_TRUE(alive(validator));
}

// Issue 17, item 2 seen through the gateway, every crash kind in both places a plugin runs, on one
// network (a miner with two tasks, a validator with its gateway and inline checker):
//  - in the miner's serve (the gateway through a miner): segv, abort, a throw across the ABI, a
//    hang past the miner's deadline and a leak past plugin_memory_limit_mb each give the user a
//    clear 5xx, the miner lives on, its other task is served while the bad call is in flight, and
//    the crashed task serves again once its worker restarted (at once for a throw: the worker stays);
//  - in the validator's inline check of an organic answer ("check-<kind>", served fine by the
//    miner): the check job fails naming the cause, the validator and its gateway stay up and serve
//    both tasks, and the task's answers are checked again after the worker's restart.
TEST(HostileRequests, PluginCrashesInAMinerOrInTheValidatorsCheckLeaveEveryProcessUp) {
  ScratchDir dir("plugin-isolation");
  LoopbackNetwork net(dir);
  ASSERT_FALSE(net.chain_url.empty());
  const std::string catalogue =
      "[tasks.crashy]\nplugin = \"fixture_crashes\"\nmax_capacity = 1000\nvolume_per_request = 10\ntimeout_s = %s\n"
      "[tasks.reverse-words]\nplugin = \"text_transform\"\nmode = \"reverse\"\nmax_capacity = 1000\n"
      "volume_per_request = 10\ntimeout_s = 5\n";
  auto with_timeout = [&](const char* timeout_s) {
    std::string text = catalogue;
    return text.replace(text.find("%s"), 2, timeout_s);
  };
  dir.write("tasks.toml", with_timeout("2"));
  // The miner's own deadline for an answer is 30 times the task's timeout: 3 s here, so that a hung
  // serve is cancelled (and its worker killed 1 s later) soon after the gateway gave up on it at 2 s.
  dir.write("tasks-miner.toml", with_timeout("0.1"));
  const std::string plugins = std::string("plugins = \"") + FIXTURE_PLUGIN_DIR + "\"\n";
  const std::string limits = "plugin_memory_limit_mb = 200\n";
  net.start_miner("m1", "tasks-miner.toml", plugins + limits + "plugin_cancel_grace_s = 1\n");
  const std::string gateway = net.start_validator(plugins + limits + "plugin_call_timeout_s = 2\nperiod_s = 3\n");
  ASSERT_FALSE(gateway.empty());
  ChildProcess& validator = *net.validator;
  ChildProcess& miner = *net.miners[0];
  auto post = [&](const std::string& path, const std::string& body) {
    nineteen::net::HttpClient client;  // one per call: a bad call runs beside the others
    nineteen::net::ClientRequest r;
    r.method = "POST";
    r.url = gateway + path;
    r.body = body;
    r.headers.set("Authorization", "Bearer " + net.api_key);
    return client.send(r);
  };
  auto send = [&](const std::string& text) {
    return post("/v1/fixture/crashes", R"({"model":"crashy","text":")" + text + "\"}");
  };
  auto other = [&] { return post("/v1/text/transform", R"({"model":"reverse-words","text":"abc de"})"); };
  // `call` answers 200 with `body`, retried while it answers a 5xx (a worker restarting, the miner
  // not routable again yet), for at most 30 s.
  auto serves = [&](const std::function<nineteen::net::ClientResult()>& call, const std::string& body) {
    nineteen::net::ClientResult r;
    for (auto deadline = std::chrono::steady_clock::now() + 30s; std::chrono::steady_clock::now() < deadline;) {
      r = call();
      if (r.status < 500) break;
      std::this_thread::sleep_for(200ms);
    }
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 && r.body == body;
  };
  const std::string hello = R"({"echo":"hello"})", reversed = R"({"words":["cba","ed"]})";
  ASSERT_TRUE(serves([&] { return send("hello"); }, hello)) << validator.output();
  ASSERT_TRUE(serves(other, reversed)) << validator.output();

  // The miner's serve.
  struct Kind {
    const char* text;
    const char* cause;  // in the user's 5xx (the miner's own words, passed on by the gateway)
    const char* log;    // in the miner's log: its worker died or was killed, and restarts
  };
  const Kind kinds[] = {
      {"segv", "died of SIGSEGV", "died of SIGSEGV; restarting it"},
      {"abort", "died of SIGABRT", "died of SIGABRT; restarting it"},
      {"throw", "threw an exception across the ABI", nullptr},  // the worker stays
      {"hang", "timeout", "hung: a serve call did not return within 1 s of its cancellation"},  // the gateway's
      {"leak", "over its limit of 200 MiB", "over its limit of 200 MiB \\(plugin_memory_limit_mb\\); restarting it"},
  };
  for (const Kind& kind : kinds) {
    SCOPED_TRACE(kind.text);
    // Sent until the miner is tried with it: after the previous kind's failure the gateway may
    // hold the miner back for a moment ("no contender is healthy"), more so on a loaded machine.
    auto failed = std::async(std::launch::async, [&] {
      nineteen::net::ClientResult r;
      for (auto deadline = std::chrono::steady_clock::now() + 30s; std::chrono::steady_clock::now() < deadline;) {
        r = send(kind.text);
        if (error_message(r.body).find("no contender is healthy") == std::string::npos) break;
        std::this_thread::sleep_for(200ms);
      }
      return r;
    });
    // The other task is served while the bad call is in flight (the hang holds it for 2 s).
    EXPECT_TRUE(serves(other, reversed));
    auto crashed = failed.get();
    EXPECT_GE(crashed.status, 500) << crashed.body;
    EXPECT_LT(crashed.status, 600) << crashed.body;
    // The miner's words, or, when the machine is so loaded that the worker's death (or the leak's
    // growth to the limit) took longer than the gateway's 2 s, the gateway's timeout; the miner's
    // log below names the cause then. A throw is answered at once: its words are required.
    const std::string said = error_message(crashed.body);
    EXPECT_TRUE(said.find(kind.cause) != std::string::npos ||
                (kind.log && said.find("total_timeout") != std::string::npos))
        << crashed.body;
    if (kind.log) {
      EXPECT_TRUE(miner.wait_for_line(std::regex(kind.log), 30s)) << miner.output();
    }
    EXPECT_TRUE(alive(miner)) << miner.output();
    EXPECT_TRUE(alive(validator));
    EXPECT_TRUE(serves([&] { return send("hello"); }, hello)) << miner.output();
    EXPECT_TRUE(serves(other, reversed));
  }

  // The validator's inline checker. An organic "hello" answer checked right (quality 1) after now:
  // the validator's worker for the plugin is up and checking. A hello is sent each 2 s till one is.
  auto checks_again = [&] {
    const auto since = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch()).count();
    for (auto deadline = std::chrono::steady_clock::now() + 60s; std::chrono::steady_clock::now() < deadline;) {
      EXPECT_TRUE(serves([&] { return send("hello"); }, hello));
      for (auto next = std::chrono::steady_clock::now() + 2s; std::chrono::steady_clock::now() < next;) {
        nineteen::store::SqliteOptions read_only;
        read_only.read_only = true;
        nineteen::store::SqliteDatabase db(dir.file("validator.db"), read_only);
        auto q = db.prepare("SELECT count(*) FROM checked_answers WHERE task = 'crashy' AND quality = 1 AND "
                            "checked_at_ms > ?1 AND synthetic = 0");
        q.bind(1, static_cast<std::int64_t>(since));
        if (q.step() && q.column_int(0) > 0) return true;
        std::this_thread::sleep_for(200ms);
      }
    }
    return false;
  };
  // Where each crashy answer stands in the validator's store, for a failure's message.
  auto crashy_answers = [&] {
    nineteen::store::SqliteOptions read_only;
    read_only.read_only = true;
    nineteen::store::SqliteDatabase db(dir.file("validator.db"), read_only);
    std::string out = "the validator's crashy answers (organic):\n";
    for (const char* table : {"kept_answers", "unchecked_answers", "checked_answers"}) {
      auto q = db.prepare(std::string("SELECT count(*) FROM ") + table + " WHERE task = 'crashy' AND synthetic = 0");
      out += std::string("  ") + table + ": " + (q.step() ? std::to_string(q.column_int(0)) : "?") + "\n";
    }
    auto reasons = db.prepare("SELECT reason FROM unchecked_answers WHERE task = 'crashy'");
    while (reasons.step()) out += "  unchecked: " + reasons.column_text(0) + "\n";
    auto kept = db.prepare("SELECT id, request FROM kept_answers WHERE task = 'crashy' AND synthetic = 0");
    while (kept.step()) out += "  waiting: " + std::to_string(kept.column_int(0)) + " " + kept.column_text(1) + "\n";
    return out;
  };
  ASSERT_TRUE(checks_again()) << validator.output();
  EXPECT_EQ(validator.output().find("died of"), std::string::npos) << "no worker of the validator crashed so far";
  // One at a time, each sent once checking works, so each failed check names its own cause.
  struct CheckKind {
    const char* text;
    const char* cause;  // in the failed check job's error
  };
  const CheckKind check_kinds[] = {
      {"check-abort", "died of SIGABRT"},
      {"check-throw", "threw an exception across the ABI"},
      {"check-hang", "hung: a task_check call did not return within 2 s \\(plugin_call_timeout_s\\)"},
      {"check-leak", "over its limit of 200 MiB \\(plugin_memory_limit_mb\\)"},
  };
  for (const CheckKind& kind : check_kinds) {
    SCOPED_TRACE(kind.text);
    EXPECT_TRUE(serves([&] { return send(kind.text); }, std::string(R"({"echo":")") + kind.text + "\"}"));
    EXPECT_TRUE(validator.wait_for_line(
                    std::regex(std::string("(check job \\S+ failed|stays unchecked: the checker failed on it): .*") + kind.cause),
                    60s))
        << validator.output() << crashy_answers();
    ASSERT_TRUE(alive(validator)) << validator.output();
    EXPECT_TRUE(serves(other, reversed));
    EXPECT_TRUE(checks_again()) << validator.output() << crashy_answers();
  }
  EXPECT_TRUE(alive(miner)) << miner.output();
  // Only the answers that crashed the check are at fault: a check that came while the worker
  // restarted waited for it (worker_proxy.cpp) instead of being recorded unchecked.
  nineteen::store::SqliteOptions read_only;
  read_only.read_only = true;
  nineteen::store::SqliteDatabase db(dir.file("validator.db"), read_only);
  auto unchecked = db.prepare("SELECT count(*) FROM unchecked_answers");
  ASSERT_TRUE(unchecked.step());
  EXPECT_EQ(unchecked.column_int(0), static_cast<std::int64_t>(std::size(check_kinds)))
      << "only the answers whose check crashed are unchecked\n" << crashy_answers();
}

// Issue 17, item 3: hostile clients with real sockets against the gateway. Hundreds of idle half
// requests (slowloris), huge headers, a body larger than the limit, lying and negative
// Content-Length, chunked garbage, bad and revoked keys, a rate-limit burst: each gets a clear 4xx or
// a close, users keep being served meanwhile, and the validator's resident memory stays bounded.
TEST(HostileRequests, SlowlorisHugeHeadersAndBrokenFramingLeaveUsersServed) {
  ScratchDir dir("hostile-clients");
  LoopbackNetwork net(dir);
  ASSERT_FALSE(net.chain_url.empty());
  dir.write("tasks.toml", "[tasks.reverse-words]\nplugin = \"text_transform\"\nmode = \"reverse\"\nmax_capacity = 2000\n"
                          "volume_per_request = 10\ntimeout_s = 2\n");
  net.start_miner("honest", "tasks.toml");
  const std::string gateway = net.start_validator("period_s = 3\n");
  ASSERT_FALSE(gateway.empty());
  net.wait_for_first_weights();
  auto serve_one = [&](const std::string& key) {
    nineteen::net::HttpClient client;
    nineteen::net::ClientRequest r;
    r.method = "POST";
    r.url = gateway + "/v1/text/transform";
    r.body = R"({"model":"reverse-words","text":"still here"})";
    r.headers.set("Authorization", "Bearer " + key);
    return client.send(r);
  };
  auto served = serve_one(net.api_key);
  ASSERT_EQ(served.status, 200) << served.body << net.validator->output();
  const long rss_before = resident_kb(net.validator->pid());

  // Slowloris: 300 connections that each send half a request head and then nothing.
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 300; ++i) {
    idle.push_back(std::make_unique<RawConnection>(gateway));
    ASSERT_TRUE(idle.back()->connected()) << "connection " << i;
    idle.back()->send("POST /v1/text/transform HTTP/1.1\r\nHost: x\r\nX-Slow: ");
  }
  for (int i = 0; i < 5; ++i) {
    auto r = serve_one(net.api_key);
    EXPECT_EQ(r.status, 200) << "with 300 idle half requests open: " << r.body;
  }

  const std::string head = "POST /v1/text/transform HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + net.api_key + "\r\n";
  const std::string body = R"({"model":"reverse-words","text":"ab"})";
  {
    RawConnection c(gateway);  // 64 KiB of headers
    c.send(head + "X-Big: " + std::string(64 * 1024, 'a') + "\r\nContent-Length: 2\r\n\r\n{}");
    EXPECT_EQ(c.status(), 431);
  }
  {
    RawConnection c(gateway);  // a declared body past the limit is refused before it is read
    c.send(head + "Content-Type: application/json\r\nContent-Length: 100000000\r\n\r\n{");
    EXPECT_EQ(c.status(), 413);
  }
  {
    RawConnection c(gateway);  // negative length
    c.send(head + "Content-Length: -5\r\n\r\n" + body);
    const int status = c.status();
    EXPECT_TRUE(status == 400 || status == 0) << status;
  }
  {
    RawConnection c(gateway);  // chunked garbage
    c.send(head + "Transfer-Encoding: chunked\r\n\r\nzz\r\nnot a chunk\r\n");
    const int status = c.status();
    EXPECT_TRUE(status == 400 || status == 0) << status;
  }
  {
    RawConnection c(gateway);  // a body shorter than its Content-Length, then the client goes away
    c.send(head + "Content-Length: 1000\r\n\r\n" + body);
  }
  {
    RawConnection c(gateway);  // not HTTP at all
    c.send(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + std::string(512, '\xff'));
    const int status = c.status();
    EXPECT_TRUE(status == 400 || status == 0) << status;
  }
  // Bad keys: a made-up one, and one revoked while the gateway runs.
  EXPECT_EQ(serve_one("nt-00000000000000000000000000000000").status, 401);
  auto [made_rc, made] = test_support::run_nineteen({"apikey", "create", "--db", dir.file("validator.db"), "--name", "soon-revoked"});
  ASSERT_EQ(made_rc, 0) << made;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(made, m, std::regex("(nt-[0-9a-f]{32})")));
  const std::string revoked = m[1];
  ASSERT_TRUE(std::regex_search(made, m, std::regex("API key ([0-9]+) ")));
  const std::string revoked_id = m[1];
  EXPECT_EQ(serve_one(revoked).status, 200);
  auto [revoke_rc, revoke_out] = test_support::run_nineteen({"apikey", "revoke", revoked_id, "--db", dir.file("validator.db")});
  ASSERT_EQ(revoke_rc, 0) << revoke_out;
  EXPECT_EQ(serve_one(revoked).status, 401);

  // The idle connections are still open; users are still served; the validator is up.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(serve_one(net.api_key).status, 200);
  ASSERT_TRUE(alive(*net.validator)) << net.validator->output();
  idle.clear();
  const long rss_after = resident_kb(net.validator->pid());
  EXPECT_LT(rss_after - rss_before, 64 * 1024) << "resident memory grew from " << rss_before << " kB to " << rss_after
                                               << " kB";
  std::cout << "validator resident memory: " << rss_before << " kB before, " << rss_after
            << " kB after 300 idle connections and the hostile requests\n";
}

// Issue 17, item 4: the miner serving a user's stream is killed (kill -9) half way. The user's
// stream ends at once with an error event naming what happened (not a hang, not a silent cut), the
// gateway stays up, and the next request gets a clear error while no miner is left.
TEST(HostileRequests, AMinerKilledMidStreamEndsTheUsersStreamWithANamedError) {
  ScratchDir dir("killed-mid-stream");
  LoopbackNetwork net(dir);
  ASSERT_FALSE(net.chain_url.empty());
  dir.write("tasks.toml", "[tasks.reverse-words]\nplugin = \"text_transform\"\nmode = \"reverse\"\nmax_capacity = 2000\n"
                          "volume_per_request = 10\ntimeout_s = 10\nword_delay_ms = 300\n");
  net.start_miner("a", "tasks.toml");
  net.start_miner("b", "tasks.toml");
  const std::string gateway = net.start_validator("period_s = 3\n");
  ASSERT_FALSE(gateway.empty());
  net.wait_for_first_weights();
  nineteen::net::HttpClient client;
  nineteen::net::ClientRequest r;
  r.method = "POST";
  r.url = gateway + "/v1/text/transform";
  r.body = R"({"model":"reverse-words","text":"one two three four five six seven eight nine ten eleven twelve","stream":true})";
  r.headers.set("Authorization", "Bearer " + net.api_key);
  std::vector<nineteen::net::SseEvent> events;
  std::atomic<bool> killed{false};
  std::chrono::steady_clock::time_point killed_at;
  auto result = client.stream(r, [&](const nineteen::net::SseEvent& e) {
    events.push_back(e);
    if (events.size() == 2 && !killed) {
      for (auto& miner : net.miners) miner->signal(SIGKILL);  // whichever serves this stream dies
      killed_at = std::chrono::steady_clock::now();
      killed = true;
    }
    return true;
  });
  ASSERT_TRUE(killed) << "the stream never reached two events: " << result.status << " " << result.body;
  const double after_kill_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - killed_at).count();
  EXPECT_LT(after_kill_s, 5.0) << "the user's stream hung after the miner died";
  EXPECT_LT(events.size(), 12u) << "all twelve words arrived from a killed miner";
  bool named = false;
  for (const auto& e : events) {
    named = named || (e.data.find("\"code\":\"stream_error\"") != std::string::npos &&
                      e.data.find("the miner's stream failed after 2 chunks") != std::string::npos);
  }
  EXPECT_TRUE(named) << "the stream ended without an error event naming the cut; last event: "
                     << (events.empty() ? "" : events.back().data);
  EXPECT_FALSE(result.done_seen) << "a cut stream must not end with [DONE] as if complete";

  ASSERT_TRUE(alive(*net.validator)) << net.validator->output();
  for (auto& miner : net.miners) miner->wait_exit(5s);
  nineteen::net::ClientRequest again = r;
  again.body = R"({"model":"reverse-words","text":"anyone there"})";
  auto answer = client.send(again);
  EXPECT_GE(answer.status, 500) << answer.body;
  EXPECT_FALSE(error_message(answer.body).empty()) << answer.body;
  ASSERT_TRUE(alive(*net.validator)) << net.validator->output();
}
