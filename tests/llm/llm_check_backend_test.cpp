// Checking through a backend against a real process on loopback: a `nineteen miner` serving the
// tiny models' completions tasks unsigned is the vLLM-style checking backend (prompt_logprobs over
// token ids); a task with check_backend = its URL checks the same answers as the in-process
// reference and must give the same qualities (tolerance 1e-3: the same weights and rules, the
// logprobs crossing JSON). Also: the start check refuses a backend of another model or tokenizer,
// and the protocol's answer has vLLM's shape with the reference's numbers.
#include <gtest/gtest.h>

#include <cmath>
#include <regex>

#include <rapidjson/document.h>

#include "answer_check.hpp"
#include "check_backend.hpp"
#include "child_process.hpp"
#include "llm_plugin.hpp"
#include "loaded_model.hpp"
#include "nineteen/keys/hotkey.hpp"
#include "nineteen/keys/hotkey_file.hpp"
#include "nineteen/net/http_client.hpp"
#include "tiny_models.hpp"

namespace nineteen::llm {
namespace {

using test_support::ChildProcess;
using test_support::ScratchDir;
using testing::make_task;
using testing::serve_answer;
using testing::task_config;
using testing::TinyModels;

constexpr double kTolerance = 1e-3;

const char* const kQuestions[] = {"Tell me about the river and the old stone bridge.",
                                  "Why do people like gardens in winter?", "Write a short letter to a friend.",
                                  "What is the best way to learn music?"};

std::string request(bool chat, const std::string& text, double temperature, int max_tokens, uint64_t seed) {
  std::string head = chat ? R"({"messages":[{"role":"user","content":)" + sdk::json_quote(text) + "}]"
                          : "{\"prompt\":" + sdk::json_quote(text);
  return head + ",\"temperature\":" + std::to_string(temperature) + ",\"max_tokens\":" + std::to_string(max_tokens) +
         ",\"seed\":" + std::to_string(seed) + ",\"stream\":true,\"logprobs\":true}";
}

class LlmCheckBackend : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new ScratchDir("llm-backend");
    keys::save_hotkey(keys::Hotkey::generate(), dir_->file("key.json"));
    dir_->write("tasks.toml", "[tasks.completions-tiny-llama]\nplugin = \"llm\"\ntype = \"completions\"\nmodel_dir = " +
                                  sdk::json_quote(TinyModels::get().reference()) + "\nthreads = 1\n");
    dir_->write("miner.toml",
                "[miner]\nhotkey = \"key.json\"\ntasks_file = \"tasks.toml\"\nrequire_signatures = false\n"
                "[miner.tasks.completions-tiny-llama]\nconcurrency = 8\n");
    node_ = new ChildProcess(NINETEEN_BINARY, {"miner", "--config", dir_->file("miner.toml")}, dir_->file("log"));
    auto url = node_->wait_for_line(std::regex("listening on (http://[0-9.:]+)"), std::chrono::seconds(60));
    ASSERT_TRUE(url) << node_->output();
    url_ = *url;
    plugin_ = new LlmPlugin(sdk::Host());
  }
  static void TearDownTestSuite() {
    delete plugin_;
    delete node_;
    delete dir_;
  }
  static std::string backend_keys(const std::string& model = "completions-tiny-llama") {
    return "\"check_backend\":" + sdk::json_quote(url_) + ",\"check_backend_model\":" + sdk::json_quote(model);
  }

  static ScratchDir* dir_;
  static ChildProcess* node_;
  static std::string url_;
  static LlmPlugin* plugin_;
};

ScratchDir* LlmCheckBackend::dir_ = nullptr;
ChildProcess* LlmCheckBackend::node_ = nullptr;
std::string LlmCheckBackend::url_;
LlmPlugin* LlmCheckBackend::plugin_ = nullptr;

TEST_F(LlmCheckBackend, HonestAndWrongModelAnswersCheckTheSameThroughTheBackendAsInProcess) {
  const std::string& ref = TinyModels::get().reference();
  const std::string& wrong = TinyModels::get().wrong();
  for (bool chat : {true, false}) {
    const std::string type = chat ? "chat" : "completions";
    auto local = make_task(*plugin_, "local", task_config(type, ref));
    auto remote = make_task(*plugin_, "remote", task_config(type, ref, backend_keys()));
    auto other = make_task(*plugin_, "other", task_config(type, wrong));
    ASSERT_NO_THROW(remote->self_test());
    std::vector<std::string> requests, responses;
    std::vector<bool> honest;
    for (double temperature : {0.0, 0.7, 1.0}) {
      for (uint64_t seed = 1; seed <= 3; ++seed) {
        const std::string r = request(chat, kQuestions[(seed + static_cast<int>(temperature * 10)) % 4], temperature, 40, seed);
        requests.push_back(r);
        responses.push_back(serve_answer(*local, r));
        honest.push_back(true);
        requests.push_back(r);
        responses.push_back(serve_answer(*other, r));
        honest.push_back(false);
      }
    }
    std::vector<std::string_view> rq(requests.begin(), requests.end()), rs(responses.begin(), responses.end());
    std::vector<sdk::CheckResult> in_process = local->check(rq, rs);
    std::vector<sdk::CheckResult> through = remote->check(rq, rs);
    ASSERT_EQ(in_process.size(), through.size());
    for (size_t i = 0; i < in_process.size(); ++i) {
      EXPECT_NEAR(through[i].quality, in_process[i].quality, kTolerance)
          << type << " answer " << i << ": backend says " << through[i].reason << "; in process "
          << in_process[i].reason;
      if (honest[i]) {
        EXPECT_GE(through[i].quality, 0.99) << type << " honest answer " << i << ": " << through[i].reason;
      } else {
        EXPECT_EQ(through[i].quality, 0.0) << type << " wrong-model answer " << i << ": " << through[i].reason;
      }
    }
  }
}

// An answer made under a grammar (here response_format json_object) is scored on the masked
// distribution in process; an engine cannot apply those masks, so the check through a backend fails
// (the validator then records the answer unchecked) instead of scoring an honest answer as wrong.
TEST_F(LlmCheckBackend, AStructuredOutputAnswerIsNotScoredThroughABackend) {
  const std::string& ref = TinyModels::get().reference();
  auto local = make_task(*plugin_, "local", task_config("chat", ref));
  auto remote = make_task(*plugin_, "remote", task_config("chat", ref, backend_keys()));
  const std::string structured =
      R"({"messages":[{"role":"user","content":"A JSON object, please."}],"response_format":{"type":"json_object"},)"
      R"("temperature":0,"max_tokens":24,"seed":1,"stream":true,"logprobs":true})";
  const std::string answer = serve_answer(*local, structured);
  std::vector<std::string_view> rq{structured}, rs{answer};
  EXPECT_GE(local->check(rq, rs).at(0).quality, 0.99) << "in process, with the masks";
  try {
    remote->check(rq, rs);
    ADD_FAILURE() << "a structured-output answer was scored through the backend";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("cannot be checked through check_backend"), std::string::npos) << e.what();
  }
  // A plain answer in the same batch is still checked through the backend once on its own.
  const std::string plain = request(true, kQuestions[0], 0.0, 24, 1);
  const std::string plain_answer = serve_answer(*local, plain);
  std::vector<std::string_view> prq{plain}, prs{plain_answer};
  EXPECT_GE(remote->check(prq, prs).at(0).quality, 0.99);
}

TEST_F(LlmCheckBackend, TheProtocolAnswersInVllmsShapeWithTheReferencesNumbers) {
  auto model = LoadedModel::load(TinyModels::get().reference(), {});
  const std::vector<int32_t> tokens = model->tokenizer.encode("The old stone bridge over the river", true);
  std::string ids;
  for (int32_t t : tokens) ids += (ids.empty() ? "" : ",") + std::to_string(t);
  net::HttpClient client;
  net::ClientRequest r;
  r.method = "POST";
  r.url = url_ + "/v1/completions";
  r.body = R"({"model":"completions-tiny-llama","prompt":[[)" + ids + "],[" + ids +
           R"(]],"max_tokens":1,"prompt_logprobs":3,"return_token_ids":true})";
  net::ClientResult result = client.send(r);
  ASSERT_EQ(result.status, 200) << result.body;
  rapidjson::Document d;
  d.Parse(result.body.c_str());
  ASSERT_TRUE(d.IsObject()) << result.body;
  ASSERT_EQ(d["choices"].Size(), 2u);
  models::ScoreOptions options;
  options.top_n = 3;
  models::SequenceScore expected = model->model->score({{tokens, 1}}, options)[0];
  for (const auto& choice : d["choices"].GetArray()) {
    const auto& lp = choice["prompt_logprobs"];
    ASSERT_EQ(lp.Size(), tokens.size());
    EXPECT_TRUE(lp[0].IsNull());
    ASSERT_EQ(choice["prompt_token_ids"].Size(), tokens.size());
    for (size_t p = 1; p < tokens.size(); ++p) {
      const models::ScoredToken& e = expected.positions[p - 1];
      const std::string key = std::to_string(tokens[p]);
      ASSERT_TRUE(lp[p].HasMember(key.c_str())) << "position " << p;
      EXPECT_NEAR(lp[p][key.c_str()]["logprob"].GetDouble(), e.logprob, 1e-4);
      EXPECT_EQ(lp[p][key.c_str()]["rank"].GetInt64(), e.rank + 1);  // vLLM: 1 = most likely
      EXPECT_LE(lp[p].MemberCount(), 4u);
      EXPECT_GE(lp[p].MemberCount(), 3u);
      const std::string top = std::to_string(e.top[0].token);
      ASSERT_TRUE(lp[p].HasMember(top.c_str()));
      EXPECT_EQ(lp[p][top.c_str()]["rank"].GetInt(), 1);
    }
  }
  // Users cannot ask for it through a gateway (validate is the gateway's check): its answers could not
  // be checked, and the miner serving it would be scored on them.
  auto task = make_task(*plugin_, "local", task_config("completions", TinyModels::get().reference()));
  const std::string refused = testing::error_text([&] { task->validate(r.body); }, NT_UNIMPLEMENTED);
  EXPECT_NE(refused.find("prompt_logprobs"), std::string::npos) << refused;
  // Bad input is refused by name, and the node keeps serving.
  r.body = R"({"model":"completions-tiny-llama","prompt":[[1,99999]],"prompt_logprobs":3})";
  result = client.send(r);
  EXPECT_EQ(result.status, 400) << result.body;
  EXPECT_NE(result.body.find("prompt[0]"), std::string::npos) << result.body;
  r.body = R"({"model":"completions-tiny-llama","prompt":[[1,2]],"prompt_logprobs":3,"max_tokens":5})";
  EXPECT_EQ(client.send(r).status, 400);
}

TEST_F(LlmCheckBackend, RefusesAtStartABackendOfAnotherModelName) {
  auto task = make_task(*plugin_, "remote", task_config("completions", TinyModels::get().reference(),
                                                        backend_keys("llama-3.1-70b")));
  try {
    task->self_test();
    FAIL() << "a backend that does not serve the model was accepted";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("llama-3.1-70b"), std::string::npos) << e.what();
  }
}

TEST_F(LlmCheckBackend, RefusesAtStartABackendWhoseTokenizerDiffers) {
  // Another tokenizer: the same maker with a smaller vocabulary learns fewer merges.
  ScratchDir other("llm-backend-tokenizer");
  models::TinyLlamaOptions options;
  options.vocab = 300;
  models::make_tiny_llama(other.file("small-vocab"), options);
  auto task = make_task(*plugin_, "remote", task_config("completions", other.file("small-vocab"), backend_keys()));
  try {
    task->self_test();
    FAIL() << "a backend with another tokenizer was accepted";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("tokenizes the probe"), std::string::npos) << e.what();
  }
}

TEST_F(LlmCheckBackend, ATaskCheckedThroughABackendLoadsNoWeightsAndDoesNotServe) {
  ScratchDir folder("llm-backend-noweights");
  models::make_tiny_llama(folder.file("m"), {});
  std::filesystem::remove(folder.file("m/model.safetensors"));  // as on a validator of a 70B model
  auto task = make_task(*plugin_, "remote", task_config("completions", folder.file("m"), backend_keys()));
  EXPECT_NO_THROW(task->self_test());
  sdk::CollectingCall call;
  const std::string text = testing::error_text([&] { task->serve(request(false, "hi", 0, 4, 1), call); }, NT_UNIMPLEMENTED);
  EXPECT_NE(text.find("upstream"), std::string::npos) << text;
}

TEST(LlmCheckBackendConfig, KeysAreReadAndLlamaCppIsRefusedWithTheReason) {
  LlmPlugin plugin{sdk::Host()};
  const std::string& ref = TinyModels::get().reference();
  std::string text = testing::error_text(
      [&] {
        make_task(plugin, "t", task_config("completions", ref,
                                           R"("check_backend":"http://127.0.0.1:1","check_backend_kind":"llama.cpp")"));
      },
      NT_INVALID_ARGUMENT);
  EXPECT_NE(text.find("n_probs"), std::string::npos) << text;
  text = testing::error_text(
      [&] { make_task(plugin, "t", task_config("completions", ref, R"("check_backend":"localhost:8000")")); },
      NT_INVALID_ARGUMENT);
  EXPECT_NE(text.find("http://"), std::string::npos) << text;
  text = testing::error_text(
      [&] { make_task(plugin, "t", task_config("completions", ref, R"("check_backend_kind":"vllm")")); },
      NT_INVALID_ARGUMENT);
  EXPECT_NE(text.find("check_backend"), std::string::npos) << text;
  // An engine that is not running: refused at the self-test, naming the URL.
  auto task = make_task(plugin, "t", task_config("completions", ref, R"("check_backend":"http://127.0.0.1:1")"));
  text = testing::error_text([&] { task->self_test(); }, NT_UNAVAILABLE);
  EXPECT_NE(text.find("127.0.0.1:1"), std::string::npos) << text;
}

TEST(LlmCheckBackendRules, TheRankHorizonCoversEveryLimitTheRulesCompareWith) {
  for (double t : {0.0, 0.5, 0.7, 1.0, 1.5, 2.0}) {
    EXPECT_GE(rank_horizon(t, false), rank_limit(t));
    EXPECT_GT(static_cast<double>(rank_horizon(t, true)), early_stop_rank_limit(t));
    EXPECT_GE(rank_horizon(t, true), rank_limit(t));
  }
  EXPECT_EQ(rank_horizon(1.0, true), 376);  // 300 + 50 · 1.5 = 375, so 376 ranks are listed
}

}  // namespace
}  // namespace nineteen::llm
