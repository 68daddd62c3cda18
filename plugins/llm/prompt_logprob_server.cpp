// vLLM's prompt_logprobs extension served from this process's model (see the header).
#include "prompt_logprob_server.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <nineteen/sdk/error.hpp>
#include <nineteen/sdk/json.hpp>

#include "prompt_encoding.hpp"
#include "utf8_repair.hpp"

namespace nineteen::llm {

using sdk::Error;
using sdk::JsonObject;

namespace {

struct ScoringRequest {
  std::string model;  // as the request named it (the node routed it here by that name)
  std::vector<std::vector<int32_t>> prompts;
  int top = 0;
  bool token_ids = false;
};

// As the completions endpoint encodes a prompt (BOS in front), or the bare text without it.
std::vector<int32_t> encode_text(const LoadedModel& model, const std::string& text, bool special) {
  if (!special) return model.tokenizer.encode(text, true);
  GenerationRequest request;
  request.type = LlmTaskType::Completions;
  request.prompt = text;
  return encode_prompt(model, request);
}

ScoringRequest read(const LoadedModel& model, std::string_view json, const PromptLogprobLimits& limits) {
  rapidjson::Document doc = sdk::parse_json(json, "request");
  JsonObject req(doc, "request");
  req.allow_only({"model", "prompt", "prompt_logprobs", "max_tokens", "echo", "return_token_ids", "temperature",
                  "top_p", "top_k", "seed", "add_special_tokens", "stream", "n", "logprobs"});
  ScoringRequest out;
  const rapidjson::Value& k = req.require("prompt_logprobs");
  if (k.IsBool()) {
    out.top = 0;  // true: the token that was there only
  } else {
    out.top = static_cast<int>(req.integer("prompt_logprobs", 0, 20));
  }
  req.integer_or("max_tokens", 1, 0, 1);  // scoring only: nothing is generated
  if (req.boolean_or("stream", false)) throw req.bad("stream", "false (a scoring request is answered whole)", req.require("stream"));
  req.integer_or("n", 1, 1, 1);
  if (const rapidjson::Value* lp = req.find("logprobs"); lp && !lp->IsNull() && !(lp->IsBool() && !lp->GetBool()) &&
                                                     !(lp->IsInt() && lp->GetInt() == 0)) {
    throw req.bad("logprobs", "null or 0 (nothing is generated; prompt_logprobs scores the prompt)", *lp);
  }
  req.number_or("temperature", 0);
  req.number_or("top_p", 1);
  req.number_or("top_k", -1);
  req.number_or("seed", 0);
  req.boolean_or("echo", false);
  out.token_ids = req.boolean_or("return_token_ids", false);
  out.model = req.string_or("model", "");
  const bool special = req.boolean_or("add_special_tokens", true);

  const rapidjson::Value& prompt = req.require("prompt");
  auto ids_of = [&](const rapidjson::Value& list, const std::string& where) {
    std::vector<int32_t> ids;
    for (const auto& v : list.GetArray()) {
      if (!v.IsInt() || v.GetInt() < 0 || v.GetInt() >= model.vocab()) {
        throw Error(NT_INVALID_ARGUMENT, "request key \"" + where + "\": expected token ids from 0 to " +
                                             std::to_string(model.vocab() - 1) + ", got " + sdk::json_preview(v, 40));
      }
      ids.push_back(v.GetInt());
    }
    return ids;
  };
  if (prompt.IsString()) {
    out.prompts.push_back(encode_text(model, std::string(prompt.GetString(), prompt.GetStringLength()), special));
  } else if (prompt.IsArray() && !prompt.Empty() && prompt[0].IsArray()) {
    for (rapidjson::SizeType i = 0; i < prompt.Size(); ++i) {
      if (!prompt[i].IsArray()) throw req.bad("prompt", "a list of token-id lists", prompt);
      out.prompts.push_back(ids_of(prompt[i], "prompt[" + std::to_string(i) + "]"));
    }
  } else if (prompt.IsArray() && !prompt.Empty() && prompt[0].IsString()) {
    for (rapidjson::SizeType i = 0; i < prompt.Size(); ++i) {
      if (!prompt[i].IsString()) throw req.bad("prompt", "a list of strings", prompt);
      out.prompts.push_back(encode_text(model, std::string(prompt[i].GetString(), prompt[i].GetStringLength()), special));
    }
  } else if (prompt.IsArray() && !prompt.Empty()) {
    out.prompts.push_back(ids_of(prompt, "prompt"));
  } else {
    throw req.bad("prompt", "a string, a list of token ids or a list of token-id lists", prompt);
  }
  if (static_cast<int>(out.prompts.size()) > limits.max_prompts) {
    throw req.bad("prompt", "at most " + std::to_string(limits.max_prompts) + " prompts in one request", prompt);
  }
  const int64_t max_total = limits.max_total_tokens > 0 ? limits.max_total_tokens : 16 * limits.max_context;
  int64_t total = 0;
  for (size_t i = 0; i < out.prompts.size(); ++i) {
    const int64_t n = static_cast<int64_t>(out.prompts[i].size());
    if (n < 1 || n > limits.max_context) {
      throw Error(NT_INVALID_ARGUMENT, "request key \"prompt\": prompt " + std::to_string(i) + " has " +
                                           std::to_string(n) + " tokens; expected 1 to " +
                                           std::to_string(limits.max_context) + " (this task's max_context)");
    }
    total += n;
  }
  if (total > max_total) {
    throw Error(NT_INVALID_ARGUMENT, "request key \"prompt\": " + std::to_string(total) + " tokens in all, more than " +
                                         std::to_string(max_total) + "; send fewer prompts per request");
  }
  return out;
}

}  // namespace

bool is_prompt_logprobs_request(std::string_view request_json) {
  if (request_json.find("\"prompt_logprobs\"") == std::string_view::npos) return false;
  rapidjson::Document doc;
  if (!sdk::parse_json_bounded(doc, request_json).empty() || !doc.IsObject()) return false;
  auto it = doc.FindMember("prompt_logprobs");
  return it != doc.MemberEnd() && !it->value.IsNull() && !(it->value.IsBool() && !it->value.GetBool());
}

void validate_prompt_logprobs(const LoadedModel& model, std::string_view request_json, const PromptLogprobLimits& limits) {
  read(model, request_json, limits);
}

std::string serve_prompt_logprobs(const LoadedModel& model, const std::string& model_name, std::string_view request_json,
                                  const PromptLogprobLimits& limits) {
  if (!model.model) {
    throw Error(NT_UNIMPLEMENTED, "this task loads no weights (it checks through check_backend), so it cannot "
                                  "score prompts; serve prompt_logprobs from a node that runs the model");
  }
  ScoringRequest r = read(model, request_json, limits);
  std::vector<models::ScoreRequest> batch;
  std::vector<size_t> scored;  // prompts of one token have no position to score
  for (size_t i = 0; i < r.prompts.size(); ++i) {
    if (r.prompts[i].size() >= 2) {
      batch.push_back({r.prompts[i], 1});
      scored.push_back(i);
    }
  }
  models::ScoreOptions options;
  options.top_n = std::max(1, r.top);
  std::vector<models::SequenceScore> scores;
  if (!batch.empty()) scores = model.model->score(batch, options);

  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  w.StartObject();
  w.Key("id");
  w.String(("cmpl-score-" + std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count())).c_str());
  w.Key("object");
  w.String("text_completion");
  w.Key("created");
  w.Int64(std::chrono::duration_cast<std::chrono::seconds>(now).count());
  w.Key("model");
  w.String(r.model.empty() ? model_name.c_str() : r.model.c_str());
  w.Key("choices");
  w.StartArray();
  int64_t prompt_tokens = 0;
  size_t next_scored = 0;
  for (size_t i = 0; i < r.prompts.size(); ++i) {
    const std::vector<int32_t>& ids = r.prompts[i];
    prompt_tokens += static_cast<int64_t>(ids.size());
    w.StartObject();
    w.Key("index");
    w.Uint64(i);
    w.Key("text");
    w.String("");
    w.Key("logprobs");
    w.Null();
    w.Key("finish_reason");
    w.String("length");
    w.Key("stop_reason");
    w.Null();
    if (r.token_ids) {
      w.Key("prompt_token_ids");
      w.StartArray();
      for (int32_t t : ids) w.Int(t);
      w.EndArray();
      w.Key("token_ids");
      w.StartArray();
      w.EndArray();
    }
    w.Key("prompt_logprobs");
    w.StartArray();
    w.Null();
    if (ids.size() >= 2) {
      const models::SequenceScore& s = scores[next_scored++];
      for (const models::ScoredToken& p : s.positions) {
        w.StartObject();
        auto entry = [&](int32_t token, float logprob, int64_t rank) {
          w.Key(std::to_string(token).c_str());
          w.StartObject();
          w.Key("logprob");
          if (std::isfinite(logprob)) {
            w.Double(logprob);
          } else {
            w.Double(-9999.0);  // vLLM clamps -inf the same way for JSON
          }
          w.Key("rank");
          w.Int64(rank);
          w.Key("decoded_token");
          const std::string text = to_valid_utf8(model.token_bytes(token));
          w.String(text.c_str(), static_cast<rapidjson::SizeType>(text.size()));
          w.EndObject();
        };
        bool listed = false;
        for (int k = 0; k < r.top && k < static_cast<int>(p.top.size()); ++k) {
          listed = listed || p.top[k].token == p.token;
          entry(p.top[k].token, p.top[k].logprob, k + 1);
        }
        if (!listed) entry(p.token, p.logprob, p.rank + 1);
        w.EndObject();
      }
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.Key("usage");
  w.StartObject();
  w.Key("prompt_tokens");
  w.Int64(prompt_tokens);
  w.Key("completion_tokens");
  w.Int(0);
  w.Key("total_tokens");
  w.Int64(prompt_tokens);
  w.EndObject();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace nineteen::llm
