// Our tokenizers and chat templates against Hugging Face's own JavaScript implementations, run by
// node from this folder (node_modules installed by tools/bootstrap.sh):
//   - @huggingface/transformers' AutoTokenizer (remote models off) on the project's BPE and
//     WordPiece tokenizer folders, over corpus.json (accents, CJK, emoji, digits, contractions,
//     CR/LF, tabs, runs of spaces, special-token text, very long words, empty text): the same ids,
//     and for BPE the same decoded text;
//   - @huggingface/jinja rendering each family's chat template (templates/*.jinja) for several
//     message lists: the same text as text::ChatTemplate::render.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <map>

#include "nineteen/devnet/child_process.hpp"
#include "nineteen/models/bert_tiny_maker.hpp"
#include "nineteen/models/diffusion_clip_tokenizer.hpp"
#include "nineteen/models/diffusion_tiny_maker.hpp"
#include "nineteen/models/model_inspection.hpp"
#include "nineteen/models/tiny_llama_maker.hpp"
#include "nineteen/text/bpe_tokenizer.hpp"
#include "nineteen/text/chat_template.hpp"
#include "nineteen/text/special_token_frame.hpp"
#include "nineteen/text/wordpiece_tokenizer.hpp"
#include "scratch_dir.hpp"
#include "sentencepiece_style_tokenizer.hpp"

namespace nineteen {
namespace {

namespace fs = std::filesystem;
using models::testing_support::ScratchDir;
using testing_support::write_sentencepiece_style;

const std::string kFolder = NINETEEN_HF_JS_DIR;

bool on_path(const std::string& program) {
  return std::system(("command -v " + program + " >/dev/null 2>&1").c_str()) == 0;
}

// Why the check cannot run here ("" when it can).
std::string why_skipped() {
  if (!on_path("node")) return "node is not installed (tools/bootstrap.sh installs it): Hugging Face JS check skipped";
  for (const char* package : {"@huggingface/transformers", "@huggingface/jinja"}) {
    if (!fs::exists(kFolder + "/node_modules/" + package + "/package.json")) {
      return std::string(package) + " is not installed in " + kFolder +
             " (run tools/bootstrap.sh, or npm ci there): Hugging Face JS check skipped";
    }
  }
  return "";
}

std::string quoted(const std::string& s) { return "'" + s + "'"; }

// Runs a node script of this folder; returns its exit code and stdout (stderr goes to the log).
std::pair<int, std::string> run_node(const std::string& script, const std::string& arguments) {
  return devnet::ChildProcess::run_shell("node " + quoted(kFolder + "/" + script) + " " + arguments);
}

std::map<std::string, rapidjson::Document> json_lines(const std::string& out, const char* key) {
  std::map<std::string, rapidjson::Document> by_key;
  size_t begin = 0;
  while (begin < out.size()) {
    size_t end = out.find('\n', begin);
    if (end == std::string::npos) end = out.size();
    rapidjson::Document d;
    d.Parse(out.data() + begin, end - begin);
    if (!d.HasParseError() && d.IsObject() && d.HasMember(key)) by_key[d[key].GetString()] = std::move(d);
    begin = end + 1;
  }
  return by_key;
}

std::vector<std::string> corpus() {
  std::ifstream in(kFolder + "/corpus.json", std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  std::vector<std::string> texts;
  for (const auto& t : d["texts"].GetArray()) texts.emplace_back(t.GetString(), t.GetStringLength());
  return texts;
}

// Writes {"texts": [...]}, the corpus form tokenize.mjs reads.
void write_texts(const std::string& path, const std::vector<std::string>& texts) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("texts");
  w.StartArray();
  for (const std::string& t : texts) w.String(t.c_str(), static_cast<rapidjson::SizeType>(t.size()));
  w.EndArray();
  w.EndObject();
  std::ofstream(path, std::ios::binary) << buffer.GetString();
}

std::vector<int32_t> ids_of(const rapidjson::Value& row) {
  std::vector<int32_t> ids;
  for (const auto& v : row.GetArray()) ids.push_back(v.GetInt());
  return ids;
}

std::string printable(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c == 0x7f) out += "\\x" + std::string(1, "0123456789abcdef"[c >> 4]) + "0123456789abcdef"[c & 15];
    else out += static_cast<char>(c);
  }
  return out;
}

TEST(HuggingFaceJs, TokenizersAgreeOnTheCorpus) {
  if (std::string why = why_skipped(); !why.empty()) GTEST_SKIP() << why;
  ScratchDir root;
  models::TinyLlamaOptions llama;
  models::make_tiny_llama(root.file("bpe"), llama);
  models::TinyBertOptions uncased;
  models::make_tiny_bert(root.file("wordpiece-uncased"), uncased);
  models::TinyBertOptions cased;
  cased.lowercase = false;
  cased.variant = 1;
  models::make_tiny_bert(root.file("wordpiece-cased"), cased);

  // Qwen2's tokenizer.json differs from Llama 3's in its NFC normalizer and single-digit numbers.
  {
    std::ifstream in(root.file("bpe/tokenizer.json"), std::ios::binary);
    std::string json((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    rapidjson::Document d;
    d.Parse(json.c_str(), json.size());
    rapidjson::Value normalizer(rapidjson::kObjectType);
    normalizer.AddMember("type", "NFC", d.GetAllocator());
    d["normalizer"] = normalizer;
    d["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"].SetString(
        R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)",
        d.GetAllocator());
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    d.Accept(w);
    fs::create_directories(root.file("bpe-nfc"));
    std::ofstream(root.file("bpe-nfc/tokenizer.json"), std::ios::binary) << buffer.GetString();
    fs::copy_file(root.file("bpe/tokenizer_config.json"), root.file("bpe-nfc/tokenizer_config.json"));
  }

  auto [rc, out] = run_node("tokenize.mjs", quoted(root.path()) + " " + quoted(kFolder + "/corpus.json") +
                                                " bpe:bpe bpe-nfc:bpe wordpiece-uncased:wordpiece wordpiece-cased:wordpiece");
  ASSERT_EQ(rc, 0) << out;
  auto results = json_lines(out, "model");
  ASSERT_EQ(results.size(), 4u) << out;
  const std::vector<std::string> texts = corpus();
  ASSERT_GE(texts.size(), 20u);

  std::vector<std::vector<int32_t>> plain_ids;
  for (const char* name : {"bpe", "bpe-nfc"}) {
    text::BpeTokenizer bpe = text::BpeTokenizer::from_file(root.file(std::string(name) + "/tokenizer.json"));
    const rapidjson::Document& js_bpe = results[name];
    size_t tokens = 0, differing = 0;
    for (size_t i = 0; i < texts.size(); ++i) {
      std::vector<int32_t> ours = bpe.encode(texts[i]);
      EXPECT_EQ(ours, ids_of(js_bpe["ids"][i])) << name << ", text " << i << ": \"" << printable(texts[i]) << "\"";
      const rapidjson::Value& decoded = js_bpe["decoded"][i];
      EXPECT_EQ(bpe.decode(ours), std::string(decoded.GetString(), decoded.GetStringLength()))
          << name << " decode, text " << i;
      tokens += ours.size();
      if (plain_ids.size() < texts.size()) plain_ids.push_back(ours);
      else differing += ours != plain_ids[i];
    }
    EXPECT_GT(tokens, 500u);
    // The NFC tokenizer composes the combining accents of the corpus (Cafe + U+0301 -> Café).
    if (std::string(name) == "bpe-nfc") EXPECT_GE(differing, 1u);
  }

  for (const char* name : {"wordpiece-uncased", "wordpiece-cased"}) {
    text::WordPieceTokenizer wordpiece = text::WordPieceTokenizer::from_file(root.file(std::string(name) + "/tokenizer.json"));
    const rapidjson::Document& js = results[name];
    size_t known = 0;
    for (size_t i = 0; i < texts.size(); ++i) {
      std::vector<int32_t> ours = wordpiece.encode(texts[i]);
      EXPECT_EQ(ours, ids_of(js["ids"][i])) << name << ", text " << i << ": \"" << printable(texts[i]) << "\"";
      for (int32_t id : ours) known += id != wordpiece.unk_id();
    }
    EXPECT_GT(known, 200u) << name << ": a corpus of mostly [UNK] would agree trivially";
  }
}


// What a completions prompt gets around its text (SpecialTokenFrame): the same ids as
// @huggingface/transformers' tokenizer(text) with its special tokens, for each post-processor form
// a PreTrainedTokenizerFast folder can have: Llama 3's (ByteLevel + TemplateProcessing with BOS),
// Qwen2's (ByteLevel alone: nothing), none (null), and RoBERTa's (cls … sep). (transformers.js does
// not rebuild LlamaTokenizerFast's post-processor from add_bos_token as Python transformers does,
// so that rule is covered by SpecialTokenFrame.* in text_tests, not here.)
TEST(HuggingFaceJs, CompletionPromptsGetTheSpecialTokensTransformersAdds) {
  if (std::string why = why_skipped(); !why.empty()) GTEST_SKIP() << why;
  ScratchDir root;
  models::TinyLlamaOptions llama;
  models::make_tiny_llama(root.file("llama3"), llama);
  auto variant = [&](const std::string& name, const char* post_processor_json) {
    std::ifstream in(root.file("llama3/tokenizer.json"), std::ios::binary);
    std::string json((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    rapidjson::Document d;
    d.Parse(json.c_str(), json.size());
    rapidjson::Document post(&d.GetAllocator());
    post.Parse(post_processor_json);
    d["post_processor"].CopyFrom(post, d.GetAllocator());
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    d.Accept(w);
    fs::create_directories(root.file(name));
    std::ofstream(root.file(name + "/tokenizer.json"), std::ios::binary) << buffer.GetString();
    fs::copy_file(root.file("llama3/tokenizer_config.json"), root.file(name + "/tokenizer_config.json"));
  };
  variant("qwen2", R"({"type":"ByteLevel","add_prefix_space":false,"trim_offsets":false,"use_regex":false})");
  variant("none", "null");
  {
    text::BpeTokenizer llama3 = text::BpeTokenizer::from_file(root.file("llama3/tokenizer.json"));
    const std::string roberta = R"({"type":"RobertaProcessing","sep":["<|end_of_text|>",)" +
                                std::to_string(llama3.token_id("<|end_of_text|>").value_or(-1)) +
                                R"(],"cls":["<|begin_of_text|>",)" +
                                std::to_string(llama3.token_id("<|begin_of_text|>").value_or(-1)) +
                                R"(],"trim_offsets":true,"add_prefix_space":false})";
    variant("roberta", roberta.c_str());
  }
  const std::vector<std::string> names = {"llama3", "qwen2", "none", "roberta"};
  std::string arguments = quoted(root.path()) + " " + quoted(kFolder + "/corpus.json");
  for (const std::string& n : names) arguments += " " + n + ":bpe+special";
  auto [rc, out] = run_node("tokenize.mjs", arguments);
  ASSERT_EQ(rc, 0) << out;
  auto results = json_lines(out, "model");
  ASSERT_EQ(results.size(), names.size()) << out;
  const std::vector<std::string> texts = corpus();
  std::map<std::string, size_t> added;
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    text::BpeTokenizer tokenizer = text::BpeTokenizer::from_file(root.file(name + "/tokenizer.json"));
    const text::SpecialTokenFrame frame = text::SpecialTokenFrame::from_model_dir(root.file(name), tokenizer);
    added[name] = frame.prefix.size() + frame.suffix.size();
    for (size_t i = 0; i < texts.size(); ++i) {
      EXPECT_EQ(frame.frame(tokenizer.encode(texts[i])), ids_of(results[name]["ids"][i]))
          << "text " << i << ": \"" << printable(texts[i]) << "\" (" << frame.rule << ")";
    }
  }
  // Not a trivial agreement: the forms add different tokens.
  EXPECT_EQ(added["llama3"], 1u);
  EXPECT_EQ(added["qwen2"], 0u);
  EXPECT_EQ(added["none"], 0u);
  EXPECT_EQ(added["roberta"], 2u);
}

// Llama 2 / Phi-3 and Mistral v0.3 style tokenizer.json files (made above, nothing downloaded): the
// same ids as @huggingface/transformers on the corpus and on strings that stress the "▁" handling
// (leading, repeated and trailing spaces, text around <s> and </s>, "▁" typed by the user, bytes
// outside the vocabulary), and the same decoded text.
TEST(HuggingFaceJs, SentencePieceStyleTokenizersAgree) {
  if (std::string why = why_skipped(); !why.empty()) GTEST_SKIP() << why;
  ScratchDir root;
  write_sentencepiece_style(root.file("sp-legacy"), false);
  write_sentencepiece_style(root.file("sp-metaspace"), true);
  std::vector<std::string> texts = corpus();
  for (const char* extra : {"<s>Hello</s> world", "Hello<s>", " <s> spaced </s> ", "<s>", "a</s>b</s>",
                            "\xE2\x96\x81" "already\xE2\x96\x81" "spelt", "  two leading", "x  ", "\xF0\x9F\xA6\x80 crab",
                            "the the the", "\xC3\xA9t\xC3\xA9 \xE4\xB8\xAD", "tab\tnew\nline\r\n"}) {
    texts.push_back(extra);
  }
  write_texts(root.file("texts.json"), texts);
  auto [rc, out] = run_node("tokenize.mjs", quoted(root.path()) + " " + quoted(root.file("texts.json")) +
                                                " sp-legacy:bpe sp-metaspace:bpe");
  ASSERT_EQ(rc, 0) << out;
  auto results = json_lines(out, "model");
  ASSERT_EQ(results.size(), 2u) << out;
  for (const char* name : {"sp-legacy", "sp-metaspace"}) {
    SCOPED_TRACE(name);
    text::BpeTokenizer sp = text::BpeTokenizer::from_file(root.file(std::string(name) + "/tokenizer.json"));
    EXPECT_TRUE(sp.sentencepiece_style());
    const rapidjson::Document& js = results[name];
    size_t tokens = 0, fallback = 0, merged = 0;
    for (size_t i = 0; i < texts.size(); ++i) {
      std::vector<int32_t> ours = sp.encode(texts[i]);
      EXPECT_EQ(ours, ids_of(js["ids"][i])) << "text " << i << ": \"" << printable(texts[i]) << "\"";
      const rapidjson::Value& decoded = js["decoded"][i];
      EXPECT_EQ(printable(sp.decode(ours)), printable(std::string(decoded.GetString(), decoded.GetStringLength())))
          << "decode, text " << i << ": \"" << printable(texts[i]) << "\"";
      tokens += ours.size();
      for (int32_t id : ours) {
        fallback += id >= 3 && id < 259;
        merged += sp.token_string(id).size() > 4;
      }
    }
    // Not a trivial agreement: real merges, and characters outside the vocabulary as bytes.
    EXPECT_GT(tokens, 500u);
    EXPECT_GT(fallback, 20u);
    EXPECT_GT(merged, 50u);
  }
}

// The CLIP tokenizer of the diffusion task (tokenizer/vocab.json + merges.txt, as Stable Diffusion
// ships it) against transformers.js reading the same vocabulary and merges as a tokenizer.json
// shaped like openai/clip-vit-large-patch14's (NFC, \s+ → " ", Lowercase; CLIP's Split pattern;
// ByteLevel without its regex; BPE with end_of_word_suffix "</w>"), texts that spell a special
// token included (both give the token).
TEST(HuggingFaceJs, ClipTokenizerAgreesOnTheCorpus) {
  if (std::string why = why_skipped(); !why.empty()) GTEST_SKIP() << why;
  ScratchDir root;
  models::TinyDiffusionOptions options;
  models::make_tiny_diffusion(root.file("sd"), options);
  const std::string folder = root.file("sd/tokenizer");
  models::ClipTokenizer ours = models::ClipTokenizer::from_dir(folder);

  rapidjson::Document vocab;
  {
    std::ifstream in(folder + "/vocab.json", std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    vocab.Parse(text.c_str(), text.size());
  }
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  const std::string json_head = R"({"version": "1.0", "truncation": null, "padding": null, "added_tokens": [)"
      R"({"id": 1022, "content": "<|startoftext|>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": true, "special": true},)"
      R"({"id": 1023, "content": "<|endoftext|>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": true, "special": true}],)"
      R"("normalizer": {"type": "Sequence", "normalizers": [{"type": "NFC"}, {"type": "Replace", "pattern": {"Regex": "\\s+"}, "content": " "}, {"type": "Lowercase"}]},)"
      R"("pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+"}, "behavior": "Removed", "invert": true},)"
      R"({"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}]},)"
      R"("post_processor": {"type": "RobertaProcessing", "sep": ["<|endoftext|>", 1023], "cls": ["<|startoftext|>", 1022], "trim_offsets": false, "add_prefix_space": false},)"
      R"("decoder": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},)"
      R"("model": {"type": "BPE", "dropout": null, "unk_token": "<|endoftext|>", "continuing_subword_prefix": "", "end_of_word_suffix": "</w>", "fuse_unk": false, "byte_fallback": false}})";
  d.Parse(json_head.c_str(), json_head.size());
  ASSERT_FALSE(d.HasParseError());
  rapidjson::Value v(rapidjson::kObjectType), merges(rapidjson::kArrayType);
  v.CopyFrom(vocab, a);
  {
    std::ifstream in(folder + "/merges.txt", std::ios::binary);
    std::string line;
    std::getline(in, line);  // #version
    while (std::getline(in, line)) {
      if (!line.empty()) merges.PushBack(rapidjson::Value(line.c_str(), rapidjson::SizeType(line.size()), a), a);
    }
  }
  ASSERT_EQ(merges.Size(), ours.merge_count());
  d["model"].AddMember("vocab", v, a);
  d["model"].AddMember("merges", merges, a);
  fs::create_directories(root.file("clip"));
  {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    d.Accept(w);
    std::ofstream(root.file("clip/tokenizer.json"), std::ios::binary) << buffer.GetString();
    std::ofstream(root.file("clip/tokenizer_config.json"), std::ios::binary)
        << R"({"tokenizer_class": "CLIPTokenizer", "bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>", )"
           R"("pad_token": "<|endoftext|>", "unk_token": "<|endoftext|>", "model_max_length": 77, "do_lower_case": true})";
  }

  std::vector<std::string> texts = corpus();
  for (const char* extra : {"a photo<|endoftext|>of a cat", "<|startoftext|>", "<|STARTOFTEXT|> Loud",
                            "x <|endoftext|><|endoftext|> y", "<|endof text|>"}) {
    texts.push_back(extra);
  }
  write_texts(root.file("clip-texts.json"), texts);
  auto [rc, out] = run_node("tokenize.mjs", quoted(root.path()) + " " + quoted(root.file("clip-texts.json")) + " clip:bpe");
  ASSERT_EQ(rc, 0) << out;
  auto results = json_lines(out, "model");
  ASSERT_EQ(results.size(), 1u) << out;
  size_t compared = 0, tokens = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    const std::vector<int32_t> mine = ours.encode(texts[i]);
    EXPECT_EQ(mine, ids_of(results["clip"]["ids"][i])) << "text " << i << ": \"" << printable(texts[i]) << "\"";
    ++compared;
    tokens += mine.size();
  }
  EXPECT_GE(compared, 20u);
  EXPECT_GT(tokens, 500u);
}

// A Mistral folder whose tokenizer.json is SentencePiece-style (as every real Mistral, Llama 2 and
// Phi-3 folder has) is servable: `nineteen-models inspect` reads it. Needs no node.
TEST(SentencePieceStyle, MistralAndPhi3FoldersAreServable) {
  for (const char* family : {"mistral", "phi3"}) {
    SCOPED_TRACE(family);
    ScratchDir root;
    models::TinyLlamaOptions options;
    options.family = family;
    options.vocab = 1024;  // room for the SentencePiece-style vocabulary's ids
    const std::string dir = root.file("model");
    models::make_tiny_llama(dir, options);
    write_sentencepiece_style(root.file("sp"), std::string(family) == "mistral");
    fs::copy_file(root.file("sp/tokenizer.json"), dir + "/tokenizer.json", fs::copy_options::overwrite_existing);
    const models::ModelInspection r = models::inspect_model_dir(dir);
    EXPECT_TRUE(r.servable()) << r.text();
    EXPECT_NE(r.text().find("SentencePiece-style BPE"), std::string::npos) << r.text();
    // The tokenizer round-trips text through it.
    text::BpeTokenizer t = text::BpeTokenizer::from_file(dir + "/tokenizer.json");
    EXPECT_EQ(t.decode(t.encode("The quick brown fox, \xF0\x9F\xA6\x80 and caf\xC3\xA9.")),
              "The quick brown fox, \xF0\x9F\xA6\x80 and caf\xC3\xA9.");
  }
}

struct TemplateCase {
  const char* file;
  const char* bos;  // nullptr: "bos_token": null, as Qwen has
  const char* eos;
};

std::vector<std::pair<std::vector<text::ChatMessage>, bool>> chat_cases() {
  std::ifstream in(kFolder + "/chat_cases.json", std::ios::binary);
  std::string json((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  rapidjson::Document d;
  d.Parse(json.c_str(), json.size());
  std::vector<std::pair<std::vector<text::ChatMessage>, bool>> cases;
  for (const auto& c : d["cases"].GetArray()) {
    std::vector<text::ChatMessage> messages;
    for (const auto& m : c["messages"].GetArray()) {
      messages.push_back({m["role"].GetString(), std::string(m["content"].GetString(), m["content"].GetStringLength())});
    }
    cases.emplace_back(std::move(messages), c["add_generation_prompt"].GetBool());
  }
  return cases;
}

std::string json_string(const std::string& s) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
  return buffer.GetString();
}

// The chat templates of templates/ (Llama 3.0 and 3.1, Qwen2.5, Mistral v0.1 and v0.3 with its tool
// branches, Phi-3-mini and Phi-3.5-mini) as published in their tokenizer_config.json files;
// templates/README.md says where each copy was checked. No template is downloaded.
TEST(HuggingFaceJs, ChatTemplatesRenderAsJinjaDoes) {
  if (std::string why = why_skipped(); !why.empty()) GTEST_SKIP() << why;
  const auto cases = chat_cases();
  ASSERT_GE(cases.size(), 10u);
  const TemplateCase templates[] = {
      {"llama-3.0.jinja", "<|begin_of_text|>", "<|eot_id|>"}, {"llama-3.1.jinja", "<|begin_of_text|>", "<|eot_id|>"},
      {"qwen2.5.jinja", nullptr, "<|im_end|>"},               {"mistral-v0.1.jinja", "<s>", "</s>"},
      {"mistral-v0.3.jinja", "<s>", "</s>"},                  {"phi-3-mini.jinja", "<s>", "<|endoftext|>"},
      {"phi-3.5-mini.jinja", "<s>", "<|endoftext|>"}};
  for (const TemplateCase& t : templates) {
    SCOPED_TRACE(t.file);
    ScratchDir dir;
    const std::string template_path = kFolder + "/templates/" + t.file;
    std::ifstream in(template_path, std::ios::binary);
    const std::string source((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(dir.file("tokenizer_config.json"))
        << "{\"chat_template\": " << json_string(source) << ", \"bos_token\": " << (t.bos ? json_string(t.bos) : "null")
        << ", \"eos_token\": " << json_string(t.eos) << "}";
    text::ChatTemplate ours = text::ChatTemplate::from_model_dir(dir.path());

    auto [rc, out] = run_node("render.mjs", quoted(template_path) + " " + quoted(kFolder + "/chat_cases.json") + " " +
                                                quoted(t.bos ? t.bos : "") + " " + quoted(t.eos));
    ASSERT_EQ(rc, 0) << out;
    std::map<size_t, rapidjson::Document> js;
    size_t begin = 0;
    while (begin < out.size()) {
      size_t end = out.find('\n', begin);
      if (end == std::string::npos) end = out.size();
      rapidjson::Document d;
      d.Parse(out.data() + begin, end - begin);
      if (!d.HasParseError() && d.IsObject() && d.HasMember("index")) js[d["index"].GetUint()] = std::move(d);
      begin = end + 1;
    }
    ASSERT_EQ(js.size(), cases.size()) << out;
    size_t rendered = 0;
    for (size_t i = 0; i < cases.size(); ++i) {
      std::string text, error;
      try {
        text = ours.render(cases[i].first, cases[i].second);
      } catch (const std::exception& e) {
        error = e.what();
      }
      const rapidjson::Document& expected = js[i];
      if (expected.HasMember("error")) {
        EXPECT_FALSE(error.empty()) << "case " << i << ": jinja raised \"" << expected["error"].GetString()
                                    << "\" but we rendered \"" << printable(text) << "\"";
        continue;
      }
      ASSERT_TRUE(expected.HasMember("text")) << out;
      const std::string want(expected["text"].GetString(), expected["text"].GetStringLength());
      EXPECT_TRUE(error.empty()) << "case " << i << ": we refused (" << error << ") what jinja renders";
      EXPECT_EQ(printable(text), printable(want)) << "case " << i;
      rendered += error.empty() && text == want;
    }
    EXPECT_GE(rendered, 6u) << "most cases render in every family";
  }
}

std::string compact_json(const rapidjson::Value& v) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  v.Accept(w);
  return std::string(buffer.GetString(), buffer.GetSize());
}

// Qwen2.5's tool branches: tools offered (with and without a system message), assistant turns that
// call one or two tools (with and without content), runs of tool results, results with no tools
// offered, unicode, quotes, backslashes, tabs, CR/LF and nested arguments in the JSON `tojson` writes.
TEST(HuggingFaceJs, QwenToolsRenderAsJinjaDoes) {
  if (std::string why = why_skipped(); !why.empty()) GTEST_SKIP() << why;
  std::ifstream cases_in(kFolder + "/tool_cases.json", std::ios::binary);
  const std::string cases_json((std::istreambuf_iterator<char>(cases_in)), std::istreambuf_iterator<char>());
  rapidjson::Document cases;
  cases.Parse(cases_json.c_str(), cases_json.size());
  ASSERT_FALSE(cases.HasParseError());
  ASSERT_GE(cases["cases"].Size(), 8u);

  ScratchDir dir;
  const std::string template_path = kFolder + "/templates/qwen2.5.jinja";
  std::ifstream in(template_path, std::ios::binary);
  const std::string source((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::ofstream(dir.file("tokenizer_config.json"))
      << "{\"chat_template\": " << json_string(source) << ", \"bos_token\": null, \"eos_token\": \"<|im_end|>\"}";
  text::ChatTemplate ours = text::ChatTemplate::from_model_dir(dir.path());
  ASSERT_TRUE(ours.renders_tools());

  auto [rc, out] = run_node("render.mjs", quoted(template_path) + " " + quoted(kFolder + "/tool_cases.json") + " '' " +
                                              quoted("<|im_end|>"));
  ASSERT_EQ(rc, 0) << out;
  std::map<size_t, rapidjson::Document> js;
  size_t begin = 0;
  while (begin < out.size()) {
    size_t end = out.find('\n', begin);
    if (end == std::string::npos) end = out.size();
    rapidjson::Document d;
    d.Parse(out.data() + begin, end - begin);
    if (!d.HasParseError() && d.IsObject() && d.HasMember("index")) js[d["index"].GetUint()] = std::move(d);
    begin = end + 1;
  }
  const auto& list = cases["cases"];
  ASSERT_EQ(js.size(), list.Size()) << out;
  for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
    const auto& c = list[i];
    std::vector<std::string> tools;
    if (c.HasMember("tools")) {
      for (const auto& t : c["tools"].GetArray()) tools.push_back(compact_json(t));
    }
    std::vector<text::ChatMessage> messages;
    for (const auto& m : c["messages"].GetArray()) {
      text::ChatMessage message{m["role"].GetString(), m["content"].GetString(), {}};
      if (m.HasMember("tool_calls")) {
        for (const auto& call : m["tool_calls"].GetArray()) {
          message.tool_calls.push_back({call["function"]["name"].GetString(), compact_json(call["function"]["arguments"])});
        }
      }
      messages.push_back(std::move(message));
    }
    ASSERT_TRUE(js[i].HasMember("text")) << "case " << i << ": " << out;
    const std::string want(js[i]["text"].GetString(), js[i]["text"].GetStringLength());
    EXPECT_EQ(printable(ours.render_with_tools(messages, tools, c["add_generation_prompt"].GetBool())), printable(want))
        << "case " << i;
  }
}

}  // namespace
}  // namespace nineteen
