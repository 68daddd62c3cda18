// Recognises a model's chat template by its markers and renders that family natively.
#include "nineteen/text/chat_template.hpp"

#include <sys/stat.h>

#include <cstdio>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "json_file.hpp"
#include "nineteen/sdk/error.hpp"
#include "nineteen/sdk/json.hpp"

namespace nineteen::text {
namespace {

const char* const kKnownFormats =
    "known formats: Llama 3 (<|start_header_id|>{role}<|end_header_id|>\\n\\n{content}<|eot_id|>, "
    "with or without the 3.1+ \"Cutting Knowledge Date\" system preamble), ChatML (Qwen2/2.5: "
    "<|im_start|>{role}\\n{content}<|im_end|>), Mistral ([INST] {content} [/INST]), Phi-3 "
    "(<|user|>\\n{content}<|end|>\\n<|assistant|>\\n)";

bool file_exists(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

// Jinja's `trim` (Python's str.strip) on the whitespace that occurs in practice.
std::string trim(const std::string& text) {
  const char* space = " \t\n\r\v\f";
  size_t first = text.find_first_not_of(space);
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(space) - first + 1);
}

// The text of a quoted Jinja literal that follows `marker` in the template, up to its closing
// quote or escaped newline; `fallback` when the marker is absent.
std::string literal_after(const std::string& source, const std::string& marker, const std::string& fallback) {
  size_t at = source.find(marker);
  if (at == std::string::npos) return fallback;
  size_t begin = at + marker.size();
  size_t end = source.find_first_of("\\\"'", begin);
  return source.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

// A JSON string as Jinja's `tojson` writes it (Python's json.dumps with ensure_ascii=False, and
// JavaScript's JSON.stringify): \" \\ \b \f \n \r \t, other control bytes as \u00xx, the rest verbatim.
std::string json_string(const char* text, size_t size) {
  std::string out = "\"";
  for (size_t i = 0; i < size; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          out += escaped;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

// Jinja's `tojson` without indent: Python's json.dumps layout (", " and ": "), keys in their order.
std::string tojson(const rapidjson::Value& v) {
  if (v.IsString()) return json_string(v.GetString(), v.GetStringLength());
  if (v.IsObject()) {
    std::string out = "{";
    bool first = true;
    for (const auto& m : v.GetObject()) {
      out += (first ? "" : ", ") + json_string(m.name.GetString(), m.name.GetStringLength()) + ": " + tojson(m.value);
      first = false;
    }
    return out + "}";
  }
  if (v.IsArray()) {
    std::string out = "[";
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) out += (i ? ", " : "") + tojson(v[i]);
    return out + "]";
  }
  rapidjson::StringBuffer buffer;  // numbers, true, false, null
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  v.Accept(w);
  return std::string(buffer.GetString(), buffer.GetSize());
}

// `tojson` of a JSON text (a tool, a call's arguments); text that is not JSON is a string to it.
std::string tojson_text(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  if (d.HasParseError()) return json_string(text.data(), text.size());
  return tojson(d);
}

std::string read_template(const rapidjson::Document& config, const std::string& config_path,
                          const std::string& dir) {
  auto it = config.FindMember("chat_template");
  if (it == config.MemberEnd() || it->value.IsNull()) {
    // Newer transformers versions keep the template beside the config.
    std::string jinja_path = dir + "/chat_template.jinja";
    if (file_exists(jinja_path)) return detail::read_text_file(jinja_path);
    throw sdk::Error(NT_INVALID_ARGUMENT, config_path + ": no \"chat_template\" key, and no " + jinja_path +
                                              "; this model has no chat format (" + kKnownFormats + ")");
  }
  if (it->value.IsString()) return it->value.GetString();
  if (it->value.IsArray()) {  // [{"name": "default", "template": "..."}, {"name": "tool_use", ...}]
    for (const auto& entry : it->value.GetArray()) {
      if (!entry.IsObject()) continue;
      auto name = entry.FindMember("name");
      auto text = entry.FindMember("template");
      if (name != entry.MemberEnd() && name->value.IsString() &&
          std::string(name->value.GetString()) == "default" && text != entry.MemberEnd() &&
          text->value.IsString()) {
        return text->value.GetString();
      }
    }
    throw sdk::Error(NT_INVALID_ARGUMENT,
                     config_path + ": \"chat_template\" is a list without an entry named \"default\"");
  }
  throw sdk::Error(NT_INVALID_ARGUMENT, config_path +
                                            ": \"chat_template\" must be a string or a list of "
                                            "{name, template}, got " +
                                            sdk::json_type_name(it->value));
}

std::string read_bos_token(const rapidjson::Document& config, const std::string& config_path) {
  auto it = config.FindMember("bos_token");
  if (it == config.MemberEnd()) return "<|begin_of_text|>";  // Llama 3's, the only family we know
  if (it->value.IsNull()) return "";
  if (it->value.IsString()) return it->value.GetString();
  if (it->value.IsObject()) {  // the older AddedToken form
    auto content = it->value.FindMember("content");
    if (content != it->value.MemberEnd() && content->value.IsString()) return content->value.GetString();
  }
  throw sdk::Error(NT_INVALID_ARGUMENT, config_path +
                                            ": \"bos_token\" must be a string, null or "
                                            "{\"content\": \"...\"}, got " +
                                            sdk::json_type_name(it->value));
}

}  // namespace

ChatTemplate::ChatTemplate(std::string bos_token, std::string system_preamble)
    : bos_token_(std::move(bos_token)),
      system_preamble_(std::move(system_preamble)),
      end_of_turn_("<|eot_id|>") {}

ChatTemplate ChatTemplate::llama3(std::string bos_token) {
  return ChatTemplate(std::move(bos_token), "");
}

ChatTemplate ChatTemplate::from_model_dir(const std::string& dir) {
  std::string config_path = dir + "/tokenizer_config.json";
  rapidjson::Document config = detail::parse_json_object(detail::read_text_file(config_path), config_path);
  std::string source = read_template(config, config_path, dir);
  std::string bos_token = read_bos_token(config, config_path);

  bool llama3 = source.find("<|start_header_id|>") != std::string::npos &&
                source.find("<|end_header_id|>") != std::string::npos &&
                source.find("<|eot_id|>") != std::string::npos;
  if (!llama3 && source.find("<|im_start|>") != std::string::npos && source.find("<|im_end|>") != std::string::npos) {
    ChatTemplate t(std::move(bos_token), "");
    t.format_ = Format::ChatML;
    t.end_of_turn_ = "<|im_end|>";
    t.qwen_tools_ = source.find("<tools>") != std::string::npos && source.find("<tool_call>") != std::string::npos &&
                    source.find("<tool_response>") != std::string::npos;
    // Qwen's templates open with a default system turn when the messages have none: the literal
    // after "<|im_start|>system\n" that runs on to "<|im_end|>" (not the one joined to a message).
    const std::string marker = "<|im_start|>system\\n";
    for (size_t at = source.find(marker); at != std::string::npos; at = source.find(marker, at + 1)) {
      const size_t begin = at + marker.size();
      const size_t end = source.find("<|im_end|>", begin);
      if (begin < source.size() && source[begin] != '\'' && source[begin] != '"' && end != std::string::npos &&
          source.find_first_of("'\"", begin) > end) {
        t.default_system_ = source.substr(begin, end - begin);
        break;
      }
    }
    return t;
  }
  // Phi-3 as published: each turn "<|role|>\n" + content + "<|end|>\n" (the first Phi-3-mini revision,
  // which wrote the assistant header after every user turn, is a different format: not recognised).
  if (!llama3 && source.find("<|user|>") != std::string::npos && source.find("<|end|>") != std::string::npos &&
      source.find("'<|assistant|>\\n' + message['content'] + '<|end|>\\n'") != std::string::npos) {
    // Templates that open with {{ bos_token }} write it first.
    const size_t first = source.find_first_not_of(" \t\n");
    ChatTemplate t(first != std::string::npos && source.compare(first, 15, "{{ bos_token }}") == 0 ? std::move(bos_token) : "",
                   "");
    t.format_ = Format::Phi3;
    t.end_of_turn_ = "<|end|>";
    // Phi-3.5 (and later Phi-3 revisions) skip a system message with empty content.
    t.skip_empty_system_ = source.find("message['role'] == 'system' and message['content']") != std::string::npos;
    t.eos_token_ = "<|endoftext|>";
    auto eos = config.FindMember("eos_token");
    if (eos != config.MemberEnd() && eos->value.IsString()) t.eos_token_ = eos->value.GetString();
    if (eos != config.MemberEnd() && eos->value.IsObject() && eos->value.HasMember("content") &&
        eos->value["content"].IsString()) {
      t.eos_token_ = eos->value["content"].GetString();
    }
    return t;
  }
  if (!llama3 && source.find("[INST]") != std::string::npos && source.find("[/INST]") != std::string::npos) {
    ChatTemplate t(std::move(bos_token), "");
    // v0.1/v0.2 close a user turn with " [/INST]"; v0.3 with "[/INST]" and carry the system message.
    t.format_ = source.find(" [/INST]") != std::string::npos ? Format::MistralV1 : Format::MistralV3;
    auto eos = config.FindMember("eos_token");
    t.end_of_turn_ = "</s>";
    if (eos != config.MemberEnd() && eos->value.IsString()) t.end_of_turn_ = eos->value.GetString();
    if (eos != config.MemberEnd() && eos->value.IsObject() && eos->value.HasMember("content") &&
        eos->value["content"].IsString()) {
      t.end_of_turn_ = eos->value["content"].GetString();
    }
    return t;
  }
  if (!llama3) {
    throw sdk::Error(NT_INVALID_ARGUMENT, config_path + ": the chat template (starting \"" +
                                              source.substr(0, 60) +
                                              "\") is not a format this SDK renders; " + kKnownFormats);
  }
  std::string preamble;
  if (source.find("Cutting Knowledge Date: ") != std::string::npos) {
    // 3.1+ dates its system turn; the template's fixed date (not today's) keeps renders reproducible.
    preamble =
        "Cutting Knowledge Date: " + literal_after(source, "Cutting Knowledge Date: ", "December 2023") +
        "\nToday Date: " + literal_after(source, "date_string = \"", "26 Jul 2024") + "\n\n";
  }
  return ChatTemplate(std::move(bos_token), std::move(preamble));
}

std::string ChatTemplate::render(const std::vector<ChatMessage>& messages, bool add_generation_prompt,
                                 bool tools) const {
  auto turn = [&](const std::string& role, const std::string& content) {
    return "<|start_header_id|>" + role + "<|end_header_id|>\n\n" + content + end_of_turn_;
  };
  for (size_t i = 0; i < messages.size(); ++i) {
    if (messages[i].role.empty()) {
      throw sdk::Error(NT_INVALID_ARGUMENT,
                       "chat message " + std::to_string(i) +
                           " has an empty role; use \"system\", \"user\" or \"assistant\"");
    }
  }
  if (tools && format_ != Format::Llama3) {
    // Tool calls are rendered and parsed in Llama 3.1's format only so far: a ChatML or Mistral model
    // would be offered tools it was never shown.
    throw sdk::Error(NT_INVALID_ARGUMENT,
                     "\"tools\" are supported for Llama 3 and Qwen2.5 chat templates only; this model's template "
                     "does not render them: send the request without tools");
  }
  if (format_ == Format::ChatML) return render_chatml(messages, add_generation_prompt, {});
  if (format_ == Format::MistralV1 || format_ == Format::MistralV3) return render_mistral(messages);
  if (format_ == Format::Phi3) return render_phi3(messages, add_generation_prompt);
  std::string out;
  size_t first = 0;
  if (!system_preamble_.empty()) {
    // 3.1+: the system turn is always there; a leading system message goes inside it.
    std::string system_message;
    if (!messages.empty() && messages[0].role == "system") {
      system_message = trim(messages[0].content);
      first = 1;
    }
    out += bos_token_ + turn("system", (tools ? "Environment: ipython\n" : "") + system_preamble_ + system_message);
  } else if (!messages.empty()) {
    out += bos_token_;  // 3.0 puts BOS in front of the first message only
  }
  for (size_t i = first; i < messages.size(); ++i) out += turn(messages[i].role, trim(messages[i].content));
  if (add_generation_prompt) out += "<|start_header_id|>assistant<|end_header_id|>\n\n";
  return out;
}

std::string ChatTemplate::render_with_tools(const std::vector<ChatMessage>& messages,
                                            const std::vector<std::string>& tools, bool add_generation_prompt) const {
  for (size_t i = 0; i < messages.size(); ++i) {
    if (messages[i].role.empty()) {
      throw sdk::Error(NT_INVALID_ARGUMENT, "chat message " + std::to_string(i) +
                                                " has an empty role; use \"system\", \"user\", \"assistant\" or \"tool\"");
    }
  }
  if (!qwen_tools_) {
    throw sdk::Error(NT_INVALID_ARGUMENT,
                     "this model's chat template has no tool format of its own (Qwen2.5's <tools>/<tool_call>); "
                     "send the request without tools");
  }
  return render_chatml(messages, add_generation_prompt, tools);
}

// Qwen2.5's template: a system turn (the first message's, else the default), the tools in it when
// there are any, then every user, assistant and later system message verbatim (no trimming);
// with the template's tool branches, assistant tool_calls and tool results as Qwen2.5 writes them.
std::string ChatTemplate::render_chatml(const std::vector<ChatMessage>& messages, bool add_generation_prompt,
                                        const std::vector<std::string>& tools) const {
  auto turn = [](const std::string& role, const std::string& content) {
    return "<|im_start|>" + role + "\n" + content + "<|im_end|>\n";
  };
  std::string out;
  size_t first = 0;
  const bool has_system = !messages.empty() && messages[0].role == "system";
  if (has_system) first = 1;
  if (!tools.empty()) {
    out += "<|im_start|>system\n" + (has_system ? messages[0].content : default_system_) +
           "\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided "
           "with function signatures within <tools></tools> XML tags:\n<tools>";
    for (const std::string& tool : tools) out += "\n" + tojson_text(tool);
    out +=
        "\n</tools>\n\nFor each function call, return a json object with function name and arguments within "
        "<tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": "
        "<args-json-object>}\n</tool_call><|im_end|>\n";
  } else if (has_system) {
    out += turn("system", messages[0].content);
  } else if (!default_system_.empty()) {
    out += turn("system", default_system_);
  }
  for (size_t i = first; i < messages.size(); ++i) {
    const ChatMessage& m = messages[i];
    if (!qwen_tools_) {
      if (!m.tool_calls.empty()) {
        throw sdk::Error(NT_INVALID_ARGUMENT, "chat message " + std::to_string(i) +
                                                  " has tool_calls, which this model's chat template does not render");
      }
      out += turn(m.role, m.content);
    } else if (m.role == "user" || m.role == "system" || (m.role == "assistant" && m.tool_calls.empty())) {
      out += turn(m.role, m.content);
    } else if (m.role == "assistant") {
      out += "<|im_start|>assistant";
      if (!m.content.empty()) out += "\n" + m.content;
      for (const ChatToolCall& call : m.tool_calls) {
        out += "\n<tool_call>\n{\"name\": \"" + call.name + "\", \"arguments\": " + tojson_text(call.arguments) +
               "}\n</tool_call>";
      }
      out += "<|im_end|>\n";
    } else if (m.role == "tool") {
      if (i == 0 || messages[i - 1].role != "tool") out += "<|im_start|>user";
      out += "\n<tool_response>\n" + m.content + "\n</tool_response>";
      if (i + 1 == messages.size() || messages[i + 1].role != "tool") out += "<|im_end|>\n";
    }
    // Other roles: the template writes nothing for them.
  }
  if (add_generation_prompt) out += "<|im_start|>assistant\n";
  return out;
}

// Mistral's templates (no generation prompt: a user turn ends with [/INST]). Roles must alternate
// user/assistant starting with user, as the templates' raise_exception enforces.
std::string ChatTemplate::render_mistral(const std::vector<ChatMessage>& messages) const {
  const bool v3 = format_ == Format::MistralV3;
  size_t first = 0;
  std::string system;
  bool has_system = false;
  if (v3 && !messages.empty() && messages[0].role == "system") {
    system = messages[0].content;
    has_system = true;
    first = 1;
  }
  for (size_t i = first; i < messages.size(); ++i) {
    const std::string& role = messages[i].role;
    if (role != "user" && role != "assistant") {
      throw sdk::Error(NT_INVALID_ARGUMENT, "chat message " + std::to_string(i) + " has role \"" + role +
                                                "\"; this Mistral template supports only user and assistant" +
                                                (v3 ? " (and a leading system message)" : ""));
    }
    if ((role == "user") != ((i - first) % 2 == 0)) {
      throw sdk::Error(NT_INVALID_ARGUMENT, "chat message " + std::to_string(i) +
                                                ": this Mistral template needs roles alternating user/assistant/"
                                                "user/... after the optional system message");
    }
  }
  std::string out = bos_token_;
  for (size_t i = first; i < messages.size(); ++i) {
    const ChatMessage& m = messages[i];
    if (m.role == "user") {
      if (!v3) out += "[INST] " + m.content + " [/INST]";
      else if (i + 1 == messages.size() && has_system) out += "[INST] " + system + "\n\n" + m.content + "[/INST]";
      else out += "[INST] " + m.content + "[/INST]";
    } else {
      out += v3 ? " " + trim(m.content) + end_of_turn_ : m.content + end_of_turn_;
    }
  }
  return out;
}

// Phi-3's template: "<|system|>", "<|user|>" and "<|assistant|>" turns closed by "<|end|>\n" (other
// roles are not written, nor on Phi-3.5 an empty system message), then the assistant's header when
// add_generation_prompt, else the eos_token.
std::string ChatTemplate::render_phi3(const std::vector<ChatMessage>& messages, bool add_generation_prompt) const {
  std::string out = bos_token_;
  for (const ChatMessage& m : messages) {
    if (m.role == "system" && skip_empty_system_ && m.content.empty()) continue;
    if (m.role == "system" || m.role == "user" || m.role == "assistant") {
      out += "<|" + m.role + "|>\n" + m.content + "<|end|>\n";
    }
  }
  out += add_generation_prompt ? "<|assistant|>\n" : eos_token_;
  return out;
}

const std::string& ChatTemplate::end_of_turn() const {
  return end_of_turn_;
}

}  // namespace nineteen::text
