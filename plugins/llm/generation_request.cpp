// Reading OpenAI chat/completions requests. Keys that would change the sampled distribution but
// are not implemented (penalties, n > 1) are refused rather than ignored, so answers stay checkable.
#include "generation_request.hpp"

#include <nineteen/grammar/json_schema.hpp>
#include <nineteen/sdk/json.hpp>

namespace nineteen::llm {

using sdk::Error;
using sdk::JsonObject;

namespace {

std::string message_content(const JsonObject& message, const std::string& where) {
  // An assistant turn that made tool calls may have no content.
  if (!message.has("content") && message.has("tool_calls")) return "";
  const rapidjson::Value& content = message.require("content");
  if (content.IsString()) return std::string(content.GetString(), content.GetStringLength());
  // The array form: [{"type":"text","text":"..."}, ...]; only text parts are understood.
  if (content.IsArray()) {
    std::string joined;
    for (rapidjson::SizeType i = 0; i < content.Size(); ++i) {
      JsonObject part(content[i], where + ".content[" + std::to_string(i) + "]");
      if (part.string("type") != "text") {
        throw part.bad("type", "\"text\" (only text content is supported)", part.require("type"));
      }
      joined += part.string("text");
    }
    return joined;
  }
  throw message.bad("content", "a string or an array of text parts", content);
}

std::vector<text::ChatMessage> read_messages(const JsonObject& req) {
  const rapidjson::Value& list = req.array("messages");
  if (list.Empty()) throw req.bad("messages", "at least one message", list);
  std::vector<text::ChatMessage> out;
  for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
    std::string where = "request key \"messages[" + std::to_string(i) + "]\"";
    JsonObject message(list[i], where);
    std::string role = message.string("role");
    if (role != "system" && role != "user" && role != "assistant" && role != "developer" && role != "tool") {
      throw message.bad("role", "\"system\", \"developer\", \"user\", \"assistant\" or \"tool\"",
                        message.require("role"));
    }
    out.push_back(read_tool_aware_message(message, role, message_content(message, where)));
  }
  return out;
}

std::vector<std::string> read_stop(const JsonObject& req) {
  const rapidjson::Value* stop = req.find("stop");
  if (!stop) return {};
  std::vector<std::string> out;
  auto add = [&](const rapidjson::Value& v) {
    if (!v.IsString() || v.GetStringLength() == 0) throw req.bad("stop", "a non-empty string or a list of them", *stop);
    out.emplace_back(v.GetString(), v.GetStringLength());
  };
  if (stop->IsArray()) {
    if (stop->Size() > 16) throw req.bad("stop", "at most 16 stop strings", *stop);
    for (const auto& v : stop->GetArray()) add(v);
  } else {
    add(*stop);
  }
  return out;
}

}  // namespace

std::vector<std::string> sampling_parameters(LlmTaskType type) {
  std::vector<std::string> keys = {"max_tokens", "temperature", "top_p", "top_k", "seed", "stop", "logprobs",
                                   "response_format", "structured_outputs", "guided_json", "guided_choice", "grammar"};
  if (type == LlmTaskType::Chat) {
    keys.insert(keys.end(), {"max_completion_tokens", "top_logprobs", "tools", "tool_choice", "parallel_tool_calls"});
  }
  return keys;
}

GenerationRequest GenerationRequest::parse(std::string_view json, LlmTaskType type, int64_t max_tokens_limit,
                                           const GrammarSettings& grammar, ToolFormat tool_format) {
  rapidjson::Document doc = sdk::parse_json(json, "request");
  JsonObject req(doc, "request");
  // OpenAI's keys, each honoured below or refused by name: a request with `tools` or a
  // `response_format` must not get plain text back as if they had been read.
  const char* text_key = type == LlmTaskType::Chat ? "messages" : "prompt";
  req.allow_only_request_keys(
      {"model", text_key, "max_tokens", "max_completion_tokens", "temperature", "top_p", "top_k", "seed", "stop",
       "stream", "stream_options", "logprobs", "top_logprobs", "n", "frequency_penalty", "presence_penalty",
       "repetition_penalty", "return_token_ids", "user", "response_format", "guided_json", "guided_choice", "guided_regex", "grammar",
       // Tools are a chat feature: on completions they stay refused (text_key stands in).
       type == LlmTaskType::Chat ? "tools" : text_key, type == LlmTaskType::Chat ? "tool_choice" : text_key,
       type == LlmTaskType::Chat ? "parallel_tool_calls" : text_key},
      {"tools", "tool_choice", "parallel_tool_calls", "functions", "function_call", "logit_bias",
       "audio", "modalities", "prediction", "reasoning_effort", "web_search_options", "service_tier", "store",
       "metadata", "suffix", "echo", "best_of", "guided_grammar", "min_p", "messages", "prompt"});
  GenerationRequest r;
  r.type = type;
  if (type == LlmTaskType::Chat) {
    r.messages = read_messages(req);
  } else {
    r.prompt = req.string("prompt");
  }
  if (req.has("model") && !req.require("model").IsString()) throw req.bad("model", "a string", req.require("model"));
  r.sampling.temperature = req.number_in("temperature", 1.0, 0.0, 2.0);
  r.sampling.top_p = req.number_in("top_p", 1.0, 0.0, 1.0);
  if (req.has("top_p") && r.sampling.top_p <= 0.0) throw req.bad("top_p", "a number in (0, 1]", req.require("top_p"));
  int64_t top_k = req.integer_or("top_k", 0, -1, int64_t(1) << 31);
  r.sampling.top_k = top_k < 0 ? 0 : top_k;
  if (req.has("seed")) {
    r.has_seed = true;
    r.sampling.seed = static_cast<uint64_t>(req.integer("seed", 0, INT64_MAX));
  }
  const char* max_key = req.has("max_completion_tokens") && type == LlmTaskType::Chat ? "max_completion_tokens" : "max_tokens";
  r.max_tokens = req.integer_or(max_key, 0, 1, max_tokens_limit);
  r.stop = read_stop(req);
  r.stream = req.boolean_or("stream", false);
  // Chat: logprobs is a boolean with top_logprobs beside it; legacy completions: an integer n of alternatives.
  const rapidjson::Value* logprobs = req.find("logprobs");
  if (logprobs && logprobs->IsBool()) {
    r.logprobs = logprobs->GetBool();
  } else if (logprobs && type == LlmTaskType::Completions && logprobs->IsInt64()) {
    r.sampling.top_logprobs = static_cast<int>(req.integer("logprobs", 0, 20));
    r.logprobs = true;
  } else if (logprobs) {
    throw req.bad("logprobs", type == LlmTaskType::Chat ? "true or false" : "true, false or an integer from 0 to 20",
                  *logprobs);
  }
  if (req.has("top_logprobs")) {
    r.sampling.top_logprobs = static_cast<int>(req.integer("top_logprobs", 0, 20));
    if (r.sampling.top_logprobs > 0 && !r.logprobs) {
      throw Error(NT_INVALID_ARGUMENT, "request key \"top_logprobs\": needs \"logprobs\": true");
    }
  }
  if (req.integer_or("n", 1, 1, 1) != 1) throw req.bad("n", "1", req.require("n"));
  for (const char* penalty : {"frequency_penalty", "presence_penalty"}) {
    if (req.number_or(penalty, 0.0) != 0.0) throw req.bad(penalty, "0 (penalties are not supported)", req.require(penalty));
  }
  if (req.number_or("repetition_penalty", 1.0) != 1.0) {
    throw req.bad("repetition_penalty", "1 (penalties are not supported)", req.require("repetition_penalty"));
  }
  r.grammar = read_output_constraint(req, grammar);
  if (type == LlmTaskType::Chat) {
    r.tools = read_tool_request(req, tool_format);
    const bool forces = !forced_call_schema(r.tools).empty();
    if (forces) {
      if (r.grammar) {
        throw Error(NT_INVALID_ARGUMENT, "request key \"tool_choice\": \"" + r.tools.choice +
                                             "\" forces a tool call, which cannot also follow response_format, "
                                             "guided_* or grammar; send one of them");
      }
      try {
        r.grammar = forced_call_grammar(r.tools, grammar.json_whitespace);
      } catch (const grammar::GrammarError& e) {
        throw Error(e.keyword().empty() ? NT_INVALID_ARGUMENT : NT_UNIMPLEMENTED,
                    std::string("request key \"tools\": a tool's parameters: ") + e.what());
      }
    }
  }
  return r;
}

}  // namespace nineteen::llm
