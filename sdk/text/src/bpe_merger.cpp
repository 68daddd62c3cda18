// Rank-ordered pair merging over a linked list of symbols (as Hugging Face's Word::merge_all),
// with a bounded cache of whole pieces, since real text repeats the same words constantly.
#include "bpe_merger.hpp"

#include <cstdint>
#include <cstdio>
#include <mutex>
#include <queue>
#include <shared_mutex>

#include "nineteen/sdk/error.hpp"

namespace nineteen::text::detail {

struct BpeMerger::Cache {
  // Pieces longer than this are rare and would only crowd out the common words.
  static constexpr size_t kMaxPieceBytes = 64;
  static constexpr size_t kMaxEntries = 1 << 16;
  std::shared_mutex mutex;
  std::unordered_map<std::string, std::vector<int32_t>> ids_by_piece;
};

BpeMerger::BpeMerger(BpeMergerConfig config)
    : config_(std::move(config)), cache_(std::make_unique<Cache>()) {}
BpeMerger::~BpeMerger() = default;
BpeMerger::BpeMerger(BpeMerger&&) noexcept = default;

void BpeMerger::encode_piece(std::string_view piece, std::vector<int32_t>& ids) const {
  // Reused per thread so that lookups allocate nothing (C++17 maps cannot look up a string_view).
  thread_local std::string key;
  key.assign(piece.data(), piece.size());
  if (config_.ignore_merges) {
    auto whole = config_.id_by_bytes.find(key);
    if (whole != config_.id_by_bytes.end()) {
      ids.push_back(whole->second);
      return;
    }
  }
  if (piece.size() > Cache::kMaxPieceBytes) return merge(piece, ids);
  {
    std::shared_lock lock(cache_->mutex);
    auto hit = cache_->ids_by_piece.find(key);
    if (hit != cache_->ids_by_piece.end()) {
      ids.insert(ids.end(), hit->second.begin(), hit->second.end());
      return;
    }
  }
  std::vector<int32_t> piece_ids;
  merge(piece, piece_ids);
  ids.insert(ids.end(), piece_ids.begin(), piece_ids.end());
  std::unique_lock lock(cache_->mutex);
  if (cache_->ids_by_piece.size() >= Cache::kMaxEntries) cache_->ids_by_piece.clear();
  cache_->ids_by_piece.emplace(key, std::move(piece_ids));
}

struct Symbol {
  int32_t id;
  int32_t prev, next;           // neighbours in the list, -1 at the ends
  uint32_t first_byte, length;  // the bytes of `piece` it covers; length 0 once merged away
};

namespace {

// The length of the UTF-8 sequence that starts at `text[at]` (1 for a byte that starts none).
size_t utf8_length(std::string_view text, size_t at) {
  const unsigned char c = static_cast<unsigned char>(text[at]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
  if (at + n > text.size()) return 1;
  for (size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(text[at + k]) & 0xC0) != 0x80) return 1;
  }
  return n;
}
}  // namespace

// SentencePiece style: one symbol per character of the vocabulary, else its <0xNN> byte tokens,
// else the unknown token (consecutive ones fused when fuse_unk), as Hugging Face's BPE does.
template <class Symbols>
static void characters_to_symbols(const BpeMergerConfig& config, std::string_view piece, Symbols& symbols) {
  thread_local std::string key;
  bool previous_unknown = false;
  for (size_t at = 0; at < piece.size();) {
    const size_t length = utf8_length(piece, at);
    key.assign(piece.data() + at, length);
    auto known = config.id_by_bytes.find(key);
    if (known != config.id_by_bytes.end()) {
      symbols.push_back({known->second, -1, -1, static_cast<uint32_t>(at), static_cast<uint32_t>(length)});
      previous_unknown = false;
    } else {
      bool all_bytes = true;
      for (size_t k = 0; k < length; ++k) {
        all_bytes = all_bytes && config.byte_fallback_token[static_cast<unsigned char>(piece[at + k])] >= 0;
      }
      if (all_bytes) {
        for (size_t k = 0; k < length; ++k) {
          symbols.push_back({config.byte_fallback_token[static_cast<unsigned char>(piece[at + k])], -1, -1,
                             static_cast<uint32_t>(at + k), 1});
        }
        previous_unknown = false;
      } else if (config.unknown_token) {
        if (config.fuse_unknown && previous_unknown) {
          symbols.back().length += static_cast<uint32_t>(length);
        } else {
          symbols.push_back({*config.unknown_token, -1, -1, static_cast<uint32_t>(at), static_cast<uint32_t>(length)});
        }
        previous_unknown = true;
      } else {
        throw sdk::Error(NT_INVALID_ARGUMENT,
                         config.source_name + ": the input contains the character \"" + key +
                             "\", which has no token in model.vocab, and the model has neither byte_fallback "
                             "tokens for its bytes nor an unk_token");
      }
    }
    at += length;
  }
  const int32_t n = static_cast<int32_t>(symbols.size());
  for (int32_t i = 0; i < n; ++i) {
    symbols[i].prev = i - 1;
    symbols[i].next = i + 1 < n ? i + 1 : -1;
  }
}

void BpeMerger::symbols_of_characters(std::string_view piece, std::vector<Symbol>& symbols) const {
  characters_to_symbols(config_, piece, symbols);
}

void BpeMerger::merge(std::string_view piece, std::vector<int32_t>& ids) const {
  struct Candidate {
    int32_t rank;
    int32_t left;  // index of the left symbol
    int32_t merged_id;
    bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : left > o.left; }
  };
  if (piece.size() > static_cast<size_t>(INT32_MAX)) {
    throw sdk::Error(NT_INVALID_ARGUMENT,
                     config_.source_name + ": one pre-tokenized piece of " + std::to_string(piece.size()) +
                         " bytes is over the 2 GiB this tokenizer handles; split the input");
  }
  std::vector<Symbol> symbols;
  if (config_.char_level) {
    symbols_of_characters(piece, symbols);
  } else {
    const int32_t n = static_cast<int32_t>(piece.size());
    symbols.resize(n);
    for (int32_t i = 0; i < n; ++i) {
      symbols[i] = {config_.byte_token[static_cast<unsigned char>(piece[i])], i - 1, i + 1 < n ? i + 1 : -1,
                    static_cast<uint32_t>(i), 1};
    }
  }
  const int32_t n = static_cast<int32_t>(symbols.size());
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> queue;
  auto consider = [&](int32_t left) {
    int32_t right = symbols[left].next;
    if (right < 0 || symbols[left].id < 0 || symbols[right].id < 0) return;
    auto rule = config_.merges.find(pair_key(symbols[left].id, symbols[right].id));
    if (rule != config_.merges.end()) queue.push({rule->second.rank, left, rule->second.merged_id});
  };
  for (int32_t i = 0; i + 1 < n; ++i) consider(i);
  while (!queue.empty()) {
    Candidate top = queue.top();
    queue.pop();
    Symbol& left = symbols[top.left];
    if (left.length == 0 || left.next < 0) continue;
    Symbol& right = symbols[left.next];
    // Stale: one side has merged with something else since this candidate was queued.
    auto rule = config_.merges.find(pair_key(left.id, right.id));
    if (rule == config_.merges.end() || rule->second.merged_id != top.merged_id) continue;
    left.id = top.merged_id;
    left.length += right.length;
    left.next = right.next;
    right.length = 0;
    if (left.next >= 0) symbols[left.next].prev = top.left;
    if (left.prev >= 0) consider(left.prev);
    consider(top.left);
  }

  bool previous_unknown = false;
  for (int32_t i = n > 0 ? 0 : -1; i >= 0; i = symbols[i].next) {
    const Symbol& s = symbols[i];
    if (s.id >= 0) {
      ids.push_back(s.id);
      previous_unknown = false;
      continue;
    }
    // Only single bytes can lack a token: merges produce vocabulary entries.
    auto byte = static_cast<unsigned char>(piece[s.first_byte]);
    if (config_.byte_fallback_token[byte] >= 0) {
      ids.push_back(config_.byte_fallback_token[byte]);
    } else if (config_.unknown_token) {
      if (!(config_.fuse_unknown && previous_unknown)) ids.push_back(*config_.unknown_token);
      previous_unknown = true;
      continue;
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02X", byte);
      throw sdk::Error(NT_INVALID_ARGUMENT,
                       config_.source_name + ": the input contains byte " + hex +
                           ", which has no token in model.vocab, and the model has neither byte_fallback "
                           "tokens nor an unk_token");
    }
    previous_unknown = false;
  }
}

}  // namespace nineteen::text::detail
