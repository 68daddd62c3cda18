// Checking real answers from the tiny models: the reference's own answers pass, wrong-model,
// tampered, cut-short, too long and logprob-less answers fail with the rule that decided it.
#include <gtest/gtest.h>

#include <rapidjson/document.h>

#include "answer_check.hpp"
#include "generation_request.hpp"
#include "llm_plugin.hpp"
#include "loaded_model.hpp"
#include "miner_answer.hpp"
#include "prompt_encoding.hpp"
#include "text_quality.hpp"
#include "tiny_models.hpp"

namespace nineteen::llm {
namespace {

using testing::make_task;
using testing::serve_answer;
using testing::task_config;
using testing::TinyModels;

const char* const kQuestions[] = {"Tell me about the river and the old stone bridge.",
                                  "Why do people like gardens in winter?", "Write a short letter to a friend.",
                                  "What is the best way to learn music?"};

std::string chat_request(const std::string& content, double temperature, int max_tokens, uint64_t seed,
                         const std::string& extra = "") {
  return R"({"messages":[{"role":"system","content":"You are helpful."},{"role":"user","content":)" +
         sdk::json_quote(content) + "}],\"temperature\":" + std::to_string(temperature) +
         ",\"max_tokens\":" + std::to_string(max_tokens) + ",\"seed\":" + std::to_string(seed) +
         ",\"stream\":true,\"logprobs\":true" + extra + "}";
}

std::string completion_request(const std::string& prompt, double temperature, int max_tokens, uint64_t seed) {
  return "{\"prompt\":" + sdk::json_quote(prompt) + ",\"temperature\":" + std::to_string(temperature) +
         ",\"max_tokens\":" + std::to_string(max_tokens) + ",\"seed\":" + std::to_string(seed) +
         ",\"stream\":true,\"logprobs\":true}";
}

// Rebuilds a streamed chat answer from token ids and logprobs, ending as given.
std::string chat_answer(const std::vector<int32_t>& tokens, const std::vector<double>& logprobs,
                        const std::string& finish_reason, const std::string& stop_reason = "null") {
  std::string out = "[";
  for (size_t i = 0; i < tokens.size(); ++i) {
    out += R"({"choices":[{"index":0,"delta":{"content":"x"},"token_ids":[)" + std::to_string(tokens[i]) +
           R"(],"logprobs":{"content":[{"token":"x","logprob":)" + std::to_string(logprobs[i]) +
           R"(,"top_logprobs":[]}]},"finish_reason":null}]},)";
  }
  return out + R"({"choices":[{"index":0,"delta":{},"token_ids":[],"finish_reason":")" + finish_reason +
         R"(","stop_reason":)" + stop_reason + "}]}]";
}

MinerAnswer read(const std::string& response, LlmTaskType type = LlmTaskType::Chat) {
  MinerAnswerRead r = read_miner_answer(response, type);
  EXPECT_TRUE(r.answer) << r.problem;
  return r.answer ? *r.answer : MinerAnswer{};
}

class LlmChecking : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    plugin_ = new LlmPlugin(sdk::Host());
    chat_ = make_task(*plugin_, "chat", task_config("chat", TinyModels::get().reference())).release();
    completions_ = make_task(*plugin_, "completions", task_config("completions", TinyModels::get().reference())).release();
    wrong_chat_ = make_task(*plugin_, "wrong-chat", task_config("chat", TinyModels::get().wrong())).release();
    wrong_completions_ =
        make_task(*plugin_, "wrong-completions", task_config("completions", TinyModels::get().wrong())).release();
    reference_ = LoadedModel::load(TinyModels::get().reference(), {});
  }
  static void TearDownTestSuite() {
    delete chat_;
    delete completions_;
    delete wrong_chat_;
    delete wrong_completions_;
    delete plugin_;
    reference_.reset();
  }

  static double quality(sdk::Task& task, const std::string& request, const std::string& response,
                        std::string* reason = nullptr) {
    auto r = task.check({request}, {response});
    EXPECT_EQ(r.size(), 1u);
    if (reason) *reason = r[0].reason;
    return r[0].quality;
  }

  // Prompt token ids of a chat request, as the checker computes them.
  static std::vector<int32_t> prompt_of(const std::string& request) {
    return encode_prompt(*reference_, GenerationRequest::parse(request, LlmTaskType::Chat, 1 << 20));
  }

  static LlmPlugin* plugin_;
  static sdk::Task* chat_;
  static sdk::Task* completions_;
  static sdk::Task* wrong_chat_;
  static sdk::Task* wrong_completions_;
  static std::shared_ptr<const LoadedModel> reference_;
};

LlmPlugin* LlmChecking::plugin_ = nullptr;
sdk::Task* LlmChecking::chat_ = nullptr;
sdk::Task* LlmChecking::completions_ = nullptr;
sdk::Task* LlmChecking::wrong_chat_ = nullptr;
sdk::Task* LlmChecking::wrong_completions_ = nullptr;
std::shared_ptr<const LoadedModel> LlmChecking::reference_;

TEST_F(LlmChecking, ReferenceAnswersCheckAsOneAtEveryTemperature) {
  for (double temperature : {0.0, 0.7, 1.0}) {
    std::vector<std::string> requests, responses;
    for (uint64_t seed = 1; seed <= 4; ++seed) {
      requests.push_back(chat_request(kQuestions[seed % 4], temperature, 48, seed));
      requests.push_back(completion_request(kQuestions[(seed + 1) % 4], temperature, 48, seed));
    }
    for (size_t i = 0; i < requests.size(); ++i) {
      sdk::Task& task = i % 2 == 0 ? *chat_ : *completions_;
      std::string response = serve_answer(task, requests[i]);
      std::string reason;
      double q = quality(task, requests[i], response, &reason);
      EXPECT_GE(q, 0.99) << "temperature " << temperature << " request " << requests[i] << ": " << reason;
    }
  }
}

TEST_F(LlmChecking, WrongModelAnswersCheckAsZero) {
  for (double temperature : {0.0, 0.7}) {
    for (uint64_t seed = 1; seed <= 3; ++seed) {
      std::string chat = chat_request(kQuestions[seed % 4], temperature, 48, seed);
      std::string reason;
      EXPECT_EQ(quality(*chat_, chat, serve_answer(*wrong_chat_, chat), &reason), 0.0) << reason;
      std::string completion = completion_request(kQuestions[seed % 4], temperature, 48, seed);
      EXPECT_EQ(quality(*completions_, completion, serve_answer(*wrong_completions_, completion), &reason), 0.0)
          << reason;
    }
  }
}

TEST_F(LlmChecking, ALazyMinersMadeUpTokensCheckAsZero) {
  auto lazy = make_task(*plugin_, "lazy-chat", task_config("chat", TinyModels::get().reference(), "\"lazy\":true"));
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    std::string chat = chat_request(kQuestions[seed % 4], 0.7, 32, seed);
    std::string answer = serve_answer(*lazy, chat);
    std::string reason;
    EXPECT_EQ(quality(*chat_, chat, answer, &reason), 0.0) << reason;
  }
}

TEST_F(LlmChecking, EightSwappedTokensCheckAsZero) {
  // A greedy answer long enough to hold 8 swaps 3 tokens apart.
  std::string request;
  MinerAnswer a;
  for (const char* question : kQuestions) {
    request = chat_request(question, 0.0, 40, 3);
    a = read(serve_answer(*chat_, request));
    if (a.tokens.size() >= 24) break;
  }
  ASSERT_GE(a.tokens.size(), 24u) << "every greedy answer stopped too soon for this test";
  // Swap 8 tokens, left to right, each for the token the reference likes least in its context,
  // and report the reference's own logprob for it (the best a cheat could claim).
  std::vector<int32_t> sequence = prompt_of(request);
  const size_t prompt_length = sequence.size();
  sequence.insert(sequence.end(), a.tokens.begin(), a.tokens.end());
  for (int swap = 0; swap < 8; ++swap) {
    const size_t position = prompt_length + 2 + 3 * swap;
    models::Logits logits = reference_->model->full_logits(std::vector<int32_t>(sequence.begin(), sequence.begin() + position));
    const float* row = logits.row(logits.rows() - 1);
    int32_t worst = -1;
    for (int32_t t = 0; t < logits.vocab; ++t) {
      if (!reference_->is_stop(t) && (worst < 0 || row[t] < row[worst])) worst = t;
    }
    sequence[position] = worst;
    a.tokens[position - prompt_length] = worst;
    double max = row[0], sum = 0;
    for (int32_t t = 0; t < logits.vocab; ++t) max = std::max<double>(max, row[t]);
    for (int32_t t = 0; t < logits.vocab; ++t) sum += std::exp(row[t] - max);
    a.logprobs[position - prompt_length] = row[worst] - max - std::log(sum);
  }
  std::string reason;
  EXPECT_EQ(quality(*chat_, request, chat_answer(a.tokens, a.logprobs, a.finish_reason), &reason), 0.0);
  EXPECT_NE(reason.find("tokens ranked >= 10"), std::string::npos) << reason;
}

TEST_F(LlmChecking, EarlyStopWhereTheReferenceWouldNotStopCostsTen) {
  const std::string request = chat_request(kQuestions[1], 0.0, 64, 5);
  MinerAnswer a = read(serve_answer(*chat_, request));
  ASSERT_GE(a.tokens.size(), 8u);
  const std::vector<int32_t> prompt = prompt_of(request);
  const int32_t stop = reference_->default_stop(true);
  const double limit = early_stop_rank_limit(0.0);
  // Where would a stop be early? Ask the reference for its rank of the stop token after each prefix.
  std::vector<models::ScoreRequest> cuts;
  for (size_t cut = 1; cut < a.tokens.size(); ++cut) {
    models::ScoreRequest s;
    s.tokens = prompt;
    s.tokens.insert(s.tokens.end(), a.tokens.begin(), a.tokens.begin() + cut);
    s.tokens.push_back(stop);
    s.first_scored = static_cast<int64_t>(s.tokens.size()) - 1;
    cuts.push_back(s);
  }
  std::vector<models::SequenceScore> ranks = reference_->model->score(cuts);
  int early = -1, plausible = -1;
  for (size_t i = 0; i < ranks.size(); ++i) {
    int64_t rank = ranks[i].positions.back().rank;
    if (rank > limit && early < 0) early = static_cast<int>(i) + 1;
    if (rank <= limit && plausible < 0) plausible = static_cast<int>(i) + 1;
  }
  ASSERT_GT(early, 0) << "the reference ranks the stop token within " << limit << " everywhere";
  auto cut_at = [&](int n) {
    return chat_answer(std::vector<int32_t>(a.tokens.begin(), a.tokens.begin() + n),
                       std::vector<double>(a.logprobs.begin(), a.logprobs.begin() + n), "stop", std::to_string(stop));
  };
  std::string reason;
  EXPECT_EQ(quality(*chat_, request, cut_at(early), &reason), -10.0);
  EXPECT_NE(reason.find("early stop"), std::string::npos) << reason;
  if (plausible > 0) {
    EXPECT_GE(quality(*chat_, request, cut_at(plausible), &reason), 0.99) << reason;
  }
}

TEST_F(LlmChecking, MoreTokensThanMaxTokensScoresZero) {
  const std::string request = chat_request(kQuestions[2], 0.0, 20, 1);
  const std::string response = serve_answer(*chat_, request);
  MinerAnswer a = read(response);
  ASSERT_GE(a.tokens.size(), 2u);
  const std::string tighter = chat_request(kQuestions[2], 0.0, static_cast<int>(a.tokens.size()) - 1, 1);
  std::string reason;
  EXPECT_EQ(quality(*chat_, tighter, response, &reason), 0.0);
  EXPECT_NE(reason.find("more than max_tokens"), std::string::npos) << reason;
}

TEST_F(LlmChecking, AnswersWithoutLogprobsScoreZero) {
  const std::string with = chat_request(kQuestions[3], 0.7, 16, 2);
  std::string without = with;
  without.replace(without.find("\"logprobs\":true"), 15, "\"logprobs\":false");
  std::string reason;
  EXPECT_EQ(quality(*chat_, with, serve_answer(*chat_, without), &reason), 0.0);
  EXPECT_NE(reason.find("without logprobs"), std::string::npos) << reason;

  // One chunk's logprobs dropped from an otherwise good answer.
  rapidjson::Document doc;
  std::string response = serve_answer(*chat_, with);
  doc.Parse(response.c_str());
  ASSERT_GT(doc.Size(), 2u);
  doc[1]["choices"][0]["logprobs"].SetNull();
  EXPECT_EQ(quality(*chat_, with, sdk::to_json(doc), &reason), 0.0);
  EXPECT_NE(reason.find("1 of"), std::string::npos) << reason;
}

TEST_F(LlmChecking, MalformedAnswersScoreZeroWithAReason) {
  const std::string request = chat_request(kQuestions[0], 0.0, 8, 1);
  const std::string good = serve_answer(*chat_, request);
  MinerAnswer a = read(good);
  std::string reason;
  EXPECT_EQ(quality(*chat_, request, "nonsense", &reason), 0.0);
  EXPECT_NE(reason.find("not a JSON array"), std::string::npos);
  // Cut off before the final chunk.
  rapidjson::Document doc;
  doc.Parse(good.c_str());
  doc.PopBack();
  EXPECT_EQ(quality(*chat_, request, sdk::to_json(doc), &reason), 0.0);
  EXPECT_NE(reason.find("no chunk has a finish_reason"), std::string::npos) << reason;
  // A token id outside the vocabulary.
  std::vector<int32_t> tokens = a.tokens;
  tokens[0] = static_cast<int32_t>(reference_->vocab());
  EXPECT_EQ(quality(*chat_, request, chat_answer(tokens, a.logprobs, a.finish_reason), &reason), 0.0);
  EXPECT_NE(reason.find("outside the model's vocabulary"), std::string::npos) << reason;
  // "length" claimed before max_tokens.
  EXPECT_EQ(quality(*chat_, request, chat_answer({a.tokens[0]}, {a.logprobs[0]}, "length"), &reason), 0.0);
  EXPECT_NE(reason.find("finish_reason \"length\""), std::string::npos) << reason;
  // Text without token ids.
  EXPECT_EQ(quality(*chat_, request,
                    R"([{"choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]},)"
                    R"({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}])",
                    &reason),
            0.0);
  EXPECT_NE(reason.find("no \"token_ids\""), std::string::npos) << reason;
  // A stop token claimed that the model does not stop on.
  EXPECT_EQ(quality(*chat_, request, chat_answer({a.tokens[0]}, {a.logprobs[0]}, "stop", std::to_string(a.tokens[0])),
                    &reason),
            0.0);
  EXPECT_NE(reason.find("not a stop token"), std::string::npos) << reason;
}

TEST_F(LlmChecking, StopStringsEndAnswersThatStillCheck) {
  const std::string plain = chat_request(kQuestions[0], 0.0, 40, 9);
  MinerAnswer a = read(serve_answer(*chat_, plain));
  std::string text;
  for (int32_t t : a.tokens) text += reference_->visible_bytes(t);
  // A two-letter stop string from the middle of the answer's text.
  size_t at = text.size() / 2;
  while (at + 2 < text.size() && !(std::isalpha(static_cast<unsigned char>(text[at])) &&
                                   std::isalpha(static_cast<unsigned char>(text[at + 1])))) {
    ++at;
  }
  ASSERT_LT(at + 2, text.size()) << "no letters in " << text;
  const std::string stop = text.substr(at, 2);
  const std::string request = chat_request(kQuestions[0], 0.0, 40, 9, ",\"stop\":" + sdk::json_quote(stop));
  const std::string response = serve_answer(*chat_, request);
  MinerAnswer stopped = read(response);
  EXPECT_EQ(stopped.finish_reason, "stop");
  ASSERT_TRUE(stopped.stop_string);
  EXPECT_EQ(*stopped.stop_string, stop);
  EXPECT_LT(stopped.tokens.size(), a.tokens.size());
  std::string reason;
  EXPECT_GE(quality(*chat_, request, response, &reason), 0.99) << reason;
  // The same answer against a request without that stop string is refused.
  EXPECT_EQ(quality(*chat_, plain, response, &reason), 0.0);
  EXPECT_NE(reason.find("not one of the request's stop strings"), std::string::npos) << reason;
}

TEST_F(LlmChecking, AStopTokenListedLastAsVllmDoesIsReadAsTheStop) {
  // A greedy answer that ends on a stop token before max_tokens.
  std::string request;
  MinerAnswer a;
  for (uint64_t seed = 1; seed <= 40 && a.finish_reason != "stop"; ++seed) {
    request = chat_request(kQuestions[seed % 4], 1.0, 48, seed);
    a = read(serve_answer(*chat_, request));
  }
  ASSERT_EQ(a.finish_reason, "stop") << "no sampled answer ended on a stop token";
  ASSERT_TRUE(a.stop_token);
  std::vector<int32_t> tokens = a.tokens;
  std::vector<double> logprobs = a.logprobs;
  tokens.push_back(*a.stop_token);
  logprobs.push_back(-0.5);
  std::string reason;
  EXPECT_GE(quality(*chat_, request, chat_answer(tokens, logprobs, "stop", "null"), &reason), 0.99) << reason;
  // Anywhere else a stop token among the tokens is refused.
  tokens.insert(tokens.begin(), *a.stop_token);
  logprobs.insert(logprobs.begin(), -0.5);
  EXPECT_EQ(quality(*chat_, request, chat_answer(tokens, logprobs, "stop", "null"), &reason), 0.0);
  EXPECT_NE(reason.find("appears among the generated tokens"), std::string::npos) << reason;
}

TEST_F(LlmChecking, BatchedCheckEqualsOneByOne) {
  std::vector<std::string> requests, responses;
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    requests.push_back(chat_request(kQuestions[seed % 4], seed % 2 ? 0.0 : 0.8, 12 + 7 * static_cast<int>(seed), seed));
    responses.push_back(serve_answer(seed == 2 ? *wrong_chat_ : *chat_, requests.back()));
  }
  std::vector<std::string_view> rq(requests.begin(), requests.end()), rs(responses.begin(), responses.end());
  std::vector<sdk::CheckResult> batch = chat_->check(rq, rs);
  for (size_t i = 0; i < requests.size(); ++i) {
    EXPECT_EQ(batch[i].quality, quality(*chat_, requests[i], responses[i])) << i;
  }
}

}  // namespace
}  // namespace nineteen::llm
