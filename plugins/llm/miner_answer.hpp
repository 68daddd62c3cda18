// Reading a miner's answer (the JSON array of the chunks it sent, streamed or not) back into
// token ids, reported logprobs and how it ended, for checking and for counting work.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llm_task_config.hpp"

namespace nineteen::llm {

struct MinerAnswer {
  std::vector<int32_t> tokens;
  std::vector<double> logprobs;    // one per token when every token came with one
  size_t tokens_without_logprob = 0;
  std::string finish_reason;       // "stop" or "length"
  std::optional<int32_t> stop_token;
  std::optional<std::string> stop_string;
  // The tool call the answer claims (finish_reason "tool_calls"): its name and arguments, assembled
  // from message.tool_calls or the stream's tool_calls deltas. The checker re-parses the tokens.
  bool has_tool_call = false;
  std::string tool_name, tool_arguments;
};

struct MinerAnswerRead {
  std::optional<MinerAnswer> answer;
  std::string problem;  // why the answer is malformed, when `answer` is empty
  // An answer cut off before its finish_reason (a stream whose user left) but well-formed so far:
  // the tokens it has, the work done for that user. 0 otherwise.
  size_t cut_off_tokens = 0;
};

// Accepts the shapes OpenAiAnswerWriter writes for `type`: each chunk's choices[0] carries
// "token_ids" and, when logprobs were asked for, one logprob per id (chat: logprobs.content[i].logprob;
// completions: logprobs.token_logprobs[i]); exactly one chunk, the last with tokens or after, has a
// finish_reason. Chunks with no choices (e.g. a usage-only chunk) are skipped.
MinerAnswerRead read_miner_answer(std::string_view response, LlmTaskType type);

}  // namespace nineteen::llm
