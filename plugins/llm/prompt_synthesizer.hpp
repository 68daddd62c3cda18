// Synthetic requests for checking miners: varied prompts and the parameters real OpenAI-compatible
// clients send, drawn from fixed distributions, a pure function of the seed (same seed → same
// request on every machine).
//
// A miner must not tell a synthetic request from a user's (MECHANISM.md §3, issue 18 item 4), so
// the parameters are those of the client mix users send through the gateway (ClientParameters
// below), not the sampling settings the checker would like: what the check needs (logprobs, token
// ids) is added afterwards exactly as the gateway adds it to a user's request (llm_task.cpp).
//
// Chat prompts: one of 16 instruction templates × 40 topics × audiences/forms/tones/personas, an
// optional passage of 2-8 sentences, a system prompt with p 0.5, and a previous exchange
// (user, assistant, follow-up) with p 0.3. Completion prompts: one of 9 openings (prose, Q&A,
// lists, letters, code) over the same topics.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nineteen/text/chat_template.hpp>

#include "llm_task_config.hpp"

namespace nineteen::llm {

// What a user's OpenAI-compatible client sends beside "model" and the messages (or prompt). The mix
// (shares of requests, drawn independently unless said):
//   key order    0.4 openai-python (messages/prompt, model, then the keys alphabetically; floats
//                that are whole written 1.0), 0.6 model first then the user's order (openai-node,
//                curl, chat UIs; whole numbers written 1)
//   stream       0.6 true (chat UIs stream), 0.1 false written out, else absent; a stream asks
//                stream_options {"include_usage": true} with p 0.3
//   temperature  absent 0.4; else 0.7 (0.35), 0 (0.15), 1 (0.15), 0.2/0.3/0.5/0.8 (0.35 together)
//   top_p        absent 0.85; else 1 (0.4), 0.9 (0.3), 0.95 (0.3)
//   max tokens   absent 0.3; else one of 100 150 200 256 300 500 512 800 1000 1024 2048 4096
//                (weights 1 1 2 3 1 2 3 1 1 2 2 2); chat writes max_completion_tokens for 0.15 of
//                them. A value the task would refuse (above max_tokens_limit or the context left)
//                never reaches a miner from a user (the gateway answers 400), so such draws are
//                drawn again: `max_tokens` holds the draws in order, 0 = absent.
//   seed         p 0.03, uniform in [0, 2^31)
//   user         p 0.05, "user-" and 4 to 6 digits
//   logprobs     p 0.03 the user asks for it (chat: with top_logprobs 1 to 5)
struct ClientParameters {
  bool python_order = false;
  std::optional<bool> stream;
  bool include_usage = false;
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::vector<int64_t> max_tokens;  // successive draws, 0 = absent; the first that the task accepts is sent
  bool max_completion_tokens = false;
  std::optional<uint64_t> seed;
  std::optional<std::string> user;
  bool logprobs = false;
  int top_logprobs = 0;  // chat, with logprobs
};

struct SyntheticRequest {
  std::vector<text::ChatMessage> messages;  // chat
  std::string prompt;                       // completions
  ClientParameters client;
};

// `shorter` > 0 asks for a shorter prompt (no passage, no history), for models with small contexts.
SyntheticRequest synthesize_request(LlmTaskType type, uint64_t seed, int shorter = 0);

}  // namespace nineteen::llm
