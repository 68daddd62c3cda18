// Tool calling (issue 25, item 3) for the Llama 3 family: the request's tools and tool_choice,
// the tools rendered as the Llama 3.1 chat template renders them (a JSON block in the first user
// message, "Environment: ipython" in the system turn, tool results as "ipython" turns, earlier
// calls as {"name": …, "parameters": …}), the answer parsed back into OpenAI's tool_calls, and for
// tool_choice "required" or a named function the grammar that makes the answer such a call.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nineteen/grammar/grammar.hpp>
#include <nineteen/sdk/json.hpp>
#include <nineteen/text/chat_template.hpp>

namespace nineteen::llm {

struct ToolSpec {
  std::string name;
  std::string json;             // the tool object as sent ({"type":"function","function":{…}}), compact
  std::string parameters_json;  // its function.parameters schema ({"type":"object"} when absent)
};

struct ToolRequest {
  std::vector<ToolSpec> tools;
  std::string choice = "none";  // "none", "auto", "required" or "function" (then `name`)
  std::string name;
  bool parallel = true;         // allowed; answers make one call at a time (Llama 3.1's format)
  bool active() const { return !tools.empty() && choice != "none"; }
};

struct ToolCall {
  std::string id;         // "call_…"
  std::string name;
  std::string arguments;  // a JSON object as text, compact
};

// Reads tools, tool_choice and parallel_tool_calls; errors name the key.
ToolRequest read_tool_request(const sdk::JsonObject& request);

// Reads one chat message of the extended roles: "developer" (a system message), "tool" (its result,
// rendered as an "ipython" turn) and "assistant" with tool_calls (rendered as the call it made).
// `message` is the message object; `where` names it in errors.
text::ChatMessage read_tool_aware_message(const sdk::JsonObject& message, const std::string& role,
                                          const std::string& content);

// The messages with the tools put where the Llama 3.1 template puts them (before the first user
// message's text); unchanged when `tools` is not active.
std::vector<text::ChatMessage> with_tools(std::vector<text::ChatMessage> messages, const ToolRequest& tools);

// The grammar that forces a call for "required" (any of the tools) or a named function; null for
// "auto" and "none". JSON-schema errors are GrammarError, as for response_format.
std::string forced_call_schema(const ToolRequest& tools);

// The call an answer's visible text makes, if it is one ({"name": a tool, "parameters": {…}}, or
// "arguments" for "parameters"), else nullopt. The id is derived from `id_seed`.
std::optional<ToolCall> parse_tool_call(const std::string& text, const ToolRequest& tools, const std::string& id_seed);

}  // namespace nineteen::llm
