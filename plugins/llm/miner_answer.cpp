// Parsing answers for the checker; anything unexpected is a "problem", never an exception.
#include "miner_answer.hpp"

#include <cstdint>
#include <limits>

#include <rapidjson/document.h>

#include "nineteen/sdk/json.hpp"

namespace nineteen::llm {
namespace {

bool has_text(const rapidjson::Value& choice, LlmTaskType type) {
  if (type == LlmTaskType::Chat) {
    for (const char* holder : {"delta", "message"}) {
      auto it = choice.FindMember(holder);
      if (it == choice.MemberEnd() || !it->value.IsObject()) continue;
      auto content = it->value.FindMember("content");
      if (content != it->value.MemberEnd() && content->value.IsString() && content->value.GetStringLength() > 0) {
        return true;
      }
    }
    return false;
  }
  auto text = choice.FindMember("text");
  return text != choice.MemberEnd() && text->value.IsString() && text->value.GetStringLength() > 0;
}

// Appends the logprobs of `count` tokens from choice["logprobs"]; returns a problem or "".
std::string read_logprobs(const rapidjson::Value& choice, LlmTaskType type, size_t count, MinerAnswer& a,
                          const std::string& where) {
  auto it = choice.FindMember("logprobs");
  if (it == choice.MemberEnd() || it->value.IsNull()) {
    a.tokens_without_logprob += count;
    return "";
  }
  const rapidjson::Value& lp = it->value;
  if (!lp.IsObject()) return where + ": \"logprobs\" is not an object";
  const char* list_key = type == LlmTaskType::Chat ? "content" : "token_logprobs";
  auto list = lp.FindMember(list_key);
  if (list == lp.MemberEnd() || !list->value.IsArray()) {
    return where + ": \"logprobs\" lacks the array \"" + list_key + "\"";
  }
  if (list->value.Size() != count) {
    return where + ": " + std::to_string(list->value.Size()) + " logprobs for " + std::to_string(count) + " token ids";
  }
  for (rapidjson::SizeType k = 0; k < list->value.Size(); ++k) {
    const rapidjson::Value& entry = list->value[k];
    const rapidjson::Value* number = &entry;
    if (type == LlmTaskType::Chat) {
      if (!entry.IsObject()) return where + ": logprobs.content[" + std::to_string(k) + "] is not an object";
      auto value = entry.FindMember("logprob");
      if (value == entry.MemberEnd()) return where + ": logprobs.content[" + std::to_string(k) + "] has no \"logprob\"";
      number = &value->value;
    }
    if (!number->IsNumber()) return where + ": logprob " + std::to_string(k) + " is not a number";
    a.logprobs.push_back(number->GetDouble());
  }
  return "";
}

}  // namespace

MinerAnswerRead read_miner_answer(std::string_view response, LlmTaskType type) {
  MinerAnswerRead out;
  rapidjson::Document doc;
  if (!sdk::parse_json_bounded(doc, response).empty() || !doc.IsArray()) {
    out.problem = "the answer is not a JSON array of chunks";
    return out;
  }
  MinerAnswer a;
  bool finished = false;
  for (rapidjson::SizeType i = 0; i < doc.Size(); ++i) {
    const std::string where = "chunk " + std::to_string(i);
    const rapidjson::Value& chunk = doc[i];
    if (!chunk.IsObject()) {
      out.problem = where + " is not an object";
      return out;
    }
    if (chunk.HasMember("error")) {
      out.problem = where + " carries an error";
      return out;
    }
    auto choices = chunk.FindMember("choices");
    if (choices == chunk.MemberEnd() || (choices->value.IsArray() && choices->value.Empty())) continue;
    if (!choices->value.IsArray() || choices->value.Size() != 1 || !choices->value[0].IsObject()) {
      out.problem = where + ": \"choices\" must hold exactly one choice object";
      return out;
    }
    const rapidjson::Value& choice = choices->value[0];
    auto index = choice.FindMember("index");
    if (index != choice.MemberEnd() && !(index->value.IsInt() && index->value.GetInt() == 0)) {
      out.problem = where + ": choice index is not 0";
      return out;
    }
    auto ids = choice.FindMember("token_ids");
    size_t count = 0;
    if (ids == choice.MemberEnd() || ids->value.IsNull()) {
      if (has_text(choice, type)) {
        out.problem = where + " has text but no \"token_ids\" (the checker needs the token ids)";
        return out;
      }
    } else if (!ids->value.IsArray()) {
      out.problem = where + ": \"token_ids\" is not an array";
      return out;
    } else {
      count = ids->value.Size();
      for (const auto& id : ids->value.GetArray()) {
        if (!id.IsInt() || id.GetInt() < 0) {
          out.problem = where + ": \"token_ids\" holds something other than a token id";
          return out;
        }
        a.tokens.push_back(id.GetInt());
      }
    }
    if (count > 0 && finished) {
      out.problem = where + " has tokens after the chunk that finished the answer";
      return out;
    }
    if (count > 0) {
      std::string problem = read_logprobs(choice, type, count, a, where);
      if (!problem.empty()) {
        out.problem = problem;
        return out;
      }
    }
    // Tool calls: in "message" (whole) or "delta" (streamed, the arguments in pieces).
    for (const char* holder_key : {"message", "delta"}) {
      auto holder = choice.FindMember(holder_key);
      if (holder == choice.MemberEnd() || !holder->value.IsObject()) continue;
      auto calls = holder->value.FindMember("tool_calls");
      if (calls == holder->value.MemberEnd() || calls->value.IsNull()) continue;
      if (!calls->value.IsArray() || calls->value.Size() > 1) {
        out.problem = where + ": \"tool_calls\" must be a list of one call";
        return out;
      }
      for (const auto& call : calls->value.GetArray()) {
        auto fn = call.IsObject() ? call.FindMember("function") : call.MemberEnd();
        if (!call.IsObject() || fn == call.MemberEnd() || !fn->value.IsObject()) {
          out.problem = where + ": a tool call without \"function\"";
          return out;
        }
        a.has_tool_call = true;
        auto name = fn->value.FindMember("name");
        if (name != fn->value.MemberEnd() && name->value.IsString()) a.tool_name += name->value.GetString();
        auto args = fn->value.FindMember("arguments");
        if (args != fn->value.MemberEnd() && args->value.IsString()) a.tool_arguments += args->value.GetString();
      }
    }
    auto reason = choice.FindMember("finish_reason");
    if (reason != choice.MemberEnd() && !reason->value.IsNull()) {
      if (finished) {
        out.problem = where + ": a second finish_reason";
        return out;
      }
      if (!reason->value.IsString()) {
        out.problem = where + ": finish_reason is not a string";
        return out;
      }
      a.finish_reason.assign(reason->value.GetString(), reason->value.GetStringLength());
      if (a.finish_reason != "stop" && a.finish_reason != "length" && a.finish_reason != "tool_calls") {
        out.problem = where + ": finish_reason \"" + a.finish_reason + "\" (expected \"stop\", \"length\" or \"tool_calls\")";
        return out;
      }
      finished = true;
      auto stop = choice.FindMember("stop_reason");
      if (stop != choice.MemberEnd() && stop->value.IsInt()) {
        a.stop_token = stop->value.GetInt();
      } else if (stop != choice.MemberEnd() && stop->value.IsString()) {
        a.stop_string = std::string(stop->value.GetString(), stop->value.GetStringLength());
      } else if (stop != choice.MemberEnd() && !stop->value.IsNull()) {
        out.problem = where + ": stop_reason is neither a token id, a string nor null";
        return out;
      }
    }
  }
  if (!finished) {
    out.problem = "no chunk has a finish_reason (the answer was cut off)";
    out.cut_off_tokens = a.tokens.size();
    return out;
  }
  out.answer = std::move(a);
  return out;
}

}  // namespace nineteen::llm
