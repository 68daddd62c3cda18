// Test support: writes a SentencePiece-style tokenizer folder (tokenizer.json, tokenizer_config.json)
// learnt from the tiny-llama corpus, for tests of Llama 2 / Mistral / Phi-3 style tokenizers.
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "nineteen/models/tiny_llama_maker.hpp"

namespace nineteen::testing_support {

// A SentencePiece-style tokenizer.json (as Llama 2, Mistral and Phi-3 ship): BPE over characters
// with "▁" for spaces, <0x00>..<0xFF> byte-fallback tokens, merges learnt here from the tiny-llama
// corpus (most frequent pair first). `metaspace`: Mistral v0.3's form (a Metaspace pre-tokenizer,
// prepend_scheme "first", and a Metaspace/ByteFallback/Fuse decoder); else Llama 2's / Phi-3's
// (Prepend + Replace normalizers, a Replace/ByteFallback/Fuse/Strip decoder).
inline void write_sentencepiece_style(const std::string& dir, bool metaspace) {
  const std::string space = "\xE2\x96\x81";
  auto characters = [](const std::string& word) {
    std::vector<std::string> out;
    for (size_t at = 0; at < word.size();) {
      const unsigned char c = static_cast<unsigned char>(word[at]);
      size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
      n = std::min(n, word.size() - at);
      out.push_back(word.substr(at, n));
      at += n;
    }
    return out;
  };
  std::map<std::string, int> word_counts;
  const std::string corpus(models::tiny_llama_corpus());
  std::string word;
  for (char c : corpus + "\n") {
    if (c == ' ' || c == '\n') {
      if (!word.empty()) ++word_counts[space + word];
      word.clear();
    } else {
      word += c;
    }
  }
  std::vector<std::string> vocab = {"<unk>", "<s>", "</s>"};
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", b);
    vocab.push_back(name);
  }
  std::map<std::string, int> char_counts;
  std::vector<std::pair<std::vector<std::string>, int>> words;
  for (const auto& [w, count] : word_counts) {
    words.push_back({characters(w), count});
    for (const std::string& ch : words.back().first) char_counts[ch] += count;
  }
  // Characters seen once stay out of the vocabulary: they take the byte fallback.
  for (const auto& [ch, count] : char_counts) {
    if (count > 1) vocab.push_back(ch);
  }
  std::vector<std::string> merges;
  for (int round = 0; round < 400; ++round) {
    std::map<std::pair<std::string, std::string>, int> pairs;
    for (const auto& [symbols, count] : words) {
      for (size_t i = 0; i + 1 < symbols.size(); ++i) pairs[{symbols[i], symbols[i + 1]}] += count;
    }
    std::pair<std::string, std::string> best;
    int best_count = 1;
    for (const auto& [pair, count] : pairs) {
      const bool known = std::find(vocab.begin(), vocab.end(), pair.first) != vocab.end() &&
                         std::find(vocab.begin(), vocab.end(), pair.second) != vocab.end();
      if (known && count > best_count) best = pair, best_count = count;
    }
    if (best_count <= 1) break;
    merges.push_back(best.first + " " + best.second);
    vocab.push_back(best.first + best.second);
    for (auto& [symbols, count] : words) {
      std::vector<std::string> merged;
      for (size_t i = 0; i < symbols.size(); ++i) {
        if (i + 1 < symbols.size() && symbols[i] == best.first && symbols[i + 1] == best.second) {
          merged.push_back(best.first + best.second);
          ++i;
        } else {
          merged.push_back(symbols[i]);
        }
      }
      symbols = std::move(merged);
    }
  }
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("version");
  w.String("1.0");
  w.Key("added_tokens");
  w.StartArray();
  for (int id = 0; id < 3; ++id) {
    w.StartObject();
    w.Key("id");
    w.Int(id);
    w.Key("content");
    w.String(vocab[id].c_str());
    for (const char* flag : {"single_word", "lstrip", "rstrip", "normalized"}) {
      w.Key(flag);
      w.Bool(false);
    }
    w.Key("special");
    w.Bool(true);
    w.EndObject();
  }
  w.EndArray();
  auto metaspace_object = [&] {
    w.StartObject();
    w.Key("type");
    w.String("Metaspace");
    w.Key("replacement");
    w.String(space.c_str());
    w.Key("prepend_scheme");
    w.String("first");
    w.Key("split");
    w.Bool(false);
    w.EndObject();
  };
  w.Key("normalizer");
  if (metaspace) {
    w.Null();
  } else {
    w.StartObject();
    w.Key("type");
    w.String("Sequence");
    w.Key("normalizers");
    w.StartArray();
    w.StartObject();
    w.Key("type");
    w.String("Prepend");
    w.Key("prepend");
    w.String(space.c_str());
    w.EndObject();
    w.StartObject();
    w.Key("type");
    w.String("Replace");
    w.Key("pattern");
    w.StartObject();
    w.Key("String");
    w.String(" ");
    w.EndObject();
    w.Key("content");
    w.String(space.c_str());
    w.EndObject();
    w.EndArray();
    w.EndObject();
  }
  w.Key("pre_tokenizer");
  if (metaspace) metaspace_object();
  else w.Null();
  w.Key("post_processor");
  w.Null();
  w.Key("decoder");
  if (metaspace) {
    w.StartObject();
    w.Key("type");
    w.String("Sequence");
    w.Key("decoders");
    w.StartArray();
    metaspace_object();
    for (const char* type : {"ByteFallback", "Fuse"}) {
      w.StartObject();
      w.Key("type");
      w.String(type);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  } else {
    w.StartObject();
    w.Key("type");
    w.String("Sequence");
    w.Key("decoders");
    w.StartArray();
    w.StartObject();
    w.Key("type");
    w.String("Replace");
    w.Key("pattern");
    w.StartObject();
    w.Key("String");
    w.String(space.c_str());
    w.EndObject();
    w.Key("content");
    w.String(" ");
    w.EndObject();
    for (const char* type : {"ByteFallback", "Fuse"}) {
      w.StartObject();
      w.Key("type");
      w.String(type);
      w.EndObject();
    }
    w.StartObject();
    w.Key("type");
    w.String("Strip");
    w.Key("content");
    w.String(" ");
    w.Key("start");
    w.Int(1);
    w.Key("stop");
    w.Int(0);
    w.EndObject();
    w.EndArray();
    w.EndObject();
  }
  w.Key("model");
  w.StartObject();
  w.Key("type");
  w.String("BPE");
  w.Key("dropout");
  w.Null();
  w.Key("unk_token");
  w.String("<unk>");
  w.Key("continuing_subword_prefix");
  w.Null();
  w.Key("end_of_word_suffix");
  w.Null();
  w.Key("fuse_unk");
  w.Bool(true);
  w.Key("byte_fallback");
  w.Bool(true);
  w.Key("ignore_merges");
  w.Bool(false);
  w.Key("vocab");
  w.StartObject();
  for (size_t id = 0; id < vocab.size(); ++id) {
    w.Key(vocab[id].c_str());
    w.Int(static_cast<int>(id));
  }
  w.EndObject();
  w.Key("merges");
  w.StartArray();
  for (const std::string& m : merges) w.String(m.c_str());
  w.EndArray();
  w.EndObject();
  w.EndObject();
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/tokenizer.json", std::ios::binary) << buffer.GetString();
  std::ofstream(dir + "/tokenizer_config.json", std::ios::binary)
      << R"({"tokenizer_class": "PreTrainedTokenizerFast", "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"})";
}

}  // namespace nineteen::testing_support
