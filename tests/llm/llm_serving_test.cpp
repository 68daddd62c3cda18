// Serving through the plugin: streamed and whole answers agree, seeds decide tokens, cancellation,
// bad requests and configs are refused with the key named, synthesis is deterministic and varied.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include <rapidjson/document.h>

#include "generation_request.hpp"
#include "llm_plugin.hpp"
#include "loaded_model.hpp"
#include "miner_answer.hpp"
#include "prompt_encoding.hpp"
#include "tiny_models.hpp"

namespace nineteen::llm {
namespace {

using testing::error_text;
using testing::make_task;
using testing::serve_answer;
using testing::task_config;
using testing::TinyModels;

std::string chat_request(double temperature, int max_tokens, uint64_t seed, bool stream, bool logprobs = true) {
  return R"({"messages":[{"role":"user","content":"Tell me about the garden."}],"temperature":)" +
         std::to_string(temperature) + ",\"max_tokens\":" + std::to_string(max_tokens) +
         ",\"seed\":" + std::to_string(seed) + ",\"stream\":" + (stream ? "true" : "false") +
         ",\"logprobs\":" + (logprobs ? "true" : "false") + ",\"top_logprobs\":" + (logprobs ? "3" : "0") + "}";
}

std::string completion_request(double temperature, int max_tokens, uint64_t seed, bool stream) {
  return R"({"prompt":"The river runs","temperature":)" + std::to_string(temperature) +
         ",\"max_tokens\":" + std::to_string(max_tokens) + ",\"seed\":" + std::to_string(seed) +
         ",\"stream\":" + (stream ? "true" : "false") + ",\"logprobs\":2}";
}

MinerAnswer read(const std::string& response, LlmTaskType type = LlmTaskType::Chat) {
  MinerAnswerRead r = read_miner_answer(response, type);
  EXPECT_TRUE(r.answer) << r.problem << "\n" << response;
  return r.answer ? *r.answer : MinerAnswer{};
}

// The text a client would show: every chunk's content (chat) or text (completions) joined.
std::string shown_text(const std::string& response, LlmTaskType type) {
  rapidjson::Document doc;
  doc.Parse(response.c_str());
  std::string text;
  for (const auto& chunk : doc.GetArray()) {
    const auto& choice = chunk["choices"][0];
    if (type == LlmTaskType::Completions) {
      text += choice["text"].GetString();
    } else {
      const auto& holder = choice.HasMember("message") ? choice["message"] : choice["delta"];
      if (holder.HasMember("content")) text += holder["content"].GetString();
    }
  }
  return text;
}

class CancelAfter : public sdk::Call {
 public:
  explicit CancelAfter(int n) : left_(n) {}
  bool emit(std::string_view) override { return --left_ > 0; }
  bool cancelled() const override { return left_ <= 0; }

 private:
  int left_;
};

class LlmServing : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    plugin_ = new LlmPlugin(sdk::Host());
    chat_ = make_task(*plugin_, "chat", task_config("chat", TinyModels::get().reference())).release();
    completions_ = make_task(*plugin_, "completions", task_config("completions", TinyModels::get().reference())).release();
  }
  static void TearDownTestSuite() {
    delete chat_;
    delete completions_;
    delete plugin_;
  }
  static LlmPlugin* plugin_;
  static sdk::Task* chat_;
  static sdk::Task* completions_;
};

LlmPlugin* LlmServing::plugin_ = nullptr;
sdk::Task* LlmServing::chat_ = nullptr;
sdk::Task* LlmServing::completions_ = nullptr;

TEST_F(LlmServing, DescribesItselfAsAStreamedTextTaskCountingTokens) {
  sdk::TaskDescriptor d = chat_->describe();
  EXPECT_EQ(d.kind, "text");
  EXPECT_EQ(d.endpoint, "/v1/chat/completions");
  EXPECT_TRUE(d.stream);
  EXPECT_EQ(d.work_unit, "tokens");
  EXPECT_EQ(d.model, "tiny-llama");
  EXPECT_EQ(completions_->describe().endpoint, "/v1/completions");
}

TEST_F(LlmServing, StreamedAndWholeAnswersCarryTheSameTokens) {
  for (double temperature : {0.0, 0.9}) {
    sdk::CollectingCall streamed, whole;
    chat_->serve(chat_request(temperature, 24, 11, true), streamed);
    chat_->serve(chat_request(temperature, 24, 11, false), whole);
    ASSERT_EQ(whole.chunks.size(), 1u) << "a non-streamed answer is exactly one chunk";
    MinerAnswer s = read(streamed.response_json()), w = read(whole.response_json());
    EXPECT_EQ(s.tokens, w.tokens);
    EXPECT_EQ(s.logprobs, w.logprobs);
    EXPECT_EQ(s.finish_reason, w.finish_reason);
    EXPECT_EQ(streamed.chunks.size(), s.tokens.size() + 1) << "one chunk per token and a final one";
    EXPECT_EQ(shown_text(streamed.response_json(), LlmTaskType::Chat), shown_text(whole.response_json(), LlmTaskType::Chat));
    rapidjson::Document last;
    last.Parse(streamed.chunks.back().c_str());
    EXPECT_EQ(last["usage"]["completion_tokens"].GetInt64(), static_cast<int64_t>(s.tokens.size()));
    EXPECT_STREQ(last["object"].GetString(), "chat.completion.chunk");
    rapidjson::Document one;
    one.Parse(whole.chunks[0].c_str());
    EXPECT_STREQ(one["object"].GetString(), "chat.completion");
    EXPECT_STREQ(one["choices"][0]["message"]["role"].GetString(), "assistant");
    EXPECT_EQ(one["choices"][0]["logprobs"]["content"][0]["top_logprobs"].Size(), 3u);
  }
  sdk::CollectingCall streamed, whole;
  completions_->serve(completion_request(0.5, 20, 4, true), streamed);
  completions_->serve(completion_request(0.5, 20, 4, false), whole);
  ASSERT_EQ(whole.chunks.size(), 1u);
  MinerAnswer s = read(streamed.response_json(), LlmTaskType::Completions);
  MinerAnswer w = read(whole.response_json(), LlmTaskType::Completions);
  EXPECT_EQ(s.tokens, w.tokens);
  EXPECT_EQ(s.logprobs, w.logprobs);
  EXPECT_EQ(shown_text(streamed.response_json(), LlmTaskType::Completions),
            shown_text(whole.response_json(), LlmTaskType::Completions));
}

TEST_F(LlmServing, TheSeedDecidesTheTokens) {
  auto tokens = [&](uint64_t seed) { return read(serve_answer(*chat_, chat_request(1.0, 32, seed, true))).tokens; };
  EXPECT_EQ(tokens(21), tokens(21));
  EXPECT_NE(tokens(21), tokens(22));
  // Greedy ignores the seed.
  EXPECT_EQ(read(serve_answer(*chat_, chat_request(0.0, 16, 1, true))).tokens,
            read(serve_answer(*chat_, chat_request(0.0, 16, 2, true))).tokens);
}

TEST_F(LlmServing, EveryChunkIsValidJsonAndWorkCountsTokens) {
  const std::string request = chat_request(1.0, 40, 3, true);
  sdk::CollectingCall call;
  chat_->serve(request, call);
  for (const std::string& chunk : call.chunks) {
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseValidateEncodingFlag>(chunk.c_str());
    EXPECT_FALSE(doc.HasParseError()) << chunk;
  }
  EXPECT_EQ(chat_->work(request, call.response_json()), static_cast<double>(call.chunks.size() - 1));
  EXPECT_EQ(chat_->work(request, "garbage"), 0.0);
  // A stream cut off after 3 chunks (its user left) is worth the tokens it had.
  ASSERT_GE(call.chunks.size(), 4u);
  double tokens_in_three = 0;
  for (size_t i = 0; i < 3; ++i) {
    rapidjson::Document doc;
    doc.Parse(call.chunks[i].c_str());
    if (doc["choices"].Size() > 0 && doc["choices"][0].HasMember("token_ids")) tokens_in_three += doc["choices"][0]["token_ids"].Size();
  }
  EXPECT_GT(tokens_in_three, 0.0);
  const std::string cut = "[" + call.chunks[0] + "," + call.chunks[1] + "," + call.chunks[2] + "]";
  EXPECT_EQ(chat_->work(request, cut), tokens_in_three);
}

TEST_F(LlmServing, ConcurrentCallsGiveTheSameAnswersAsOneAtATime) {
  std::vector<std::string> requests, alone(4), together(4);
  for (uint64_t seed = 1; seed <= 4; ++seed) requests.push_back(chat_request(0.8, 24, seed, true));
  for (size_t i = 0; i < 4; ++i) alone[i] = shown_text(serve_answer(*chat_, requests[i]), LlmTaskType::Chat);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] { together[i] = shown_text(serve_answer(*chat_, requests[i]), LlmTaskType::Chat); });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(alone, together);
}

TEST_F(LlmServing, CancellationStopsServing) {
  CancelAfter call(3);
  EXPECT_NE(error_text([&] { chat_->serve(chat_request(0.0, 50, 1, true), call); }, NT_CANCELLED).find("cancelled"),
            std::string::npos);
  CancelAfter whole(1);
  error_text([&] { chat_->serve(chat_request(0.0, 50, 1, false), whole); }, NT_CANCELLED);
}

TEST_F(LlmServing, RequestsThatDoNotFitTheContextAreRefused) {
  auto small = make_task(*plugin_, "small", task_config("chat", TinyModels::get().reference(), "\"max_context\":64"));
  std::string long_text;
  for (int i = 0; i < 40; ++i) long_text += "the river and the stone ";
  sdk::CollectingCall call;
  std::string e = error_text([&] {
    small->serve(R"({"messages":[{"role":"user","content":")" + long_text + R"("}]})", call);
  }, NT_INVALID_ARGUMENT);
  EXPECT_NE(e.find("request key \"messages\": the prompt is"), std::string::npos) << e;
  EXPECT_NE(e.find("max_context is 64"), std::string::npos) << e;
  e = error_text([&] { small->serve(R"({"messages":[{"role":"user","content":"hi"}],"max_tokens":60})", call); },
                 NT_INVALID_ARGUMENT);
  EXPECT_NE(e.find("request key \"max_tokens\": 60 tokens after a prompt of"), std::string::npos) << e;
  e = error_text([&] { small->serve(R"({"messages":[{"role":"user","content":"hi"}],"max_tokens":64})", call); },
                 NT_INVALID_ARGUMENT);
  EXPECT_NE(e.find("\"max_tokens\": expected an integer from 1 to 63"), std::string::npos) << e;
  e = error_text([&] { chat_->serve(R"({"messages":[{"role":"robot","content":"hi"}]})", call); }, NT_INVALID_ARGUMENT);
  EXPECT_NE(e.find("key \"role\": expected \"system\", \"developer\", \"user\", \"assistant\" or \"tool\", got \"robot\""),
            std::string::npos) << e;
  // Without max_tokens the answer may use what the context leaves, up to max_tokens_limit.
  auto limited = make_task(*plugin_, "limited", task_config("chat", TinyModels::get().reference(), "\"max_tokens_limit\":5"));
  sdk::CollectingCall ok;
  limited->serve(R"({"messages":[{"role":"user","content":"hi"}],"temperature":0,"stream":true})", ok);
  EXPECT_LE(ok.chunks.size(), 6u);
}

TEST_F(LlmServing, BadConfigsNameTheKey) {
  const std::string dir = TinyModels::get().reference();
  auto config_error = [&](const std::string& json, nt_code code = NT_INVALID_ARGUMENT) {
    return error_text([&] { make_task(*plugin_, "t", json); }, code);
  };
  EXPECT_NE(config_error(R"({"model_dir":"x"})").find("missing key \"type\""), std::string::npos);
  EXPECT_NE(config_error(R"({"type":"embed","model_dir":"x"})").find("key \"type\": expected \"chat\" or \"completions\""),
            std::string::npos);
  EXPECT_NE(config_error(R"({"type":"chat"})").find("missing key \"model_dir\""), std::string::npos);
  EXPECT_NE(config_error(task_config("chat", dir, "\"dtype\":\"fp8\"")).find("key \"dtype\": expected \"f32\", \"bf16\" or \"q8\""),
            std::string::npos);
  EXPECT_NE(config_error(task_config("chat", dir, "\"max_tokens\":5")).find("unknown key \"max_tokens\""), std::string::npos);
  EXPECT_NE(config_error(R"({"type":"chat","model_dir":"x","threads":-1})").find("key \"threads\""), std::string::npos);
  EXPECT_NE(config_error(task_config("chat", dir, "\"max_context\":1000000")).find("\"max_context\": expected 2 to"),
            std::string::npos);
  EXPECT_NE(config_error(task_config("chat", dir, "\"max_context\":64,\"max_tokens_limit\":64"))
                .find("\"max_tokens_limit\": expected at most max_context - 1 = 63"),
            std::string::npos);
  std::string missing = config_error(task_config("chat", "no/such/model"), NT_NOT_FOUND);
  EXPECT_NE(missing.find("task \"t\": model_dir \"no/such/model\" (resolved to /"), std::string::npos) << missing;
}

TEST_F(LlmServing, TasksOnOneModelShareOneLoad) {
  ModelCache cache;
  models::LoadOptions f32;
  auto a = cache.get(TinyModels::get().reference(), f32);
  auto b = cache.get(TinyModels::get().reference(), f32);
  EXPECT_EQ(a.get(), b.get());
  models::LoadOptions bf16;
  bf16.storage = models::WeightStorage::BF16;
  EXPECT_NE(cache.get(TinyModels::get().reference(), bf16).get(), a.get());
}

TEST_F(LlmServing, Bf16TasksServeAndCheckTheirOwnAnswers) {
  auto task = make_task(*plugin_, "bf16", task_config("chat", TinyModels::get().reference(), "\"dtype\":\"bf16\""));
  task->self_test();
  const std::string request = chat_request(0.7, 32, 8, true);
  auto result = task->check({request}, {serve_answer(*task, request)});
  EXPECT_GE(result[0].quality, 0.99) << result[0].reason;
}

// An 8-bit (Q8) miner checked by an f32 validator under the default rules: Q8's quality loss
// (bench_llm's quality table) sits well inside the checker's distance tolerance.
TEST_F(LlmServing, Q8AnswersPassAnF32Checker) {
  auto miner = make_task(*plugin_, "q8", task_config("chat", TinyModels::get().reference(), "\"dtype\":\"q8\""));
  miner->self_test();
  for (double temperature : {0.0, 0.7}) {
    const std::string request = chat_request(temperature, 32, 8, true);
    auto result = chat_->check({request}, {serve_answer(*miner, request)});  // chat_: f32 weights
    EXPECT_GE(result[0].quality, 0.99) << "temperature " << temperature << ": " << result[0].reason;
  }
}

TEST_F(LlmServing, SynthesisIsDeterministicVariedAndServable) {
  std::set<std::string> requests, first_words, temperatures, first_keys;
  int multi_turn = 0, with_system = 0, streamed = 0, with_temperature = 0, with_max_tokens = 0, with_seed = 0;
  const int n = 200;
  for (uint64_t seed = 1; seed <= n; ++seed) {
    std::string r = chat_->synthesize(seed);
    EXPECT_EQ(r, chat_->synthesize(seed));
    requests.insert(r);
    GenerationRequest g = GenerationRequest::parse(r, LlmTaskType::Chat, 1 << 20);
    // What the check needs is always there, added as the gateway adds it to a user's request.
    EXPECT_TRUE(g.logprobs) << r;
    EXPECT_NE(r.find("\"return_token_ids\":true"), std::string::npos) << r;
    EXPECT_GE(g.max_tokens, 0);
    EXPECT_LE(g.max_tokens, 4096);
    EXPECT_LE(g.sampling.temperature, 1.0);
    const std::string& question = g.messages.back().content;
    first_words.insert(question.substr(0, question.find(' ')));
    rapidjson::Document d;
    d.Parse(r.c_str());
    first_keys.insert(d.MemberBegin()->name.GetString());
    if (d.HasMember("temperature")) {
      ++with_temperature;
      temperatures.insert(std::to_string(g.sampling.temperature));
    }
    with_max_tokens += d.HasMember("max_tokens") || d.HasMember("max_completion_tokens") ? 1 : 0;
    with_seed += g.has_seed ? 1 : 0;
    streamed += g.stream ? 1 : 0;
    multi_turn += g.messages.size() >= 3 ? 1 : 0;
    with_system += g.messages.front().role == "system" ? 1 : 0;
  }
  EXPECT_EQ(requests.size(), static_cast<size_t>(n));
  EXPECT_GE(first_words.size(), 8u) << "prompts should not come from one template";
  EXPECT_GE(temperatures.size(), 5u);
  EXPECT_EQ(first_keys.size(), 2u) << "both clients' key orders (model first, messages first)";
  // The client mix of prompt_synthesizer.hpp, within generous bounds for 200 draws: parameters are
  // sent as often as users send them, not always.
  EXPECT_GT(streamed, n * 45 / 100);
  EXPECT_LT(streamed, n * 75 / 100);
  EXPECT_GT(with_temperature, n * 45 / 100);
  EXPECT_LT(with_temperature, n * 75 / 100);
  EXPECT_GT(with_max_tokens, n * 50 / 100);
  EXPECT_LT(with_max_tokens, n * 90 / 100);
  EXPECT_LT(with_seed, n * 10 / 100);
  EXPECT_GT(multi_turn, n / 10);
  EXPECT_GT(with_system, n / 4);
  std::set<std::string> openings;
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    GenerationRequest g = GenerationRequest::parse(completions_->synthesize(seed), LlmTaskType::Completions, 1 << 20);
    openings.insert(g.prompt.substr(0, 6));
  }
  EXPECT_GE(openings.size(), 5u);
  // Servable as they come, streamed or whole.
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    sdk::CollectingCall call;
    chat_->serve(chat_->synthesize(seed), call);
  }
}

TEST_F(LlmServing, SynthesisFitsASmallContext) {
  auto small = make_task(*plugin_, "small", task_config("chat", TinyModels::get().reference(),
                                                        "\"max_context\":160,\"max_tokens_limit\":40"));
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    std::string request = small->synthesize(seed);
    GenerationRequest g = GenerationRequest::parse(request, LlmTaskType::Chat, 40);  // throws above 40
    EXPECT_LE(g.max_tokens, 40);
    sdk::CollectingCall call;
    small->serve(request, call);  // would throw if prompt + max_tokens did not fit
  }
}

TEST_F(LlmServing, SelfTestIsQuick) {
  auto start = std::chrono::steady_clock::now();
  chat_->self_test();
  completions_->self_test();
  // Not a speed assertion: printed so a slow self-test shows up in the log.
  std::printf("self_test of chat + completions: %.0f ms\n",
              std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
}

}  // namespace
}  // namespace nineteen::llm
