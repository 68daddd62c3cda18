// BpeTokenizer: added tokens, then pre-tokenizer, then BPE merges; decoding joins token bytes.
#include "nineteen/text/bpe_tokenizer.hpp"

#include <deque>

#include "json_file.hpp"
#include "nineteen/sdk/error.hpp"
#include "tokenizer_model.hpp"
#include "unicode_nfc.hpp"

namespace nineteen::text {

BpeTokenizer::BpeTokenizer(std::shared_ptr<const TokenizerModel> model) : model_(std::move(model)) {}

BpeTokenizer BpeTokenizer::from_file(const std::string& tokenizer_json_path) {
  return from_json(detail::read_text_file(tokenizer_json_path), tokenizer_json_path);
}

BpeTokenizer BpeTokenizer::from_json(std::string_view json, const std::string& source_name) {
  return BpeTokenizer(detail::load_tokenizer_model(json, source_name));
}

std::vector<int32_t> BpeTokenizer::encode(std::string_view text, bool parse_special) const {
  std::vector<int32_t> ids;
  ids.reserve(text.size() / 3 + 1);
  std::vector<detail::TextSegment> segments;
  model_->added_tokens.split(text, parse_special, segments);
  std::vector<std::string_view> pieces;
  std::deque<std::string> prefixed_pieces;
  std::deque<std::string> normalized;  // NFC forms the pieces may view
  std::string nfc_text;
  for (const detail::TextSegment& segment : segments) {
    if (segment.added_token_id >= 0) {
      ids.push_back(segment.added_token_id);
      continue;
    }
    pieces.clear();
    if (model_->nfc && detail::to_nfc(segment.text, nfc_text)) {
      normalized.push_back(std::move(nfc_text));
      model_->pre_tokenizer.split(normalized.back(), pieces, prefixed_pieces);
    } else {
      model_->pre_tokenizer.split(segment.text, pieces, prefixed_pieces);
    }
    for (std::string_view piece : pieces) model_->merger.encode_piece(piece, ids);
  }
  return ids;
}

void BpeTokenizer::check_id(int32_t id) const {
  if (id < 0 || static_cast<size_t>(id) >= model_->spelling.size()) {
    throw sdk::Error(NT_INVALID_ARGUMENT, model_->source_name + ": token id " + std::to_string(id) +
                                              " is outside the vocabulary [0, " +
                                              std::to_string(model_->spelling.size()) + ")");
  }
}

std::string BpeTokenizer::decode(const std::vector<int32_t>& ids, bool skip_special) const {
  std::string text;
  for (int32_t id : ids) {
    check_id(id);
    if (skip_special && model_->special[id]) continue;
    text += model_->bytes[id];
  }
  return text;
}

std::string BpeTokenizer::decode_token(int32_t id) const {
  check_id(id);
  return model_->bytes[id];
}

const std::string& BpeTokenizer::token_string(int32_t id) const {
  check_id(id);
  return model_->spelling[id];
}

std::optional<int32_t> BpeTokenizer::token_id(std::string_view token_string) const {
  auto it = model_->id_by_spelling.find(std::string(token_string));
  if (it == model_->id_by_spelling.end()) return std::nullopt;
  return it->second;
}

size_t BpeTokenizer::vocab_size() const {
  return model_->spelling.size();
}

bool BpeTokenizer::is_special(int32_t id) const {
  return id >= 0 && static_cast<size_t>(id) < model_->special.size() && model_->special[id];
}

}  // namespace nineteen::text
