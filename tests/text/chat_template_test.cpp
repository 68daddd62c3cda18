// Llama 3 chat rendering, exactly, and the errors for templates we do not know.
#include "nineteen/text/chat_template.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "nineteen/text/bpe_tokenizer.hpp"
#include "nineteen/text/bpe_trainer.hpp"
#include "sdk_error_text.hpp"
#include "temp_dir.hpp"

namespace nineteen::text {
namespace {

using testing::sdk_error_text;

// Meta-Llama-3-8B-Instruct's template, as its tokenizer_config.json holds it (JSON-escaped).
const char* const kLlama3TemplateJson =
    R"("{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}")";

// The parts of Llama 3.1's template that matter here (the real one also handles tools).
const char* const kLlama31TemplateJson =
    R"("{{- bos_token }}\n{%- if not date_string is defined %}\n    {%- set date_string = \"26 Jul 2024\" %}\n{%- endif %}\n{{- \"<|start_header_id|>system<|end_header_id|>\\n\\n\" }}\n{{- \"Cutting Knowledge Date: December 2023\\n\" }}\n{{- \"Today Date: \" + date_string + \"\\n\\n\" }}\n{{- system_message }}\n{{- \"<|eot_id|>\" }}\n{%- for message in messages %}{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' }}{%- endfor %}")";

const std::vector<ChatMessage> kConversation = {{"system", "You are a helpful assistant."},
                                                {"user", "  What is 2+2?\n"}};

const char* const kLlama3Rendering =
    "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are a helpful assistant.<|eot_id|>"
    "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>"
    "<|start_header_id|>assistant<|end_header_id|>\n\n";

std::string config_json(const std::string& template_json,
                        const std::string& bos_json = R"("<|begin_of_text|>")") {
  return R"({"bos_token": )" + bos_json + R"(, "eos_token": "<|eot_id|>", "chat_template": )" +
         template_json + "}";
}

TEST(ChatTemplate, Llama3ExactRendering) {
  ChatTemplate chat = ChatTemplate::llama3();
  EXPECT_EQ(chat.render(kConversation), kLlama3Rendering);
  EXPECT_EQ(chat.end_of_turn(), "<|eot_id|>");
  std::string without_prompt = chat.render(kConversation, /*add_generation_prompt=*/false);
  EXPECT_EQ(without_prompt + "<|start_header_id|>assistant<|end_header_id|>\n\n", kLlama3Rendering);
  EXPECT_EQ(chat.render({}), "<|start_header_id|>assistant<|end_header_id|>\n\n");
}

TEST(ChatTemplate, FromModelDirRecognisesLlama3) {
  testing::TempDir dir;
  dir.write("tokenizer_config.json", config_json(kLlama3TemplateJson));
  EXPECT_EQ(ChatTemplate::from_model_dir(dir.path()).render(kConversation), kLlama3Rendering);
}

TEST(ChatTemplate, BosTokenInAddedTokenForm) {
  testing::TempDir dir;
  dir.write("tokenizer_config.json",
            config_json(kLlama3TemplateJson, R"({"content": "<BOS>", "lstrip": false})"));
  EXPECT_EQ(ChatTemplate::from_model_dir(dir.path()).render({{"user", "hi"}}, false),
            "<BOS><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>");
}

TEST(ChatTemplate, Llama31AddsDatedSystemTurn) {
  testing::TempDir dir;
  dir.write("tokenizer_config.json", config_json(kLlama31TemplateJson));
  ChatTemplate chat = ChatTemplate::from_model_dir(dir.path());
  EXPECT_EQ(chat.render(kConversation),
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
            "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n"
            "You are a helpful assistant.<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n");
  EXPECT_EQ(chat.render({{"user", "hi"}}, false),
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
            "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>");
}

TEST(ChatTemplate, TemplateFromJinjaFileBesideConfig) {
  testing::TempDir dir;
  dir.write("tokenizer_config.json", R"({"bos_token": "<|begin_of_text|>"})");
  dir.write("chat_template.jinja", "{{ '<|start_header_id|>' }}...<|end_header_id|>...<|eot_id|>");
  EXPECT_EQ(ChatTemplate::from_model_dir(dir.path()).render(kConversation), kLlama3Rendering);
}

TEST(ChatTemplate, UnknownTemplateNamesFileAndKnownFormats) {
  testing::TempDir dir;
  // Gemma's turn markers: no format this SDK renders.
  std::string gemma =
      R"("{% for message in messages %}{{'<start_of_turn>' + message['role'] + '\n' + message['content'] + '<end_of_turn>' + '\n'}}{% endfor %}")";
  dir.write("tokenizer_config.json", config_json(gemma));
  std::string message =
      sdk_error_text([&] { ChatTemplate::from_model_dir(dir.path()); }, NT_INVALID_ARGUMENT);
  EXPECT_NE(message.find(dir.path() + "/tokenizer_config.json: the chat template"), std::string::npos)
      << message;
  EXPECT_NE(message.find("known formats: Llama 3"), std::string::npos) << message;
}

TEST(ChatTemplate, MissingTemplateOrConfig) {
  testing::TempDir dir;
  std::string message = sdk_error_text([&] { ChatTemplate::from_model_dir(dir.path()); }, NT_NOT_FOUND);
  EXPECT_NE(message.find(dir.path() + "/tokenizer_config.json: cannot open"), std::string::npos) << message;
  dir.write("tokenizer_config.json", R"({"bos_token": "<s>"})");
  message = sdk_error_text([&] { ChatTemplate::from_model_dir(dir.path()); }, NT_INVALID_ARGUMENT);
  EXPECT_NE(message.find("no \"chat_template\" key, and no " + dir.path() + "/chat_template.jinja"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("known formats"), std::string::npos) << message;
}

TEST(ChatTemplate, EmptyRoleIsAnError) {
  sdk_error_text([] { ChatTemplate::llama3().render({{"", "hi"}}); }, NT_INVALID_ARGUMENT);
}

TEST(ChatTemplate, RenderedMarkersEncodeAsSingleSpecialTokens) {
  std::vector<std::string> specials = {"<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>",
                                       "<|eot_id|>"};
  BpeTokenizer t =
      BpeTokenizer::from_json(train_bpe_tokenizer_json("some text to learn from", 300, specials), "t.json");
  std::vector<int32_t> ids = t.encode(ChatTemplate::llama3().render(kConversation));
  for (const std::string& s : specials) {
    int32_t id = *t.token_id(s);
    size_t expected = s == "<|begin_of_text|>" ? 1 : s == "<|eot_id|>" ? 2 : 3;
    EXPECT_EQ(static_cast<size_t>(std::count(ids.begin(), ids.end(), id)), expected) << s;
  }
}

// Phi-3: the published turn layout, with the template's own BOS when it opens with {{ bos_token }};
// a template that writes the assistant header after every user turn is another format: refused.
TEST(ChatTemplate, Phi3TurnsAndItsVariants) {
  const std::string turns =
      R"({% for message in messages %}{% if message['role'] == 'system' %}{{'<|system|>\n' + message['content'] + '<|end|>\n'}}{% elif message['role'] == 'user' %}{{'<|user|>\n' + message['content'] + '<|end|>\n'}}{% elif message['role'] == 'assistant' %}{{'<|assistant|>\n' + message['content'] + '<|end|>\n'}}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% else %}{{ eos_token }}{% endif %})";
  auto load = [](const std::string& source) {
    testing::TempDir dir;
    std::string escaped;
    for (char c : source) {
      if (c == '\\' || c == '"') escaped += '\\';
      escaped += c;
    }
    dir.write("tokenizer_config.json",
              R"({"bos_token": "<s>", "eos_token": "<|endoftext|>", "chat_template": ")" + escaped + "\"}");
    return ChatTemplate::from_model_dir(dir.path());
  };
  ChatTemplate phi3 = load(turns);
  EXPECT_EQ(phi3.format(), ChatTemplate::Format::Phi3);
  EXPECT_EQ(phi3.end_of_turn(), "<|end|>");
  EXPECT_EQ(phi3.render({{"system", "Be brief."}, {"user", "Hi"}}),
            "<|system|>\nBe brief.<|end|>\n<|user|>\nHi<|end|>\n<|assistant|>\n");
  EXPECT_EQ(phi3.render({{"user", "Hi"}, {"assistant", "Hello"}}, false),
            "<|user|>\nHi<|end|>\n<|assistant|>\nHello<|end|>\n<|endoftext|>");
  EXPECT_EQ(load("{{ bos_token }}" + turns).render({{"user", "Hi"}}), "<s><|user|>\nHi<|end|>\n<|assistant|>\n");
  const std::string header_after_user =
      R"({{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') %}{{'<|user|>' + '\n' + message['content'] + '<|end|>' + '\n' + '<|assistant|>' + '\n'}}{% elif (message['role'] == 'assistant') %}{{message['content'] + '<|end|>' + '\n'}}{% endif %}{% endfor %})";
  std::string message = sdk_error_text([&] { load(header_after_user); }, NT_INVALID_ARGUMENT);
  EXPECT_NE(message.find("not a format this SDK renders"), std::string::npos) << message;
}

}  // namespace
}  // namespace nineteen::text
