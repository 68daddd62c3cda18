// WordPiece vocabulary learning: BPE merges with "##" continuation pieces.
#include "nineteen/models/bert_wordpiece_vocab.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace nineteen::models {

namespace {

size_t utf8_char_length(unsigned char lead) {
  return lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
}

}  // namespace

std::vector<std::string> learn_wordpiece_vocab(std::string_view corpus, size_t vocab_size,
                                               const text::BertNormalization& normalization,
                                               const std::vector<std::string>& special_tokens,
                                               const std::string& prefix) {
  std::map<std::string, int64_t> word_counts;  // ordered, so everything below is deterministic
  for (const std::string& word : text::bert_pre_tokenize(text::bert_normalize(corpus, normalization))) {
    ++word_counts[word];
  }

  std::vector<std::string> vocab(special_tokens);
  std::unordered_set<std::string> known(vocab.begin(), vocab.end());
  auto add = [&](const std::string& token) {
    if (known.insert(token).second) vocab.push_back(token);
  };

  // Symbols are ids into `symbols`; a word is its current list of symbols.
  std::vector<std::string> symbols;
  std::unordered_map<std::string, int32_t> symbol_id;
  auto intern = [&](const std::string& s) {
    auto [it, fresh] = symbol_id.emplace(s, static_cast<int32_t>(symbols.size()));
    if (fresh) symbols.push_back(s);
    return it->second;
  };
  std::vector<std::vector<int32_t>> words;
  std::vector<int64_t> counts;
  std::set<std::string> initial, continuing;
  for (const auto& [word, count] : word_counts) {
    std::vector<int32_t> pieces;
    for (size_t i = 0; i < word.size();) {
      const size_t n = std::min(utf8_char_length(static_cast<unsigned char>(word[i])), word.size() - i);
      std::string piece = (i ? prefix : std::string()) + word.substr(i, n);
      (i ? continuing : initial).insert(piece);
      pieces.push_back(intern(piece));
      i += n;
    }
    words.push_back(std::move(pieces));
    counts.push_back(count);
  }
  for (const std::string& s : initial) add(s);
  for (const std::string& s : continuing) add(s);

  while (vocab.size() < vocab_size) {
    std::unordered_map<uint64_t, int64_t> pair_counts;
    for (size_t w = 0; w < words.size(); ++w) {
      const std::vector<int32_t>& p = words[w];
      for (size_t i = 0; i + 1 < p.size(); ++i) {
        pair_counts[(uint64_t(uint32_t(p[i])) << 32) | uint32_t(p[i + 1])] += counts[w];
      }
    }
    if (pair_counts.empty()) break;
    uint64_t best = 0;
    int64_t best_count = -1;
    for (const auto& [pair, count] : pair_counts) {
      if (count > best_count || (count == best_count && pair < best)) {
        best = pair;
        best_count = count;
      }
    }
    const int32_t left = static_cast<int32_t>(best >> 32), right = static_cast<int32_t>(best & 0xffffffffu);
    const std::string merged = symbols[left] + symbols[right].substr(prefix.size());
    const int32_t merged_id = intern(merged);
    for (std::vector<int32_t>& p : words) {
      for (size_t i = 0; i + 1 < p.size(); ++i) {
        if (p[i] == left && p[i + 1] == right) {
          p[i] = merged_id;
          p.erase(p.begin() + static_cast<std::ptrdiff_t>(i) + 1);
        }
      }
    }
    add(merged);
  }
  return vocab;
}

}  // namespace nineteen::models
