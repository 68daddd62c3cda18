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

namespace {

// SentencePiece style: a segment's normalizers, then Metaspace (spaces spelt "▁", the prefix "▁"
// by its scheme, split before each "▁" when it splits), as Hugging Face's tokenizers run them.
void char_level_pieces(const TokenizerModel& model, std::string_view segment, bool first_segment,
                       std::vector<std::string>& pieces) {
  std::string text(segment);
  std::string composed;
  for (const NormalizerStep& step : model.normalizers) {
    if (step.kind == NormalizerStep::Nfc) {
      if (detail::to_nfc(text, composed)) text.swap(composed);
    } else if (step.kind == NormalizerStep::Prepend) {
      if (!text.empty()) text = step.text + text;
    } else {
      text = detail::replace_all(std::move(text), step.text, step.replacement);
    }
  }
  if (text.empty()) return;
  if (!model.metaspace) {
    pieces.push_back(std::move(text));
    return;
  }
  const MetaspaceStep& m = *model.metaspace;
  text = detail::replace_all(std::move(text), " ", m.replacement);
  const bool prepend = m.prepend == MetaspaceStep::Always || (m.prepend == MetaspaceStep::First && first_segment);
  if (prepend && text.compare(0, m.replacement.size(), m.replacement) != 0) text = m.replacement + text;
  if (!m.split) {
    pieces.push_back(std::move(text));
    return;
  }
  size_t start = 0;
  for (size_t at = text.find(m.replacement, 1); at != std::string::npos; at = text.find(m.replacement, at + 1)) {
    pieces.push_back(text.substr(start, at - start));
    start = at;
  }
  pieces.push_back(text.substr(start));
}

}  // namespace

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
    if (model_->char_level) {
      std::vector<std::string> char_pieces;
      char_level_pieces(*model_, segment.text, segment.text.data() == text.data(), char_pieces);
      for (const std::string& piece : char_pieces) model_->merger.encode_piece(piece, ids);
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
  // SentencePiece style: the space the encoder prepended to the text is cut (decoder Strip/Metaspace).
  size_t cut = 0;
  while (cut < static_cast<size_t>(model_->strip_leading_spaces) && cut < text.size() && text[cut] == ' ') ++cut;
  return text.substr(cut);
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

bool BpeTokenizer::sentencepiece_style() const {
  return model_->char_level;
}

bool BpeTokenizer::is_special(int32_t id) const {
  return id >= 0 && static_cast<size_t>(id) < model_->special.size() && model_->special[id];
}

}  // namespace nineteen::text
