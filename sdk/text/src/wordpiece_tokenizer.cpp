// The WordPiece model: the vocabulary, greedy longest-match-first encoding of each word, and the
// special tokens. Normalization and words: bert_normalizer.cpp; tokenizer.json: wordpiece_tokenizer_json.cpp.
#include "nineteen/text/wordpiece_tokenizer.hpp"

#include <algorithm>

#include "bert_normalizer.hpp"
#include "nineteen/sdk/error.hpp"
#include "wordpiece_model.hpp"

namespace nineteen::text {

using sdk::Error;

using Model = WordPieceTokenizer::Model;

namespace detail {

[[noreturn]] void wordpiece_fail(const std::string& source, const std::string& key, const std::string& what) {
  throw Error(NT_INVALID_ARGUMENT, source + ": " + key + " " + what);
}

std::shared_ptr<const Model> finish_model(std::shared_ptr<Model> m, const std::vector<AddedToken>& added) {
  auto fail = wordpiece_fail;
  m->ids.clear();
  m->ids.reserve(m->vocab.size());
  for (size_t id = 0; id < m->vocab.size(); ++id) {
    const std::string& token = m->vocab[id];
    if (token.empty()) continue;
    if (!m->ids.emplace(token, static_cast<int32_t>(id)).second) {
      fail(m->source, "vocabulary", "has \"" + token + "\" twice (ids " + std::to_string(m->ids[token]) + " and " +
                                        std::to_string(id) + "); each token needs one id");
    }
    m->longest_token = std::max(m->longest_token, token.size());
  }
  const WordPieceSettings& s = m->settings;
  auto required = [&](const std::string& token, const char* role) {
    std::optional<int32_t> id = m->find(token);
    if (!id) fail(m->source, role, "\"" + token + "\" is not in the vocabulary");
    return *id;
  };
  m->unk = required(s.unk_token, "unk_token");
  if (!s.cls_token.empty()) m->cls = required(s.cls_token, "cls token");
  if (!s.sep_token.empty()) m->sep = required(s.sep_token, "sep token");
  m->pad = m->find("[PAD]").value_or(0);
  if (s.max_input_chars_per_word < 1) fail(m->source, "max_input_chars_per_word", "must be at least 1");
  for (const AddedToken& token : added) m->added.add(token);
  return m;
}

}  // namespace detail

WordPieceTokenizer::WordPieceTokenizer(std::shared_ptr<const Model> model) : model_(std::move(model)) {}

WordPieceTokenizer WordPieceTokenizer::from_vocab(std::vector<std::string> vocab, WordPieceSettings settings) {
  auto m = std::make_shared<Model>();
  m->source = "WordPiece vocabulary";
  m->vocab = std::move(vocab);
  m->settings = std::move(settings);
  std::vector<detail::AddedToken> added;
  for (const std::string& special : m->settings.special_tokens) {
    auto it = std::find(m->vocab.begin(), m->vocab.end(), special);
    if (it == m->vocab.end()) detail::wordpiece_fail(m->source, "special token", "\"" + special + "\" is not in the vocabulary");
    detail::AddedToken token;
    token.id = static_cast<int32_t>(it - m->vocab.begin());
    token.content = special;
    token.special = true;
    added.push_back(token);
  }
  return WordPieceTokenizer(detail::finish_model(std::move(m), added));
}

std::vector<int32_t> WordPieceTokenizer::encode_word(std::string_view word) const {
  const Model& m = *model_;
  if (word.empty()) return {};
  std::vector<size_t> boundaries;  // byte offsets of character starts, then the end
  for (size_t i = 0; i < word.size();) {
    boundaries.push_back(i);
    detail::next_code_point(word, i);
  }
  if (boundaries.size() > m.settings.max_input_chars_per_word) return {m.unk};
  boundaries.push_back(word.size());
  const std::string& prefix = m.settings.continuing_subword_prefix;
  std::vector<int32_t> pieces;
  std::string candidate;
  size_t start = 0;  // index into boundaries
  while (start + 1 < boundaries.size()) {
    std::optional<int32_t> found;
    size_t end = boundaries.size() - 1;
    for (; end > start; --end) {
      const size_t length = boundaries[end] - boundaries[start];
      const size_t with_prefix = length + (start > 0 ? prefix.size() : 0);
      if (with_prefix > m.longest_token) continue;
      candidate.assign(start > 0 ? prefix : std::string());
      candidate.append(word.substr(boundaries[start], length));
      auto it = m.ids.find(candidate);
      if (it != m.ids.end()) {
        found = it->second;
        break;
      }
    }
    if (!found) return {m.unk};
    pieces.push_back(*found);
    start = end;
  }
  return pieces;
}

std::vector<int32_t> WordPieceTokenizer::encode(std::string_view text, size_t max_length) const {
  const Model& m = *model_;
  const size_t specials = special_token_count();
  const size_t cap = max_length ? max_length : m.settings.max_length;
  if (cap && cap <= specials) {
    throw Error(NT_INVALID_ARGUMENT, "WordPiece encode: max_length " + std::to_string(cap) + " leaves no room beside the " +
                                         std::to_string(specials) + " special tokens; use at least " +
                                         std::to_string(specials + 1));
  }
  const size_t room = cap ? cap - specials : SIZE_MAX;
  std::vector<int32_t> ids;
  if (m.cls) ids.push_back(*m.cls);
  const size_t first = ids.size();
  auto full = [&] { return ids.size() - first >= room; };

  std::vector<detail::TextSegment> segments;
  if (m.added.empty()) {
    segments.push_back({text, -1});
  } else {
    m.added.split(text, true, segments);
  }
  for (const detail::TextSegment& segment : segments) {
    if (full()) break;
    if (segment.added_token_id >= 0) {
      ids.push_back(segment.added_token_id);
      continue;
    }
    const std::string normalized = bert_normalize(segment.text, m.settings.normalization);
    detail::for_each_bert_word(normalized, [&](std::string_view word) {
      for (int32_t piece : encode_word(word)) {
        if (full()) return false;
        ids.push_back(piece);
      }
      return !full();
    });
  }
  if (m.sep) ids.push_back(*m.sep);
  return ids;
}

const std::string& WordPieceTokenizer::token_string(int32_t id) const {
  static const std::string kNone;
  if (id < 0 || static_cast<size_t>(id) >= model_->vocab.size()) return kNone;
  return model_->vocab[id];
}

std::optional<int32_t> WordPieceTokenizer::token_id(std::string_view token) const { return model_->find(token); }
size_t WordPieceTokenizer::vocab_size() const { return model_->vocab.size(); }
const std::vector<std::string>& WordPieceTokenizer::vocabulary() const { return model_->vocab; }
const WordPieceSettings& WordPieceTokenizer::settings() const { return model_->settings; }
int32_t WordPieceTokenizer::unk_id() const { return model_->unk; }
std::optional<int32_t> WordPieceTokenizer::cls_id() const { return model_->cls; }
std::optional<int32_t> WordPieceTokenizer::sep_id() const { return model_->sep; }
int32_t WordPieceTokenizer::pad_id() const { return model_->pad; }
size_t WordPieceTokenizer::special_token_count() const {
  return (model_->cls ? 1 : 0) + (model_->sep ? 1 : 0);
}


}  // namespace nineteen::text
