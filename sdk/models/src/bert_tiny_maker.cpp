// make_tiny_bert: WordPiece vocabulary from the built-in text, random weights, the side files.
#include "nineteen/models/bert_tiny_maker.hpp"

#include <filesystem>
#include <fstream>

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include "nineteen/models/bert_random_weights.hpp"
#include "nineteen/models/bert_wordpiece_vocab.hpp"
#include "nineteen/models/tiny_llama_maker.hpp"
#include "nineteen/sdk/error.hpp"
#include "nineteen/text/wordpiece_tokenizer.hpp"

namespace nineteen::models {

namespace fs = std::filesystem;
using sdk::Error;

namespace {

// Accented and non-Latin words, so a cased vocabulary has them and an uncased one learns their
// stripped forms.
const char* const kAccentedText = R"text(
The café on the corner serves crème brûlée and a naïve little rosé. Her résumé lists Zürich,
São Paulo, Kraków and Reykjavík. Señor Muñoz met Ms. Ångström in Besançon; they spoke français,
español and português. Ελληνικά γράμματα, русский язык, 中文 字符 and 日本語 appear too.
)text";

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw Error(NT_INVALID_ARGUMENT, "cannot write " + path.string());
}

std::string tokenizer_config_json(const TinyBertOptions& options) {
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buffer);
  w.SetIndent(' ', 2);
  w.StartObject();
  for (auto [key, value] : {std::pair<const char*, const char*>{"cls_token", "[CLS]"}, {"mask_token", "[MASK]"},
                            {"pad_token", "[PAD]"}, {"sep_token", "[SEP]"}, {"unk_token", "[UNK]"}}) {
    w.Key(key);
    w.String(value);
  }
  w.Key("do_lower_case");
  w.Bool(options.lowercase);
  w.Key("model_max_length");
  w.Int64(options.max_seq_length);
  w.Key("tokenize_chinese_chars");
  w.Bool(true);
  w.Key("tokenizer_class");
  w.String("BertTokenizer");
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

}  // namespace

std::string tiny_bert_corpus() { return std::string(tiny_llama_corpus()) + kAccentedText; }

void TinyBertOptions::validate() const {
  auto positive = [](const char* name, int64_t v) {
    if (v < 1) {
      throw Error(NT_INVALID_ARGUMENT, std::string("tiny-bert: --") + name + " must be >= 1, got " + std::to_string(v));
    }
  };
  positive("hidden", hidden);
  positive("layers", layers);
  positive("heads", heads);
  positive("intermediate", intermediate);
  positive("max-positions", max_position_embeddings);
  positive("max-seq-length", max_seq_length);
  if (hidden % heads != 0) {
    throw Error(NT_INVALID_ARGUMENT, "tiny-bert: --hidden " + std::to_string(hidden) + " must be a multiple of --heads " +
                                         std::to_string(heads));
  }
  if (max_seq_length > max_position_embeddings) {
    throw Error(NT_INVALID_ARGUMENT, "tiny-bert: --max-seq-length " + std::to_string(max_seq_length) +
                                         " exceeds --max-positions " + std::to_string(max_position_embeddings));
  }
  if (vocab < 256) {
    throw Error(NT_INVALID_ARGUMENT, "tiny-bert: --vocab must be at least 256 (the special tokens and the "
                                     "characters of the built-in text), got " + std::to_string(vocab));
  }
  if (dtype != DType::F32 && dtype != DType::BF16) {
    throw Error(NT_INVALID_ARGUMENT, std::string("tiny-bert: --dtype must be f32 or bf16, got ") + dtype_name(dtype));
  }
}

BertConfig make_tiny_bert(const std::string& out_dir, const TinyBertOptions& options) {
  options.validate();
  auto progress = [&](const std::string& line) {
    if (options.progress) options.progress(line);
  };
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) throw Error(NT_INVALID_ARGUMENT, "cannot create directory " + out_dir + ": " + ec.message());
  const fs::path dir(out_dir);

  text::WordPieceSettings settings;
  settings.normalization.lowercase = options.lowercase;
  const std::string corpus = tiny_bert_corpus();
  progress("tokenizer: learning up to " + std::to_string(options.vocab) + " WordPiece tokens from " +
           std::to_string(corpus.size()) + " bytes of text");
  std::vector<std::string> vocab = learn_wordpiece_vocab(corpus, static_cast<size_t>(options.vocab),
                                                         settings.normalization, settings.special_tokens,
                                                         settings.continuing_subword_prefix);
  text::WordPieceTokenizer tokenizer = text::WordPieceTokenizer::from_vocab(vocab, settings);
  write_file(dir / "tokenizer.json", tokenizer.to_json());
  std::string vocab_txt;
  for (const std::string& token : vocab) vocab_txt += token + "\n";
  write_file(dir / "vocab.txt", vocab_txt);
  write_file(dir / "tokenizer_config.json", tokenizer_config_json(options));

  BertConfig c;
  c.vocab_size = static_cast<int64_t>(vocab.size());
  c.hidden_size = options.hidden;
  c.num_hidden_layers = options.layers;
  c.num_attention_heads = options.heads;
  c.intermediate_size = options.intermediate;
  c.max_position_embeddings = options.max_position_embeddings;
  c.type_vocab_size = 2;
  c.layer_norm_eps = 1e-12;
  c.pad_token_id = tokenizer.pad_id();

  RandomBertOptions weights;
  // Variants are far apart in the generator's seed space; 0xBE27 marks the family.
  weights.seed = 0xBE27u + options.variant * 0x9E3779B97F4A7C15ull;
  weights.dtype = options.dtype;
  progress("weights: " + std::to_string(c.parameter_count()) + " parameters, variant " +
           std::to_string(options.variant) + ", " + dtype_name(options.dtype));
  write_random_bert(out_dir, c, weights);

  SentenceEmbeddingLayout layout;
  layout.pooling = options.pooling;
  layout.normalize = options.normalize;
  layout.max_seq_length = options.max_seq_length;
  layout.write(out_dir, c.hidden_size);
  progress("wrote " + out_dir + ": config.json, model.safetensors, tokenizer.json, vocab.txt, "
           "tokenizer_config.json, modules.json, 1_Pooling/config.json, sentence_bert_config.json");
  return c;
}

}  // namespace nineteen::models
