// Tool calling (issue 25, item 3) for the Llama 3 and Qwen2.5 families: the request's tools and
// tool_choice, the tools rendered as the model's chat template renders them, the answer parsed back
// into OpenAI's tool_calls, and for tool_choice "required" or a named function the grammar that
// makes the answer such a call.
//   Llama 3.1: a JSON block in the first user message, "Environment: ipython" in the system turn,
//     tool results as "ipython" turns, calls as {"name": …, "parameters": …}.
//   Qwen2.5 (text::ChatTemplate::render_with_tools): a "# Tools" block of <tools></tools> JSON lines
//     in the system turn, calls as <tool_call>\n{"name": …, "arguments": …}\n</tool_call>, tool
//     results as <tool_response> blocks in a user turn.
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

// Whose format the prompt and the answer's calls follow (from the model's chat template).
enum class ToolFormat { Llama3, Qwen };
ToolFormat tool_format_of(const text::ChatTemplate* chat_template);

struct ToolRequest {
  std::vector<ToolSpec> tools;
  std::string choice = "none";  // "none", "auto", "required" or "function" (then `name`)
  std::string name;
  bool parallel = true;         // allowed; answers make one call at a time
  ToolFormat format = ToolFormat::Llama3;
  bool active() const { return !tools.empty() && choice != "none"; }
};

struct ToolCall {
  std::string id;         // "call_…"
  std::string name;
  std::string arguments;  // a JSON object as text, compact
};

// Reads tools, tool_choice and parallel_tool_calls; errors name the key. `format` is the model's.
ToolRequest read_tool_request(const sdk::JsonObject& request, ToolFormat format = ToolFormat::Llama3);

// Reads one chat message of the extended roles: "developer" (a system message), "tool" (its result)
// and "assistant" with tool_calls (kept in ChatMessage::tool_calls). Each family renders them.
text::ChatMessage read_tool_aware_message(const sdk::JsonObject& message, const std::string& role,
                                          const std::string& content);

// Llama 3.1: the messages with the tools put where its template puts them (before the first user
// message's text; not when `tools` is not active), tool results as "ipython" turns and earlier calls
// as the text of the call.
std::vector<text::ChatMessage> with_tools(std::vector<text::ChatMessage> messages, const ToolRequest& tools);

// The prompt text of a chat request: the template's own tool rendering (Qwen2.5) or with_tools
// (Llama 3.1) when tools are offered or the conversation carries calls or results.
std::string render_chat_prompt(const text::ChatTemplate& chat_template, const std::vector<text::ChatMessage>& messages,
                               const ToolRequest& tools);

// The JSON schema of the call that "required" (any of the tools) or a named function forces; empty
// for "auto" and "none".
std::string forced_call_schema(const ToolRequest& tools);
// Its grammar (Qwen2.5: wrapped in <tool_call>\n…\n</tool_call>), or null. JSON-schema errors are
// GrammarError, as for response_format.
std::shared_ptr<const grammar::Grammar> forced_call_grammar(const ToolRequest& tools, int json_whitespace);

// The call an answer's visible text makes, if it is one ({"name": a tool, "parameters": {…}}, or
// "arguments" for "parameters"; Qwen2.5: that object inside <tool_call>\n…\n</tool_call>), else
// nullopt. The id is derived from `id_seed`.
std::optional<ToolCall> parse_tool_call(const std::string& text, const ToolRequest& tools, const std::string& id_seed);

}  // namespace nineteen::llm
