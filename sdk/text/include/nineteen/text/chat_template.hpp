// Turns a conversation into the prompt text a chat model was trained on (Llama 3, ChatML as
// Qwen2/2.5 use it with Qwen2.5's tools, Mistral's [INST] formats and Phi-3's <|user|> turns).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace nineteen::text {

// A call an assistant turn made (OpenAI's tool_calls[i].function).
struct ChatToolCall {
  std::string name;
  std::string arguments;  // a JSON object as text (written back as the template's `tojson` does)
};

struct ChatMessage {
  ChatMessage() = default;
  ChatMessage(std::string role_, std::string content_, std::vector<ChatToolCall> tool_calls_ = {})
      : role(std::move(role_)), content(std::move(content_)), tool_calls(std::move(tool_calls_)) {}
  std::string role;  // "system", "user", "assistant", "tool", ...
  std::string content;
  std::vector<ChatToolCall> tool_calls;  // assistant turns that called tools
};

// Not a Jinja interpreter: it recognises a known template family and renders it natively, so the
// same messages always give the same bytes on every machine.
class ChatTemplate {
 public:
  // Reads <dir>/tokenizer_config.json: "chat_template" (a string, or a list of {name, template}
  // where "default" is used) and "bos_token" (a string or {"content": ...}); when the config has
  // no template, <dir>/chat_template.jinja is read instead. Recognises Llama 3 (3.0, and 3.1+ whose
  // system turn starts with the "Cutting Knowledge Date" preamble), ChatML (Qwen2/2.5: a default
  // system turn when the template has one) and Mistral ([INST] ... [/INST]: v0.1's, and v0.3's that
  // puts the system message into the last user turn) and Phi-3 (<|user|>\n...<|end|>\n; Phi-3.5's
  // variant skips an empty system message). Throws sdk::Error: NT_NOT_FOUND
  // for a missing file, NT_INVALID_ARGUMENT for an unknown template; messages name the file and
  // list the known formats.
  static ChatTemplate from_model_dir(const std::string& dir);
  // The Llama 3.0 format.
  static ChatTemplate llama3(std::string bos_token = "<|begin_of_text|>");

  // BOS, then per message "<|start_header_id|>{role}<|end_header_id|>\n\n{trimmed content}<|eot_id|>",
  // then the assistant header when add_generation_prompt. Throws sdk::Error(NT_INVALID_ARGUMENT)
  // for an empty role. Content is copied verbatim: text that spells a special token becomes that
  // token if the result is encoded with parse_special = true.
  // `tools`: the conversation offers tools (Llama 3.1+ then opens its system turn with
  // "Environment: ipython"; the caller puts the tools themselves in the first user message).
  std::string render(const std::vector<ChatMessage>& messages, bool add_generation_prompt = true,
                     bool tools = false) const;
  // Renders a conversation that may offer tools, as Qwen2.5's template does: `tools` (each a JSON
  // object as sent, {"type":"function","function":{...}}) as a "# Tools" block of <tools></tools>
  // JSON lines in the system turn (none when `tools` is empty), an assistant turn's tool_calls as
  // <tool_call>{"name": ..., "arguments": ...}</tool_call>, and a run of "tool" messages as one user
  // turn of <tool_response> blocks. Throws sdk::Error(NT_INVALID_ARGUMENT) for a template that has
  // no tool format of its own (renders_tools() false): Llama 3's tools are placed by the caller.
  std::string render_with_tools(const std::vector<ChatMessage>& messages, const std::vector<std::string>& tools,
                                bool add_generation_prompt = true) const;
  // The template carries Qwen2.5's tool format (<tools>, <tool_call>, <tool_response>).
  bool renders_tools() const { return qwen_tools_; }

  // "<|eot_id|>" for Llama 3, "<|im_end|>" for ChatML, "<|end|>" for Phi-3, the eos_token ("</s>")
  // for Mistral.
  const std::string& end_of_turn() const;

  enum class Format { Llama3, ChatML, MistralV1, MistralV3, Phi3 };
  Format format() const { return format_; }

 private:
  ChatTemplate(std::string bos_token, std::string system_preamble);

  std::string bos_token_;
  // Llama 3.1+ always opens with a system turn holding this text before the system message.
  std::string system_preamble_;
  std::string end_of_turn_;
  Format format_ = Format::Llama3;
  std::string default_system_;  // ChatML: the system turn used when the messages have none
  bool qwen_tools_ = false;     // ChatML with Qwen2.5's tool branches
  bool skip_empty_system_ = false;  // Phi-3.5: a system message with empty content is not written
  std::string eos_token_;           // Phi-3: ends a render without a generation prompt
  std::string render_chatml(const std::vector<ChatMessage>& messages, bool add_generation_prompt,
                            const std::vector<std::string>& tools) const;
  std::string render_mistral(const std::vector<ChatMessage>& messages) const;
  std::string render_phi3(const std::vector<ChatMessage>& messages, bool add_generation_prompt) const;
};

}  // namespace nineteen::text
