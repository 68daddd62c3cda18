// Turns a conversation into the prompt text a chat model was trained on (Llama 3, ChatML as
// Qwen2/2.5 use it, and Mistral's [INST] formats).
#pragma once

#include <string>
#include <vector>

namespace nineteen::text {

struct ChatMessage {
  std::string role;  // "system", "user", "assistant", ...
  std::string content;
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
  // puts the system message into the last user turn). Throws sdk::Error: NT_NOT_FOUND
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
  // "<|eot_id|>" for Llama 3, "<|im_end|>" for ChatML, the eos_token ("</s>") for Mistral.
  const std::string& end_of_turn() const;

 private:
  ChatTemplate(std::string bos_token, std::string system_preamble);

  std::string bos_token_;
  // Llama 3.1+ always opens with a system turn holding this text before the system message.
  std::string system_preamble_;
  std::string end_of_turn_;
  enum class Format { Llama3, ChatML, MistralV1, MistralV3 };
  Format format_ = Format::Llama3;
  std::string default_system_;  // ChatML: the system turn used when the messages have none
  std::string render_chatml(const std::vector<ChatMessage>& messages, bool add_generation_prompt) const;
  std::string render_mistral(const std::vector<ChatMessage>& messages) const;
};

}  // namespace nineteen::text
