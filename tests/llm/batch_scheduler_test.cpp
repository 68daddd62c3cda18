// Continuous batching (plugins/llm/batch_scheduler.hpp) on the tiny model: requests decoded
// together give the tokens each gets alone, while they join and leave the running batch, with
// chunked prefill, cancellation, and through the task with structured outputs, stop strings and
// logprobs. Tolerance: raw logprobs of batched steps within 1e-3 nats of the single-stream loop
// (the batched pass multiplies several rows at once, so float rounding differs a little).
#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <thread>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "batch_scheduler.hpp"
#include "llm_plugin.hpp"
#include "llm_task.hpp"
#include "tiny_models.hpp"

namespace nineteen::llm {
namespace {

using testing::error_text;
using testing::make_task;
using testing::serve_answer;
using testing::task_config;
using testing::TinyModels;

constexpr float kLogprobTolerance = 1e-3f;

std::shared_ptr<const LoadedModel> tiny_model() {
  static std::shared_ptr<const LoadedModel> model = [] {
    models::LoadOptions options;
    options.threads = 1;
    return LoadedModel::load(TinyModels::get().reference(), options);
  }();
  return model;
}

// Varied prompts (random ids, lengths 3 to 40) and lengths, greedy or seeded sampling.
std::vector<GenerationPlan> plans(size_t n, double temperature) {
  std::mt19937_64 rng(7);
  const int64_t vocab = tiny_model()->vocab();
  std::vector<GenerationPlan> out(n);
  for (size_t i = 0; i < n; ++i) {
    const size_t length = 3 + rng() % 38;
    for (size_t t = 0; t < length; ++t) out[i].prompt.push_back(static_cast<int32_t>(rng() % vocab));
    out[i].max_tokens = 8 + static_cast<int64_t>(rng() % 40);
    out[i].sampling.temperature = temperature;
    out[i].sampling.seed = 100 + i;
  }
  return out;
}

struct Outcome {
  std::vector<GeneratedToken> tokens;
  GenerationEnd end;
};

Outcome alone(const GenerationPlan& plan) {
  Outcome r;
  r.end = generate(*tiny_model(), plan, [&](const GeneratedToken& t) {
    r.tokens.push_back(t);
    return true;
  });
  return r;
}

// Queues every plan while the scheduler is paused, so they start in one step, then runs them.
std::vector<Outcome> together(BatchScheduler& scheduler, const std::vector<GenerationPlan>& plans) {
  std::vector<Outcome> runs(plans.size());
  scheduler.pause();
  std::vector<std::thread> threads;
  for (size_t i = 0; i < plans.size(); ++i) {
    threads.emplace_back([&, i] {
      runs[i].end = scheduler.generate(plans[i], [&](const GeneratedToken& t) {
        runs[i].tokens.push_back(t);
        return true;
      });
    });
  }
  while (scheduler.stats().waiting < plans.size()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  scheduler.resume();
  for (std::thread& t : threads) t.join();
  return runs;
}

void expect_same(const Outcome& expected, const Outcome& got, size_t request) {
  ASSERT_EQ(expected.tokens.size(), got.tokens.size()) << "request " << request;
  for (size_t t = 0; t < expected.tokens.size(); ++t) {
    EXPECT_EQ(expected.tokens[t].choice.token, got.tokens[t].choice.token) << "request " << request << " token " << t;
    EXPECT_NEAR(expected.tokens[t].choice.logprob, got.tokens[t].choice.logprob, kLogprobTolerance)
        << "request " << request << " token " << t;
    EXPECT_EQ(expected.tokens[t].delta, got.tokens[t].delta);
  }
  EXPECT_EQ(expected.end.finish_reason, got.end.finish_reason) << "request " << request;
  EXPECT_EQ(expected.end.stop_token, got.end.stop_token);
  EXPECT_EQ(expected.end.generated, got.end.generated);
  EXPECT_EQ(expected.end.tail, got.end.tail);
}

BatchSettings settings(int max_batch, int64_t prefill_chunk = 256) {
  BatchSettings s;
  s.max_batch = max_batch;
  s.capacity = tiny_model()->max_positions();
  s.prefill_chunk = prefill_chunk;
  return s;
}

TEST(BatchScheduler, ConcurrentGreedyRequestsGiveTheTokensEachGetsAlone) {
  const std::vector<GenerationPlan> p = plans(7, 0.0);
  std::vector<Outcome> expected;
  for (const GenerationPlan& plan : p) expected.push_back(alone(plan));
  BatchScheduler scheduler(tiny_model(), settings(4));
  const std::vector<Outcome> got = together(scheduler, p);
  for (size_t i = 0; i < p.size(); ++i) expect_same(expected[i], got[i], i);
  // Four decoded together; the other three joined as the first ones left.
  const BatchScheduler::Stats stats = scheduler.stats();
  EXPECT_EQ(stats.most_running, 4);
  // Every sampled token but each request's first (sampled from its prefill) came from a decode step.
  uint64_t sampled = 0;
  for (const Outcome& r : got) sampled += r.tokens.size() + (r.end.stop_token ? 1 : 0);
  EXPECT_EQ(stats.decoded, sampled - p.size());
  EXPECT_LT(stats.steps, stats.decoded);  // several sequences per pass
}

TEST(BatchScheduler, SeededSamplingAndChunkedPrefillKeepEachRequestsTokens) {
  const std::vector<GenerationPlan> p = plans(6, 0.9);
  std::vector<Outcome> expected;
  for (const GenerationPlan& plan : p) expected.push_back(alone(plan));
  // Prompts of up to 40 tokens prefilled 7 at a time, between decode steps of the others.
  BatchScheduler scheduler(tiny_model(), settings(3, 7));
  const std::vector<Outcome> got = together(scheduler, p);
  for (size_t i = 0; i < p.size(); ++i) expect_same(expected[i], got[i], i);
  EXPECT_GT(scheduler.stats().prefills, p.size());
}

TEST(BatchScheduler, ACancelledRequestLeavesAndTheOthersFinishUnchanged) {
  std::vector<GenerationPlan> p = plans(4, 0.0);
  for (GenerationPlan& plan : p) plan.max_tokens = 40;
  std::vector<Outcome> expected;
  for (const GenerationPlan& plan : p) expected.push_back(alone(plan));
  BatchScheduler scheduler(tiny_model(), settings(4));
  std::vector<Outcome> got(p.size());
  bool cancelled = false;
  scheduler.pause();
  std::vector<std::thread> threads;
  for (size_t i = 0; i < p.size(); ++i) {
    threads.emplace_back([&, i] {
      try {
        got[i].end = scheduler.generate(p[i], [&](const GeneratedToken& t) {
          got[i].tokens.push_back(t);
          return !(i == 1 && got[i].tokens.size() == 3);  // request 1's client goes away
        });
      } catch (const sdk::Error& e) {
        cancelled = i == 1 && e.code() == NT_CANCELLED;
      }
    });
  }
  while (scheduler.stats().waiting < p.size()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  scheduler.resume();
  for (std::thread& t : threads) t.join();
  EXPECT_TRUE(cancelled);
  EXPECT_EQ(got[1].tokens.size(), 3u);
  for (size_t i : {0, 2, 3}) expect_same(expected[i], got[i], i);
  // The scheduler goes on serving.
  expect_same(expected[2], together(scheduler, {p[2]})[0], 2);
}

TEST(BatchScheduler, ARequestLongerThanASlotRunsItsOwnLoop) {
  GenerationPlan plan = plans(1, 0.0)[0];
  BatchSettings s = settings(2);
  s.capacity = static_cast<int64_t>(plan.prompt.size()) + 2;  // cannot hold prompt + max_tokens
  BatchScheduler scheduler(tiny_model(), s);
  Outcome got;
  got.end = scheduler.generate(plan, [&](const GeneratedToken& t) {
    got.tokens.push_back(t);
    return true;
  });
  expect_same(alone(plan), got, 0);
  EXPECT_EQ(scheduler.stats().steps, 0u);
}

// The answer's choices (tokens, text, finish reason) with every fractional number (the logprobs)
// taken out into `numbers`, without the answer's id and time.
struct Choices {
  std::string skeleton;
  std::vector<double> numbers;
};

void flatten(const rapidjson::Value& v, Choices& out) {
  if (v.IsObject()) {
    out.skeleton += '{';
    for (auto& m : v.GetObject()) {
      out.skeleton += std::string(m.name.GetString()) + ':';
      flatten(m.value, out);
      out.skeleton += ',';
    }
    out.skeleton += '}';
  } else if (v.IsArray()) {
    out.skeleton += '[';
    for (auto& e : v.GetArray()) {
      flatten(e, out);
      out.skeleton += ',';
    }
    out.skeleton += ']';
  } else if (v.IsDouble()) {
    out.skeleton += '#';
    out.numbers.push_back(v.GetDouble());
  } else {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    v.Accept(writer);
    out.skeleton += buffer.GetString();
  }
}

Choices choices(const std::string& response) {
  rapidjson::Document doc;
  doc.Parse(response.c_str());
  Choices out;
  for (auto& chunk : doc.GetArray()) flatten(chunk["choices"], out);
  return out;
}

TEST(BatchScheduler, TheTaskBatchesStructuredOutputsStopStringsAndLogprobsAsItServesThemAlone) {
  LlmPlugin plugin{sdk::Host()};
  const std::string dir = TinyModels::get().reference();
  auto off = make_task(plugin, "chat-off", task_config("chat", dir, R"("batch":0)"));
  auto on = make_task(plugin, "chat-on", task_config("chat", dir, R"("batch":4)"));
  EXPECT_EQ(dynamic_cast<LlmTask&>(*off).scheduler(), nullptr);
  BatchScheduler* scheduler = dynamic_cast<LlmTask&>(*on).scheduler();
  ASSERT_NE(scheduler, nullptr);
  auto ask = [](const std::string& extra, uint64_t seed, bool stream) {
    return R"({"messages":[{"role":"user","content":"Name a flower."}],"temperature":0.7,"max_tokens":40,"seed":)" +
           std::to_string(seed) + ",\"stream\":" + (stream ? "true" : "false") +
           R"(,"logprobs":true,"top_logprobs":2)" + (extra.empty() ? "" : "," + extra) + "}";
  };
  const std::vector<std::string> requests = {
      ask(R"("response_format":{"type":"json_object"})", 1, false),
      ask(R"("guided_choice":["sunny","rain","snow"])", 2, true),
      ask(R"("stop":["e"])", 3, true),
      ask("", 4, false),
      ask(R"("response_format":{"type":"json_object"})", 5, true),
      ask("", 6, true)};
  std::vector<Choices> expected, got(requests.size());
  for (const std::string& r : requests) expected.push_back(choices(serve_answer(*off, r)));
  scheduler->pause();
  std::vector<std::thread> threads;
  for (size_t i = 0; i < requests.size(); ++i) {
    threads.emplace_back([&, i] { got[i] = choices(serve_answer(*on, requests[i])); });
  }
  while (scheduler->stats().waiting < requests.size()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  scheduler->resume();
  for (std::thread& t : threads) t.join();
  for (size_t i = 0; i < requests.size(); ++i) {
    EXPECT_EQ(expected[i].skeleton, got[i].skeleton) << requests[i];
    ASSERT_EQ(expected[i].numbers.size(), got[i].numbers.size()) << requests[i];
    for (size_t k = 0; k < expected[i].numbers.size(); ++k) {
      EXPECT_NEAR(expected[i].numbers[k], got[i].numbers[k], kLogprobTolerance) << requests[i];
    }
  }
  EXPECT_GE(scheduler->stats().most_running, 2);
}

TEST(BatchScheduler, TheBatchSettingIsCheckedAndTasksOnOneModelShareOneBatch) {
  LlmPlugin plugin{sdk::Host()};
  const std::string dir = TinyModels::get().reference();
  EXPECT_NE(error_text([&] { make_task(plugin, "x", task_config("chat", dir, R"("batch":-1)")); }, NT_INVALID_ARGUMENT)
                .find("\"batch\""),
            std::string::npos);
  EXPECT_NE(error_text([&] { make_task(plugin, "x", task_config("chat", dir, R"("batch":100000)")); },
                       NT_INVALID_ARGUMENT)
                .find("\"batch\""),
            std::string::npos);
  auto chat = make_task(plugin, "chat", task_config("chat", dir));
  auto completions = make_task(plugin, "completions", task_config("completions", dir));
  auto lazy = make_task(plugin, "lazy", task_config("chat", dir, R"("lazy":true)"));
  ASSERT_NE(dynamic_cast<LlmTask&>(*chat).scheduler(), nullptr);  // on by default
  EXPECT_EQ(dynamic_cast<LlmTask&>(*chat).scheduler()->settings().max_batch, 8);
  EXPECT_EQ(dynamic_cast<LlmTask&>(*chat).scheduler(), dynamic_cast<LlmTask&>(*completions).scheduler());
  EXPECT_EQ(dynamic_cast<LlmTask&>(*lazy).scheduler(), nullptr);
}

// kv_cache_mb bounds the shared batch's cache (allocated for `batch` sequences of max_context tokens
// at the first request). Worked numbers: Llama-3-8B (32 layers, 8 key/value heads of 128) at 8192
// tokens takes 2 × 32 × 8 × 128 × 8192 × 4 B = 2 GiB a sequence, so 8 would take 16 GiB.
TEST(BatchScheduler, TheBatchIsMadeToFitTheKvCacheBudget) {
  models::LlamaConfig llama3_8b;
  llama3_8b.num_hidden_layers = 32;
  llama3_8b.num_key_value_heads = 8;
  llama3_8b.head_dim = 128;
  const int64_t per_sequence = kv_bytes_per_sequence(llama3_8b, 8192);
  EXPECT_EQ(per_sequence, int64_t(2) << 30);
  std::string note;
  EXPECT_EQ(batch_within_budget(8, per_sequence, int64_t(16) << 30, note), 8);
  EXPECT_TRUE(note.empty()) << note;
  EXPECT_EQ(batch_within_budget(8, per_sequence, int64_t(7) << 30, note), 3);
  EXPECT_NE(note.find("2048 MiB"), std::string::npos) << note;
  EXPECT_NE(note.find("decoding 3 together"), std::string::npos) << note;
  EXPECT_EQ(batch_within_budget(8, per_sequence, int64_t(3) << 30, note), 1);
  EXPECT_NE(note.find("batching is off"), std::string::npos) << note;
  EXPECT_NE(note.find("kv_cache_mb"), std::string::npos) << note;
  EXPECT_EQ(batch_within_budget(0, per_sequence, 0, note), 0);  // off stays off, whatever the budget
  EXPECT_TRUE(note.empty()) << note;

  // On the tiny model's task: a budget of 1 MiB holds floor(1 MiB / one sequence) sequences.
  LlmPlugin plugin{sdk::Host()};
  const std::string dir = TinyModels::get().reference();
  auto roomy = make_task(plugin, "roomy", task_config("chat", dir, R"("batch":4)"));
  const LlmTask& roomy_task = dynamic_cast<LlmTask&>(*roomy);
  const int64_t tiny = kv_bytes_per_sequence(roomy_task.model().config, roomy_task.max_context());
  ASSERT_GT(tiny, 0);
  EXPECT_TRUE(roomy_task.batching_note().empty()) << roomy_task.batching_note();
  const int64_t fits = (int64_t(1) << 20) / tiny;
  auto tight = make_task(plugin, "tight", task_config("chat", dir, R"("batch":256,"kv_cache_mb":1)"));
  const LlmTask& tight_task = dynamic_cast<LlmTask&>(*tight);
  if (fits >= 256) GTEST_SKIP() << "the tiny model's cache is too small to test the cap (" << tiny << " B)";
  if (fits >= 2) {
    ASSERT_NE(tight_task.scheduler(), nullptr);
    EXPECT_EQ(tight_task.scheduler()->settings().max_batch, fits);
  } else {
    EXPECT_EQ(tight_task.scheduler(), nullptr);
  }
  EXPECT_NE(tight_task.batching_note().find("task \"tight\""), std::string::npos) << tight_task.batching_note();
}

}  // namespace
}  // namespace nineteen::llm
