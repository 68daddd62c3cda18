// A small multilingual corpus (English, French, code, CJK, emoji, whitespace) for training tests.
#pragma once

#include <string>

namespace nineteen::text::testing {

inline std::string sample_corpus(int repeats) {
  const char* paragraphs[] = {
      "The quick brown fox jumps over the lazy dog. It's 2024, and we'll train 1234567 tokens!\n",
      "Le c\xC5\x93ur a ses raisons que la raison ne conna\xC3\xAEt point. \xC3\x89t\xC3\xA9 \xC3\xA0 Paris, "
      "caf\xC3\xA9 cr\xC3\xA8me.\n",
      "int main() {\n    return add(1, 2) * 3;  // comment\n}\n\n",
      "\xE6\x9D\xB1\xE4\xBA\xAC\xE3\x81\xAF\xE6\x97\xA5\xE6\x9C\xAC\xE3\x81\xAE\xE9\xA6\x96\xE9\x83\xBD\xE3"
      "\x81\xA7\xE3\x81\x99\xE3\x80\x82 "
      "\xE4\xBD\xA0\xE5\xA5\xBD\xEF\xBC\x8C\xE4\xB8\x96\xE7\x95\x8C\xEF\xBC\x81\n",  // 東京は日本の首都です。
                                                                                     // 你好，世界！
      "Emoji: \xF0\x9F\x98\x80 \xF0\x9F\x9A\x80\xF0\x9F\x8C\x8D and \xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD\n",
      "   indented\ttabs\t\tand   runs of   spaces\r\n\r\n",
  };
  std::string corpus;
  for (int r = 0; r < repeats; ++r) {
    for (const char* p : paragraphs) corpus += p;
    corpus +=
        "line " + std::to_string(r * 37) + " of the corpus; the value is " + std::to_string(r * r) + ".\n";
  }
  return corpus;
}

}  // namespace nineteen::text::testing
