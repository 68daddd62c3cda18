// OpenAI-shaped chunks and answers, written with rapidjson.
#include "openai_answer_writer.hpp"

#include <cmath>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "utf8_repair.hpp"

namespace nineteen::llm {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void string(JsonWriter& w, const std::string& s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

// Logprobs are finite by construction; a guard keeps the JSON valid whatever happens.
void logprob(JsonWriter& w, double x) { w.Double(std::isfinite(x) ? x : -9999.0); }

void header(JsonWriter& w, const AnswerHeader& h, bool streamed) {
  const bool chat = h.type == LlmTaskType::Chat;
  w.Key("id");
  string(w, h.id);
  w.Key("object");
  w.String(chat ? (streamed ? "chat.completion.chunk" : "chat.completion") : "text_completion");
  w.Key("created");
  w.Int64(h.created);
  w.Key("model");
  string(w, h.model);
}

void token_ids(JsonWriter& w, const std::vector<GeneratedToken>& tokens) {
  w.Key("token_ids");
  w.StartArray();
  for (const GeneratedToken& t : tokens) w.Int(t.choice.token);
  w.EndArray();
}

void finish(JsonWriter& w, const GenerationEnd* end) {
  w.Key("finish_reason");
  if (!end) {
    w.Null();
    return;
  }
  string(w, end->finish_reason);
  w.Key("stop_reason");
  if (end->stop_token) {
    w.Int(*end->stop_token);
  } else if (end->stop_string) {
    string(w, *end->stop_string);
  } else {
    w.Null();
  }
}

void usage(JsonWriter& w, int64_t prompt_tokens, int64_t completion_tokens) {
  w.Key("usage");
  w.StartObject();
  w.Key("prompt_tokens");
  w.Int64(prompt_tokens);
  w.Key("completion_tokens");
  w.Int64(completion_tokens);
  w.Key("total_tokens");
  w.Int64(prompt_tokens + completion_tokens);
  w.EndObject();
}

}  // namespace

namespace {

class LogprobsWriter {
 public:
  LogprobsWriter(JsonWriter& w, const LoadedModel& model) : w_(w), model_(model) {}

  void bytes(const std::string& raw) {
    w_.Key("bytes");
    w_.StartArray();
    for (char c : raw) w_.Int(static_cast<unsigned char>(c));
    w_.EndArray();
  }
  void entry(int32_t token, double lp) {
    std::string raw = model_.token_bytes(token);
    w_.Key("token");
    string(w_, to_valid_utf8(raw));
    w_.Key("logprob");
    logprob(w_, lp);
    bytes(raw);
  }
  // {"content":[{"token","logprob","bytes","top_logprobs":[...]}...]}
  void chat(const std::vector<GeneratedToken>& tokens) {
    w_.StartObject();
    w_.Key("content");
    w_.StartArray();
    for (const GeneratedToken& t : tokens) {
      w_.StartObject();
      entry(t.choice.token, t.choice.logprob);
      w_.Key("top_logprobs");
      w_.StartArray();
      for (const models::TokenLogprob& alt : t.choice.top) {
        w_.StartObject();
        entry(alt.token, alt.logprob);
        w_.EndObject();
      }
      w_.EndArray();
      w_.EndObject();
    }
    w_.EndArray();
    w_.EndObject();
  }
  // Legacy completions: {"tokens":[...],"token_logprobs":[...],"top_logprobs":[{text: logprob}...]|null,"text_offset":[...]}
  void legacy(const std::vector<GeneratedToken>& tokens, int64_t& text_offset) {
    w_.StartObject();
    w_.Key("tokens");
    w_.StartArray();
    for (const GeneratedToken& t : tokens) string(w_, to_valid_utf8(model_.token_bytes(t.choice.token)));
    w_.EndArray();
    w_.Key("token_logprobs");
    w_.StartArray();
    for (const GeneratedToken& t : tokens) logprob(w_, t.choice.logprob);
    w_.EndArray();
    w_.Key("top_logprobs");
    if (tokens.empty() || tokens.front().choice.top.empty()) {
      w_.Null();
    } else {
      w_.StartArray();
      for (const GeneratedToken& t : tokens) {
        w_.StartObject();
        for (const models::TokenLogprob& alt : t.choice.top) {
          std::string key = to_valid_utf8(model_.token_bytes(alt.token));
          w_.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
          logprob(w_, alt.logprob);
        }
        w_.EndObject();
      }
      w_.EndArray();
    }
    w_.Key("text_offset");
    w_.StartArray();
    for (const GeneratedToken& t : tokens) {
      w_.Int64(text_offset);
      text_offset += static_cast<int64_t>(t.delta.size());
    }
    w_.EndArray();
    w_.EndObject();
  }

 private:
  JsonWriter& w_;
  const LoadedModel& model_;
};

}  // namespace

namespace {

void tool_calls(JsonWriter& w, const ToolCall& call, int part) {
  w.Key("tool_calls");
  w.StartArray();
  w.StartObject();
  if (part != 3) {
    w.Key("index");
    w.Int(0);
  }
  if (part != 2) {
    w.Key("id");
    w.String(call.id.c_str());
    w.Key("type");
    w.String("function");
  }
  w.Key("function");
  w.StartObject();
  if (part != 2) {
    w.Key("name");
    w.String(call.name.c_str());
  }
  w.Key("arguments");
  if (part == 1) {
    w.String("");
  } else {
    w.String(call.arguments.c_str(), static_cast<rapidjson::SizeType>(call.arguments.size()));
  }
  w.EndObject();
  w.EndObject();
  w.EndArray();
}

}  // namespace

std::string OpenAiAnswerWriter::write(const std::vector<GeneratedToken>& tokens, const std::string& text,
                                      const GenerationEnd* end, int64_t prompt_tokens, bool streamed,
                                      const ToolCall* call, int call_part) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  const bool chat = header_.type == LlmTaskType::Chat;
  w.StartObject();
  header(w, header_, streamed);
  w.Key("choices");
  w.StartArray();
  w.StartObject();
  w.Key("index");
  w.Int(0);
  if (!chat) {
    w.Key("text");
    string(w, text);
  } else if (streamed) {
    w.Key("delta");
    w.StartObject();
    if (call) {
      tool_calls(w, *call, call_part);
    } else if (!end || !text.empty()) {  // the final chunk's delta is {} unless text was held back
      w.Key("content");
      string(w, text);
    }
    w.EndObject();
  } else {
    w.Key("message");
    w.StartObject();
    w.Key("role");
    w.String("assistant");
    w.Key("content");
    if (call) {
      w.Null();
      tool_calls(w, *call, 3);
    } else {
      string(w, text);
    }
    w.EndObject();
  }
  token_ids(w, tokens);
  w.Key("logprobs");
  if (!header_.logprobs || (streamed && end)) {
    w.Null();
  } else if (chat) {
    LogprobsWriter(w, model_).chat(tokens);
  } else {
    LogprobsWriter(w, model_).legacy(tokens, text_offset_);
  }
  finish(w, end);
  w.EndObject();
  w.EndArray();
  if (end) usage(w, prompt_tokens, end->generated);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string OpenAiAnswerWriter::token_chunk(const GeneratedToken& token) {
  return write({token}, token.delta, nullptr, 0, true);
}

std::string OpenAiAnswerWriter::final_chunk(const GenerationEnd& end, int64_t prompt_tokens, const ToolCall* call) {
  return write({}, end.tail, &end, prompt_tokens, true, call, 2);
}

std::string OpenAiAnswerWriter::tool_call_head(const ToolCall& call) {
  return write({}, "", nullptr, 0, true, &call, 1);
}

std::string OpenAiAnswerWriter::whole(const std::vector<GeneratedToken>& tokens, const GenerationEnd& end,
                                      int64_t prompt_tokens, const ToolCall* call) {
  std::string text;
  for (const GeneratedToken& t : tokens) text += t.delta;
  return write(tokens, text + end.tail, &end, prompt_tokens, false, call, 3);
}

}  // namespace nineteen::llm
