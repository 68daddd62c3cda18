// The BPE model proper: turns one pre-tokenized piece of bytes into token ids by merge rank.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace nineteen::text::detail {

struct Symbol;

struct MergeRule {
  int32_t rank;
  int32_t merged_id;
};

inline uint64_t pair_key(int32_t left, int32_t right) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
}

struct BpeMergerConfig {
  std::string source_name;                         // for messages
  std::array<int32_t, 256> byte_token{};           // the token of each single byte, -1 if none
  std::array<int32_t, 256> byte_fallback_token{};  // "<0xNN>" when byte_fallback, else -1
  std::unordered_map<uint64_t, MergeRule> merges;  // by pair_key(left id, right id)
  // ignore_merges: a piece that is itself a vocabulary entry becomes that one token.
  bool ignore_merges = false;
  std::unordered_map<std::string, int32_t> id_by_bytes;  // the model vocabulary, keyed by raw bytes
  std::optional<int32_t> unknown_token;
  bool fuse_unknown = false;
  // SentencePiece style: the first symbols are UTF-8 characters looked up in id_by_bytes; one that
  // is not there becomes its bytes' <0xNN> tokens (all of them, or else the unknown token).
  bool char_level = false;
};

class BpeMerger {
 public:
  explicit BpeMerger(BpeMergerConfig config);
  ~BpeMerger();
  BpeMerger(BpeMerger&&) noexcept;

  // Appends the ids of `piece`. A byte with no token of its own becomes its byte-fallback token,
  // else the unknown token; with neither, throws sdk::Error(NT_INVALID_ARGUMENT). Thread-safe.
  void encode_piece(std::string_view piece, std::vector<int32_t>& ids) const;

  const BpeMergerConfig& config() const { return config_; }

 private:
  void merge(std::string_view piece, std::vector<int32_t>& ids) const;
  void symbols_of_characters(std::string_view piece, std::vector<Symbol>& symbols) const;

  struct Cache;
  BpeMergerConfig config_;
  std::unique_ptr<Cache> cache_;
};

}  // namespace nineteen::text::detail
