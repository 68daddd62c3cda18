#include "tool_calls.hpp"

#include <cstdio>
#include <functional>

#include <nineteen/grammar/json_schema.hpp>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace nineteen::llm {

using sdk::Error;

namespace {

std::string compact(const rapidjson::Value& v) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  v.Accept(w);
  return std::string(buffer.GetString(), buffer.GetSize());
}

// Jinja's tojson(indent=4) as the template uses it: Python's json.dumps layout.
std::string pretty(const rapidjson::Value& v) {
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buffer);
  w.SetIndent(' ', 4);
  v.Accept(w);
  return std::string(buffer.GetString(), buffer.GetSize());
}

// Python's json.dumps default layout (", " and ": "), as the template's `| tojson` writes a call's arguments.
std::string python_json(const rapidjson::Value& v) {
  if (v.IsObject()) {
    std::string out = "{";
    bool first = true;
    for (const auto& m : v.GetObject()) {
      out += (first ? "" : ", ") + compact(m.name) + ": " + python_json(m.value);
      first = false;
    }
    return out + "}";
  }
  if (v.IsArray()) {
    std::string out = "[";
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) out += (i ? ", " : "") + python_json(v[i]);
    return out + "]";
  }
  return compact(v);
}

bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  }
  return true;
}

const char* const kQwenCallOpen = "<tool_call>\n";
const char* const kQwenCallClose = "\n</tool_call>";

// Llama 3.1's text of an earlier call: {"name": …, "parameters": …} (Python json layout).
std::string llama_call_text(const text::ChatToolCall& call) {
  rapidjson::Document args;
  args.Parse(call.arguments.c_str(), call.arguments.size());
  rapidjson::Value quoted(call.name.c_str(), static_cast<rapidjson::SizeType>(call.name.size()));
  return std::string("{\"name\": ") + compact(quoted) + ", \"parameters\": " + python_json(args) + "}";
}

}  // namespace

ToolFormat tool_format_of(const text::ChatTemplate* chat_template) {
  return chat_template && chat_template->renders_tools() ? ToolFormat::Qwen : ToolFormat::Llama3;
}

ToolRequest read_tool_request(const sdk::JsonObject& req, ToolFormat format) {
  ToolRequest out;
  out.format = format;
  if (req.has("tools")) {
    const rapidjson::Value& list = req.require("tools");
    if (!list.IsArray()) throw req.bad("tools", "a list of {\"type\":\"function\",\"function\":{…}}", list);
    if (list.Size() > 128) throw req.bad("tools", "at most 128 tools", list);
    for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
      const std::string where = "request key \"tools[" + std::to_string(i) + "]\"";
      sdk::JsonObject tool(list[i], where);
      tool.allow_only({"type", "function"});
      if (tool.string("type") != "function") throw tool.bad("type", "\"function\"", tool.require("type"));
      sdk::JsonObject fn(tool.require("function"), where + ".function");
      fn.allow_only({"name", "description", "parameters", "strict"});
      ToolSpec spec;
      spec.name = fn.string("name");
      if (!valid_name(spec.name)) throw fn.bad("name", "1 to 64 of a-z, A-Z, 0-9, _ and -", fn.require("name"));
      for (const ToolSpec& other : out.tools) {
        if (other.name == spec.name) throw fn.bad("name", "a name no other tool has", fn.require("name"));
      }
      if (fn.has("description") && !fn.require("description").IsString()) {
        throw fn.bad("description", "a string", fn.require("description"));
      }
      if (fn.has("strict")) fn.boolean_or("strict", false);
      if (fn.has("parameters")) {
        const rapidjson::Value& p = fn.require("parameters");
        if (!p.IsObject()) throw fn.bad("parameters", "a JSON Schema object", p);
        spec.parameters_json = compact(p);
        // Arguments are an object: a schema that does not say (`{}`) is read as {"type":"object",…}.
        if (!p.HasMember("type") && !p.HasMember("$ref") && !p.HasMember("anyOf") && !p.HasMember("allOf") &&
            !p.HasMember("enum") && !p.HasMember("const")) {
          rapidjson::Document typed;
          typed.CopyFrom(p, typed.GetAllocator());
          typed.AddMember("type", "object", typed.GetAllocator());
          spec.parameters_json = compact(typed);
        }
      } else {
        spec.parameters_json = R"({"type":"object"})";
      }
      spec.json = compact(list[i]);
      out.tools.push_back(std::move(spec));
    }
  }
  out.choice = out.tools.empty() ? "none" : "auto";
  if (req.has("tool_choice")) {
    const rapidjson::Value& c = req.require("tool_choice");
    if (c.IsString()) {
      out.choice = std::string(c.GetString(), c.GetStringLength());
      if (out.choice != "none" && out.choice != "auto" && out.choice != "required") {
        throw req.bad("tool_choice", "\"none\", \"auto\", \"required\" or {\"type\":\"function\",\"function\":{\"name\":…}}", c);
      }
    } else {
      sdk::JsonObject choice(c, "request key \"tool_choice\"");
      choice.allow_only({"type", "function"});
      if (choice.string("type") != "function") throw choice.bad("type", "\"function\"", choice.require("type"));
      sdk::JsonObject fn(choice.require("function"), "request key \"tool_choice.function\"");
      fn.allow_only({"name"});
      out.choice = "function";
      out.name = fn.string("name");
    }
    if (out.choice != "none" && out.tools.empty()) {
      throw Error(NT_INVALID_ARGUMENT, "request key \"tool_choice\": needs \"tools\"");
    }
    if (out.choice == "function") {
      bool known = false;
      for (const ToolSpec& t : out.tools) known = known || t.name == out.name;
      if (!known) throw Error(NT_INVALID_ARGUMENT, "request key \"tool_choice\": no tool is named \"" + out.name + "\"");
    }
  }
  if (req.has("parallel_tool_calls")) {
    const rapidjson::Value& p = req.require("parallel_tool_calls");
    if (!p.IsBool()) throw req.bad("parallel_tool_calls", "true or false", p);
    out.parallel = p.GetBool();
  }
  return out;
}

text::ChatMessage read_tool_aware_message(const sdk::JsonObject& message, const std::string& role,
                                          const std::string& content) {
  if (role == "developer") return {"system", content, {}};
  text::ChatMessage out{role, content, {}};
  if (role == "assistant" && message.has("tool_calls")) {
    const rapidjson::Value& calls = message.require("tool_calls");
    if (!calls.IsArray() || calls.Empty()) throw message.bad("tool_calls", "a non-empty list of calls", calls);
    for (rapidjson::SizeType i = 0; i < calls.Size(); ++i) {
      sdk::JsonObject call(calls[i], "tool_calls[" + std::to_string(i) + "]");
      sdk::JsonObject fn(call.require("function"), "tool_calls[" + std::to_string(i) + "].function");
      text::ChatToolCall made{fn.string("name"), fn.string("arguments")};
      rapidjson::Document args;
      args.Parse(made.arguments.c_str(), made.arguments.size());
      if (args.HasParseError() || !args.IsObject()) throw fn.bad("arguments", "a JSON object as a string", fn.require("arguments"));
      out.tool_calls.push_back(std::move(made));
    }
  }
  return out;
}

std::vector<text::ChatMessage> with_tools(std::vector<text::ChatMessage> messages, const ToolRequest& tools) {
  for (text::ChatMessage& m : messages) {
    if (m.role == "tool") m.role = "ipython";
    if (!m.tool_calls.empty()) {
      std::string text;
      for (size_t i = 0; i < m.tool_calls.size(); ++i) text += (i ? "\n" : "") + llama_call_text(m.tool_calls[i]);
      m.content = text;
      m.tool_calls.clear();
    }
  }
  if (!tools.active()) return messages;
  std::string block =
      "Given the following functions, please respond with a JSON for a function call with its proper arguments "
      "that best answers the given prompt.\n\nRespond in the format {\"name\": function name, \"parameters\": "
      "dictionary of argument name and its value}.Do not use variables.\n\n";
  for (const ToolSpec& t : tools.tools) {
    rapidjson::Document d;
    d.Parse(t.json.c_str());
    block += pretty(d) + "\n\n";
  }
  for (text::ChatMessage& m : messages) {
    if (m.role == "user") {
      m.content = block + m.content;
      return messages;
    }
  }
  messages.push_back({"user", block, {}});
  return messages;
}

std::string render_chat_prompt(const text::ChatTemplate& chat_template, const std::vector<text::ChatMessage>& messages,
                               const ToolRequest& tools) {
  if (chat_template.renders_tools()) {
    std::vector<std::string> offered;
    if (tools.active()) {
      for (const ToolSpec& t : tools.tools) offered.push_back(t.json);
    }
    return chat_template.render_with_tools(messages, offered, true);
  }
  return chat_template.render(with_tools(messages, tools), true, tools.active());
}

std::string forced_call_schema(const ToolRequest& tools) {
  if (tools.choice != "required" && tools.choice != "function") return "";
  std::string alternatives;
  const char* arguments = tools.format == ToolFormat::Qwen ? "arguments" : "parameters";
  for (const ToolSpec& t : tools.tools) {
    if (tools.choice == "function" && t.name != tools.name) continue;
    rapidjson::Value quoted(t.name.c_str(), static_cast<rapidjson::SizeType>(t.name.size()));
    alternatives += (alternatives.empty() ? "" : ",") +
                    std::string(R"({"type":"object","properties":{"name":{"const":)") + compact(quoted) + "},\"" +
                    arguments + "\":" + t.parameters_json + R"(},"required":["name",")" + arguments +
                    R"("],"additionalProperties":false})";
  }
  return R"({"anyOf":[)" + alternatives + "]}";
}

std::shared_ptr<const grammar::Grammar> forced_call_grammar(const ToolRequest& tools, int json_whitespace) {
  const std::string schema = forced_call_schema(tools);
  if (schema.empty()) return nullptr;
  grammar::Grammar g = grammar::json_schema_grammar(schema, grammar::JsonGrammarOptions{json_whitespace});
  if (tools.format == ToolFormat::Qwen) g = grammar::surround(std::move(g), kQwenCallOpen, kQwenCallClose);
  return std::make_shared<const grammar::Grammar>(std::move(g));
}

std::optional<ToolCall> parse_tool_call(const std::string& text, const ToolRequest& tools, const std::string& id_seed) {
  if (!tools.active()) return std::nullopt;
  size_t begin = text.find_first_not_of(" \t\r\n");
  size_t end = text.find_last_not_of(" \t\r\n");
  if (begin == std::string::npos) return std::nullopt;
  if (tools.format == ToolFormat::Qwen) {
    // <tool_call>\n{…}\n</tool_call>, the whole answer (one call; whitespace around the JSON).
    const std::string open = "<tool_call>", close = "</tool_call>";
    if (text.compare(begin, open.size(), open) != 0 || end + 1 < begin + open.size() + close.size() ||
        text.compare(end + 1 - close.size(), close.size(), close) != 0) {
      return std::nullopt;
    }
    const size_t inner_end = end + 1 - close.size();
    begin = text.find_first_not_of(" \t\r\n", begin + open.size());
    if (begin == std::string::npos || begin >= inner_end) return std::nullopt;
    end = text.find_last_not_of(" \t\r\n", inner_end - 1);
  }
  if (text[begin] != '{' || text[end] != '}') return std::nullopt;
  rapidjson::Document d;
  d.Parse(text.c_str() + begin, end - begin + 1);
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("name") || !d["name"].IsString()) return std::nullopt;
  const rapidjson::Value* args = d.HasMember("parameters") ? &d["parameters"] : d.HasMember("arguments") ? &d["arguments"] : nullptr;
  if (!args || !args->IsObject() || d.MemberCount() != 2) return std::nullopt;
  ToolCall call;
  call.name = d["name"].GetString();
  bool known = false;
  for (const ToolSpec& t : tools.tools) known = known || t.name == call.name;
  if (!known) return std::nullopt;
  call.arguments = compact(*args);
  char id[32];
  std::snprintf(id, sizeof id, "call_%016zx", std::hash<std::string>{}(id_seed + call.name + call.arguments));
  call.id = id;
  return call;
}

}  // namespace nineteen::llm
