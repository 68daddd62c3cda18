// Byte-level BPE training: count adjacent pairs over pre-tokenized words, merge the most frequent,
// update only the words that contain it. Writes the result as a Hugging Face tokenizer.json.
#include "nineteen/text/bpe_trainer.hpp"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <algorithm>
#include <deque>
#include <map>
#include <queue>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "added_token_matcher.hpp"
#include "bpe_merger.hpp"
#include "byte_level_alphabet.hpp"
#include "nineteen/sdk/error.hpp"
#include "pre_tokenizer.hpp"

namespace nineteen::text {
namespace {

using detail::pair_key;

struct Word {
  std::vector<int32_t> symbols;
  int64_t count;
};

struct Merge {
  int32_t left, right;
};

class PairTrainer {
 public:
  PairTrainer(std::vector<Word> words, size_t target_tokens)
      : words_(std::move(words)), target_(target_tokens) {
    for (int b = 0; b < 256; ++b) add_token(std::string(1, static_cast<char>(b)));
  }

  void run() {
    for (size_t w = 0; w < words_.size(); ++w) {
      const auto& s = words_[w].symbols;
      for (size_t i = 0; i + 1 < s.size(); ++i) {
        uint64_t key = pair_key(s[i], s[i + 1]);
        pair_count_[key] += words_[w].count;
        words_with_pair_[key].insert(static_cast<int32_t>(w));
      }
    }
    for (const auto& [key, count] : pair_count_) queue_.push({count, key});
    while (tokens_.size() < target_ && !queue_.empty()) {
      Candidate top = queue_.top();
      queue_.pop();
      int64_t current = pair_count_[top.pair];
      if (current != top.count) {  // counts of existing pairs only fall, so re-queue at the true count
        if (current > 0) queue_.push({current, top.pair});
        continue;
      }
      if (current < 2) break;  // a pair seen once compresses nothing worth a token
      apply(top.pair);
    }
  }

  const std::vector<std::string>& tokens() const { return tokens_; }
  const std::vector<Merge>& merges() const { return merges_; }

 private:
  struct Candidate {
    int64_t count;
    uint64_t pair;
  };
  // Most frequent first; among equals, the lexicographically smallest (left bytes, right bytes).
  struct Lower {
    const PairTrainer* trainer;
    bool operator()(const Candidate& a, const Candidate& b) const {
      if (a.count != b.count) return a.count < b.count;
      return trainer->pair_bytes_less(b.pair, a.pair);
    }
  };

  bool pair_bytes_less(uint64_t a, uint64_t b) const {
    const std::string& a_left = tokens_[a >> 32];
    const std::string& b_left = tokens_[b >> 32];
    if (a_left != b_left) return a_left < b_left;
    return tokens_[a & 0xFFFFFFFFu] < tokens_[b & 0xFFFFFFFFu];
  }

  int32_t add_token(const std::string& bytes) {
    auto [it, inserted] = id_by_bytes_.emplace(bytes, static_cast<int32_t>(tokens_.size()));
    if (inserted) tokens_.push_back(bytes);
    return it->second;
  }

  void change(int32_t left, int32_t right, int64_t delta, int32_t word, std::set<uint64_t>* created) {
    uint64_t key = pair_key(left, right);
    pair_count_[key] += delta;
    if (created) {
      words_with_pair_[key].insert(word);
      created->insert(key);
    }
  }

  void apply(uint64_t pair) {
    auto left = static_cast<int32_t>(pair >> 32);
    auto right = static_cast<int32_t>(pair & 0xFFFFFFFFu);
    int32_t merged = add_token(tokens_[left] + tokens_[right]);
    merges_.push_back({left, right});
    std::set<uint64_t> created;
    // Copy: the loop below inserts into words_with_pair_, which may rehash.
    std::vector<int32_t> affected(words_with_pair_[pair].begin(), words_with_pair_[pair].end());
    for (int32_t w : affected) {
      auto& s = words_[w].symbols;
      int64_t count = words_[w].count;
      for (size_t i = 0; i + 1 < s.size();) {
        if (s[i] != left || s[i + 1] != right) {
          ++i;
          continue;
        }
        if (i > 0) {
          change(s[i - 1], left, -count, w, nullptr);
          change(s[i - 1], merged, count, w, &created);
        }
        if (i + 2 < s.size()) {
          change(right, s[i + 2], -count, w, nullptr);
          change(merged, s[i + 2], count, w, &created);
        }
        change(left, right, -count, w, nullptr);
        s[i] = merged;
        s.erase(s.begin() + static_cast<std::ptrdiff_t>(i) + 1);
        ++i;
      }
    }
    words_with_pair_.erase(pair);
    for (uint64_t key : created) {
      if (pair_count_[key] > 0) queue_.push({pair_count_[key], key});
    }
  }

  std::vector<Word> words_;
  size_t target_;
  std::vector<std::string> tokens_;  // raw bytes by id
  std::unordered_map<std::string, int32_t> id_by_bytes_;
  std::vector<Merge> merges_;
  std::unordered_map<uint64_t, int64_t> pair_count_;
  std::unordered_map<uint64_t, std::unordered_set<int32_t>> words_with_pair_;
  std::priority_queue<Candidate, std::vector<Candidate>, Lower> queue_{Lower{this}};
};

std::vector<Word> count_words(std::string_view corpus, const std::vector<std::string>& special_tokens) {
  // Special tokens never take part in merges: cut them out first, as encoding will.
  detail::AddedTokenMatcher specials;
  for (const std::string& s : special_tokens) specials.add({0, s, true, false, false, false});
  std::vector<detail::TextSegment> segments;
  specials.split(corpus, true, segments);
  detail::PreTokenizer pre_tokenizer = detail::PreTokenizer::llama3("train_bpe_tokenizer_json");
  std::map<std::string, int64_t> counts;  // ordered, so word order (and all that follows) is fixed
  std::vector<std::string_view> pieces;
  std::deque<std::string> prefixed_pieces;  // unused: the Llama 3 split adds no prefix space
  for (const detail::TextSegment& segment : segments) {
    if (segment.added_token_id >= 0) continue;
    pieces.clear();
    pre_tokenizer.split(segment.text, pieces, prefixed_pieces);
    for (std::string_view piece : pieces) ++counts[std::string(piece)];
  }
  std::vector<Word> words;
  for (const auto& [piece, count] : counts) {
    if (piece.size() < 2) continue;  // no pair inside
    Word word{{}, count};
    for (char c : piece) word.symbols.push_back(static_cast<unsigned char>(c));
    words.push_back(std::move(word));
  }
  return words;
}

std::string write_tokenizer_json(const std::vector<std::string>& tokens, const std::vector<Merge>& merges,
                                 const std::vector<std::string>& special_tokens, const std::string& bos_token) {
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buffer);
  w.SetIndent(' ', 2);
  auto key = [&](const char* k) { w.Key(k); };
  auto text = [&](const std::string& s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); };
  // A ByteLevel part (pre-tokenizer, post-processor or decoder), with its three flags.
  auto byte_level = [&](bool add_prefix_space, bool trim_offsets, bool use_regex) {
    w.StartObject();
    key("type");
    w.String("ByteLevel");
    key("add_prefix_space");
    w.Bool(add_prefix_space);
    key("trim_offsets");
    w.Bool(trim_offsets);
    key("use_regex");
    w.Bool(use_regex);
    w.EndObject();
  };
  w.StartObject();
  key("version");
  w.String("1.0");
  key("truncation");
  w.Null();
  key("padding");
  w.Null();
  key("added_tokens");
  w.StartArray();
  for (size_t i = 0; i < special_tokens.size(); ++i) {
    w.StartObject();
    key("id");
    w.Int64(static_cast<int64_t>(tokens.size() + i));
    key("content");
    text(special_tokens[i]);
    key("single_word");
    w.Bool(false);
    key("lstrip");
    w.Bool(false);
    key("rstrip");
    w.Bool(false);
    key("normalized");
    w.Bool(false);
    key("special");
    w.Bool(true);
    w.EndObject();
  }
  w.EndArray();
  key("normalizer");
  w.Null();
  key("pre_tokenizer");
  w.StartObject();
  key("type");
  w.String("Sequence");
  key("pretokenizers");
  w.StartArray();
  w.StartObject();
  key("type");
  w.String("Split");
  key("pattern");
  w.StartObject();
  key("Regex");
  w.String(detail::kLlama3SplitPattern);
  w.EndObject();
  key("behavior");
  w.String("Isolated");
  key("invert");
  w.Bool(false);
  w.EndObject();
  byte_level(false, true, false);
  w.EndArray();
  w.EndObject();
  key("post_processor");
  if (bos_token.empty()) {
    w.Null();
  } else {
    // Llama 3's form: ByteLevel offsets, then BOS in front of every text.
    const int64_t bos_id = static_cast<int64_t>(tokens.size()) +
                           (std::find(special_tokens.begin(), special_tokens.end(), bos_token) - special_tokens.begin());
    auto special = [&] {
      w.StartObject();
      key("SpecialToken");
      w.StartObject();
      key("id");
      text(bos_token);
      key("type_id");
      w.Int(0);
      w.EndObject();
      w.EndObject();
    };
    auto sequence = [&](const char* id, int type_id) {
      w.StartObject();
      key("Sequence");
      w.StartObject();
      key("id");
      w.String(id);
      key("type_id");
      w.Int(type_id);
      w.EndObject();
      w.EndObject();
    };
    w.StartObject();
    key("type");
    w.String("Sequence");
    key("processors");
    w.StartArray();
    byte_level(true, false, true);
    w.StartObject();
    key("type");
    w.String("TemplateProcessing");
    key("single");
    w.StartArray();
    special();
    sequence("A", 0);
    w.EndArray();
    key("pair");
    w.StartArray();
    special();
    sequence("A", 0);
    special();
    sequence("B", 1);
    w.EndArray();
    key("special_tokens");
    w.StartObject();
    w.Key(bos_token.c_str());
    w.StartObject();
    key("id");
    text(bos_token);
    key("ids");
    w.StartArray();
    w.Int64(bos_id);
    w.EndArray();
    key("tokens");
    w.StartArray();
    text(bos_token);
    w.EndArray();
    w.EndObject();
    w.EndObject();
    w.EndObject();
    w.EndArray();
    w.EndObject();
  }
  key("decoder");
  byte_level(true, true, true);
  key("model");
  w.StartObject();
  key("type");
  w.String("BPE");
  key("dropout");
  w.Null();
  key("unk_token");
  w.Null();
  key("continuing_subword_prefix");
  w.Null();
  key("end_of_word_suffix");
  w.Null();
  key("fuse_unk");
  w.Bool(false);
  key("byte_fallback");
  w.Bool(false);
  key("ignore_merges");
  w.Bool(false);
  key("vocab");
  w.StartObject();
  for (size_t id = 0; id < tokens.size(); ++id) {
    std::string spelled = detail::spell_bytes(tokens[id]);
    w.Key(spelled.data(), static_cast<rapidjson::SizeType>(spelled.size()));
    w.Int64(static_cast<int64_t>(id));
  }
  w.EndObject();
  // "left right" strings: byte-level spellings never contain a space (it is spelled "Ġ"), and
  // every version of Hugging Face tokenizers reads this form.
  key("merges");
  w.StartArray();
  for (const Merge& m : merges)
    text(detail::spell_bytes(tokens[m.left]) + " " + detail::spell_bytes(tokens[m.right]));
  w.EndArray();
  w.EndObject();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

}  // namespace

std::string train_bpe_tokenizer_json(std::string_view corpus, size_t vocab_size,
                                     const std::vector<std::string>& special_tokens, const std::string& bos_token) {
  std::set<std::string> distinct;
  for (const std::string& s : special_tokens) {
    if (s.empty())
      throw sdk::Error(NT_INVALID_ARGUMENT, "train_bpe_tokenizer_json: a special token is empty");
    if (!distinct.insert(s).second) {
      throw sdk::Error(NT_INVALID_ARGUMENT,
                       "train_bpe_tokenizer_json: special token \"" + s + "\" is repeated");
    }
  }
  if (vocab_size < 256 + special_tokens.size()) {
    throw sdk::Error(NT_INVALID_ARGUMENT,
                     "train_bpe_tokenizer_json: vocab_size " + std::to_string(vocab_size) +
                         " is too small; it must be at least 256 (one token per byte) + " +
                         std::to_string(special_tokens.size()) + " special tokens");
  }
  if (!bos_token.empty() && !distinct.count(bos_token)) {
    throw sdk::Error(NT_INVALID_ARGUMENT, "train_bpe_tokenizer_json: bos_token \"" + bos_token +
                                              "\" is not one of the special tokens");
  }
  PairTrainer trainer(count_words(corpus, special_tokens), vocab_size - special_tokens.size());
  trainer.run();
  return write_tokenizer_json(trainer.tokens(), trainer.merges(), special_tokens, bos_token);
}

}  // namespace nineteen::text
