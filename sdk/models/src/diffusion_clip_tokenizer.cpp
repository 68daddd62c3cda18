// CLIP's BPE over vocab.json + merges.txt (ICU for NFC, lower case and the Unicode classes of
// CLIP's split pattern), and the small trainer the tiny model's tokenizer/ folder comes from.
#include "nineteen/models/diffusion_clip_tokenizer.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include "nineteen/sdk/error.hpp"
#include "nineteen/sdk/json.hpp"

namespace nineteen::models {

namespace fs = std::filesystem;
using sdk::Error;

namespace {

constexpr const char* kStartOfText = "<|startoftext|>";
constexpr const char* kEndOfText = "<|endoftext|>";
constexpr const char* kEndOfWord = "</w>";

void append_utf8(char32_t c, std::string& out) {
  if (c < 0x80) {
    out += char(c);
  } else if (c < 0x800) {
    out += char(0xC0 | (c >> 6));
    out += char(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += char(0xE0 | (c >> 12));
    out += char(0x80 | ((c >> 6) & 0x3F));
    out += char(0x80 | (c & 0x3F));
  } else {
    out += char(0xF0 | (c >> 18));
    out += char(0x80 | ((c >> 12) & 0x3F));
    out += char(0x80 | ((c >> 6) & 0x3F));
    out += char(0x80 | (c & 0x3F));
  }
}

// GPT-2's bytes_to_unicode, which CLIP reuses: printable Latin-1 bytes stand for themselves, the
// rest map to U+0100 onwards. The order is the dictionary's, which CLIP's vocabulary follows.
const std::vector<std::pair<uint8_t, std::string>>& byte_alphabet() {
  static const std::vector<std::pair<uint8_t, std::string>> table = [] {
    std::vector<int> printable;
    for (int b = '!'; b <= '~'; ++b) printable.push_back(b);
    for (int b = 0xA1; b <= 0xAC; ++b) printable.push_back(b);
    for (int b = 0xAE; b <= 0xFF; ++b) printable.push_back(b);
    std::vector<std::pair<uint8_t, std::string>> out;
    for (int b : printable) {
      std::string s;
      append_utf8(char32_t(b), s);
      out.push_back({uint8_t(b), s});
    }
    int n = 0;
    for (int b = 0; b < 256; ++b) {
      if (std::find(printable.begin(), printable.end(), b) != printable.end()) continue;
      std::string s;
      append_utf8(char32_t(256 + n++), s);
      out.push_back({uint8_t(b), s});
    }
    return out;
  }();
  return table;
}

const std::string& byte_symbol(uint8_t b) {
  static const std::vector<std::string> by_byte = [] {
    std::vector<std::string> v(256);
    for (const auto& [byte, s] : byte_alphabet()) v[byte] = s;
    return v;
  }();
  return by_byte[b];
}

std::u32string code_points(std::string_view s) {
  std::u32string out;
  int32_t i = 0, n = int32_t(s.size());
  while (i < n) {
    UChar32 c;
    U8_NEXT(reinterpret_cast<const uint8_t*>(s.data()), i, n, c);
    out += c < 0 ? char32_t(0xFFFD) : char32_t(c);
  }
  return out;
}

bool is_letter(char32_t c) { return (U_GET_GC_MASK(UChar32(c)) & U_GC_L_MASK) != 0; }
bool is_number(char32_t c) { return (U_GET_GC_MASK(UChar32(c)) & U_GC_N_MASK) != 0; }
bool is_space(char32_t c) { return u_isUWhiteSpace(UChar32(c)); }

std::string read_text(const fs::path& path, const char* what_for) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(NT_NOT_FOUND, "cannot read " + path.string() + "; " + what_for);
  }
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A token entry of tokenizer_config.json / special_tokens_map.json: "text" or {"content": "text"}.
std::string token_text(const rapidjson::Value& v) {
  if (v.IsString()) return v.GetString();
  if (v.IsObject() && v.HasMember("content") && v["content"].IsString()) return v["content"].GetString();
  return "";
}

}  // namespace

std::string ClipTokenizer::normalize(std::string_view text) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), int32_t(text.size())));
  if (U_SUCCESS(status)) {
    icu::UnicodeString normalized = nfc->normalize(u, status);
    if (U_SUCCESS(status)) u = normalized;
  }
  std::string nfc_text;
  u.toUTF8String(nfc_text);
  std::string spaced;
  bool in_space = false;
  for (char32_t c : code_points(nfc_text)) {
    if (is_space(c)) {
      if (!in_space) spaced += ' ';
      in_space = true;
      continue;
    }
    in_space = false;
    append_utf8(c, spaced);
  }
  icu::UnicodeString lower = icu::UnicodeString::fromUTF8(spaced);
  lower.toLower(icu::Locale::getRoot());
  std::string out;
  lower.toUTF8String(out);
  return out;
}

std::vector<std::string> ClipTokenizer::pre_tokenize(std::string_view normalized) {
  static const char* const kContractions[] = {"'s", "'t", "'re", "'ve", "'m", "'ll", "'d"};
  const std::u32string cps = code_points(normalized);
  std::vector<std::string> out;
  auto starts_with = [&](size_t at, std::string_view literal) {
    if (at + literal.size() > cps.size()) return false;
    for (size_t k = 0; k < literal.size(); ++k) {
      if (cps[at + k] != char32_t(uint8_t(literal[k]))) return false;
    }
    return true;
  };
  size_t i = 0;
  while (i < cps.size()) {
    size_t end = i;
    // The pattern's alternatives in order, at the leftmost position, as a regex engine takes them.
    for (std::string_view literal : {std::string_view(kStartOfText), std::string_view(kEndOfText)}) {
      if (end == i && starts_with(i, literal)) end = i + literal.size();
    }
    for (const char* literal : kContractions) {
      if (end == i && starts_with(i, literal)) end = i + std::string_view(literal).size();
    }
    if (end == i && is_letter(cps[i])) {
      while (end < cps.size() && is_letter(cps[end])) ++end;
    } else if (end == i && is_number(cps[i])) {
      end = i + 1;
    } else if (end == i && !is_space(cps[i])) {
      while (end < cps.size() && !is_space(cps[end]) && !is_letter(cps[end]) && !is_number(cps[end])) ++end;
    }
    if (end == i) {  // white space: not part of any piece
      ++i;
      continue;
    }
    std::string piece;
    for (size_t k = i; k < end; ++k) append_utf8(cps[k], piece);
    out.push_back(std::move(piece));
    i = end;
  }
  return out;
}

ClipTokenizer ClipTokenizer::from_dir(const std::string& dir) {
  const fs::path root(dir);
  const char* hint = "Stable Diffusion's tokenizer/ folder holds CLIP's vocab.json and merges.txt";
  ClipTokenizer t;
  {
    const fs::path path = root / "vocab.json";
    rapidjson::Document doc = sdk::parse_json(read_text(path, hint), path.string());
    if (!doc.IsObject()) throw Error(NT_INVALID_ARGUMENT, path.string() + ": expected an object of token → id");
    for (const auto& m : doc.GetObject()) {
      if (!m.value.IsInt() || m.value.GetInt() < 0) {
        throw Error(NT_INVALID_ARGUMENT, path.string() + ": token \"" + m.name.GetString() + "\" has no non-negative id");
      }
      t.vocab_.emplace(std::string(m.name.GetString(), m.name.GetStringLength()), m.value.GetInt());
      t.vocab_size_ = std::max(t.vocab_size_, size_t(m.value.GetInt()) + 1);
    }
  }
  {
    const fs::path path = root / "merges.txt";
    std::istringstream lines(read_text(path, hint));
    std::string line;
    size_t number = 0;
    while (std::getline(lines, line)) {
      ++number;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty() || (number == 1 && line.rfind("#version", 0) == 0)) continue;
      const size_t space = line.find(' ');
      if (space == std::string::npos || space == 0 || space + 1 == line.size() ||
          line.find(' ', space + 1) != std::string::npos) {
        throw Error(NT_INVALID_ARGUMENT, path.string() + " line " + std::to_string(number) +
                                             ": expected two symbols separated by one space, got \"" + line + "\"");
      }
      t.ranks_.emplace(std::make_pair(line.substr(0, space), line.substr(space + 1)), t.ranks_.size());
    }
  }
  auto id_of = [&](const std::string& token, const std::string& role) {
    auto it = t.vocab_.find(token);
    if (it == t.vocab_.end()) {
      throw Error(NT_INVALID_ARGUMENT, (root / "vocab.json").string() + ": no " + role + " token \"" + token + "\"");
    }
    return it->second;
  };
  std::string pad = kEndOfText;
  for (const char* file : {"special_tokens_map.json", "tokenizer_config.json"}) {
    const fs::path path = root / file;
    if (!fs::exists(path)) continue;
    rapidjson::Document doc = sdk::parse_json(read_text(path, hint), path.string());
    if (doc.IsObject() && doc.HasMember("pad_token")) {
      const std::string text = token_text(doc["pad_token"]);
      if (!text.empty()) pad = text;
      break;
    }
  }
  t.bos_id_ = id_of(kStartOfText, "start");
  t.eos_id_ = id_of(kEndOfText, "end");
  t.pad_id_ = id_of(pad, "pad");
  return t;
}

std::vector<std::string> ClipTokenizer::bpe(const std::string& piece) const {
  std::vector<std::string> word;
  for (uint8_t b : piece) word.push_back(byte_symbol(b));
  if (word.empty()) return word;
  word.back() += kEndOfWord;
  while (word.size() > 1) {
    size_t best = std::numeric_limits<size_t>::max(), at = 0;
    for (size_t i = 0; i + 1 < word.size(); ++i) {
      auto it = ranks_.find({word[i], word[i + 1]});
      if (it != ranks_.end() && it->second < best) {
        best = it->second;
        at = i;
      }
    }
    if (best == std::numeric_limits<size_t>::max()) break;
    // Merge every occurrence of the best pair, left to right, as CLIP's bpe() does.
    const std::string left = word[at], right = word[at + 1];
    std::vector<std::string> merged;
    for (size_t i = 0; i < word.size();) {
      if (i + 1 < word.size() && word[i] == left && word[i + 1] == right) {
        merged.push_back(left + right);
        i += 2;
      } else {
        merged.push_back(word[i++]);
      }
    }
    word = std::move(merged);
  }
  return word;
}

std::vector<int32_t> ClipTokenizer::encode(std::string_view text) const {
  std::vector<int32_t> ids;
  auto encode_words = [&](std::string_view words) {
    for (const std::string& piece : pre_tokenize(std::string(words))) {
      for (const std::string& symbol : bpe(piece)) {
        auto it = vocab_.find(symbol);
        ids.push_back(it == vocab_.end() ? eos_id_ : it->second);
      }
    }
  };
  // The two special tokens spelt in the (normalised) text are the tokens, as Hugging Face's CLIP
  // tokenizers match added tokens before splitting words.
  const std::string normalised = normalize(text);
  std::string_view rest = normalised;
  while (!rest.empty()) {
    const size_t start = rest.find(kStartOfText), end = rest.find(kEndOfText);
    const size_t at = std::min(start, end);
    if (at == std::string_view::npos) break;
    encode_words(rest.substr(0, at));
    const bool is_start = at == start;
    ids.push_back(is_start ? bos_id_ : eos_id_);
    rest.remove_prefix(at + std::string_view(is_start ? kStartOfText : kEndOfText).size());
  }
  encode_words(rest);
  return ids;
}

std::vector<int64_t> ClipTokenizer::encode_padded(std::string_view text, size_t length) const {
  std::vector<int64_t> ids{bos_id_};
  for (int32_t id : encode(text)) {
    if (ids.size() + 1 >= length) break;
    ids.push_back(id);
  }
  ids.push_back(eos_id_);
  ids.resize(std::max(length, ids.size()), pad_id_);
  return ids;
}

size_t write_clip_tokenizer(const std::string& dir, std::string_view corpus, size_t merges) {
  // Word frequencies over the pieces CLIP's split gives, each as byte symbols with "</w>" last.
  std::map<std::vector<std::string>, int64_t> words;
  for (const std::string& piece : ClipTokenizer::pre_tokenize(ClipTokenizer::normalize(corpus))) {
    std::vector<std::string> word;
    for (uint8_t b : piece) word.push_back(byte_symbol(b));
    word.back() += kEndOfWord;
    ++words[word];
  }
  std::vector<std::pair<std::string, std::string>> learned;
  std::set<std::string> seen;
  while (learned.size() < merges) {
    std::map<std::pair<std::string, std::string>, int64_t> pairs;
    for (const auto& [word, count] : words) {
      for (size_t i = 0; i + 1 < word.size(); ++i) pairs[{word[i], word[i + 1]}] += count;
    }
    // The most frequent pair; ties go to the first in byte order, so the file never changes.
    const std::pair<std::string, std::string>* best = nullptr;
    int64_t best_count = 0;
    for (const auto& [pair, count] : pairs) {
      if (count > best_count && !seen.count(pair.first + pair.second)) {
        best = &pair;
        best_count = count;
      }
    }
    if (!best) break;
    const auto [left, right] = *best;
    learned.push_back({left, right});
    seen.insert(left + right);
    std::map<std::vector<std::string>, int64_t> next;
    for (const auto& [word, count] : words) {
      std::vector<std::string> merged;
      for (size_t i = 0; i < word.size();) {
        if (i + 1 < word.size() && word[i] == left && word[i + 1] == right) {
          merged.push_back(left + right);
          i += 2;
        } else {
          merged.push_back(word[i++]);
        }
      }
      next[merged] += count;
    }
    words = std::move(next);
  }

  std::vector<std::string> vocab;
  for (const auto& [b, s] : byte_alphabet()) vocab.push_back(s);
  for (const auto& [b, s] : byte_alphabet()) vocab.push_back(s + kEndOfWord);
  for (const auto& [l, r] : learned) vocab.push_back(l + r);
  vocab.push_back(kStartOfText);
  vocab.push_back(kEndOfText);

  std::error_code ec;
  fs::create_directories(dir, ec);
  auto write = [&](const char* name, const std::string& text) {
    const fs::path path = fs::path(dir) / name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) throw Error(NT_INVALID_ARGUMENT, "cannot write " + path.string());
  };
  {
    rapidjson::StringBuffer b;
    rapidjson::Writer<rapidjson::StringBuffer> w(b);
    w.StartObject();
    for (size_t i = 0; i < vocab.size(); ++i) {
      w.Key(vocab[i].c_str(), rapidjson::SizeType(vocab[i].size()));
      w.Int64(int64_t(i));
    }
    w.EndObject();
    write("vocab.json", std::string(b.GetString(), b.GetSize()));
  }
  {
    std::string text = "#version: 0.2\n";
    for (const auto& [l, r] : learned) text += l + " " + r + "\n";
    write("merges.txt", text);
  }
  const std::string token = std::string("{\"content\": \"") + kEndOfText +
                            "\", \"single_word\": false, \"lstrip\": false, \"rstrip\": false, \"normalized\": true}";
  write("special_tokens_map.json", std::string("{\n  \"bos_token\": {\"content\": \"") + kStartOfText +
                                       "\", \"single_word\": false, \"lstrip\": false, \"rstrip\": false, "
                                       "\"normalized\": true},\n  \"eos_token\": " + token +
                                       ",\n  \"pad_token\": \"" + kEndOfText + "\",\n  \"unk_token\": " + token + "\n}\n");
  write("tokenizer_config.json", std::string("{\n  \"add_prefix_space\": false,\n  \"bos_token\": \"") + kStartOfText +
                                     "\",\n  \"do_lower_case\": true,\n  \"eos_token\": \"" + kEndOfText +
                                     "\",\n  \"errors\": \"replace\",\n  \"model_max_length\": 77,\n  \"pad_token\": \"" +
                                     kEndOfText + "\",\n  \"tokenizer_class\": \"CLIPTokenizer\",\n  \"unk_token\": \"" +
                                     kEndOfText + "\"\n}\n");
  return vocab.size();
}

}  // namespace nineteen::models
