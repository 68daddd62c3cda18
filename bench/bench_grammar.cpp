// bench_grammar: structured outputs' cost per generated token at a Llama 3-sized vocabulary
// (128,256 tokens), against a decode step of the yardstick model (TARGETS.md) with that
// vocabulary, measured in the same run. Prints a table.
//
// The vocabulary is synthetic but BPE-like: every byte, then word pieces with and without a
// leading space or capital, numbers, punctuation runs, JSON and code fragments, indentation and
// UTF-8 pieces, deduplicated to 128,256 byte strings. Each workload walks a JSON document through
// a TokenMasker token by token (the document split greedily into the vocabulary's longest
// tokens), timing: the mask as generation gets it (cached per grammar state, the DFA warming up
// inside the request), the uncached trie walk for every step (the worst case), and the decode
// step (forward of one token with the KV cache and sampling, batch 1).
//
// usage: bench_grammar [--vocab 128256] [--decode-steps 32] [--no-model] [--threads N]
// (BENCH_GRAMMAR_TRACE=1 prints each step's uncached walk time and allowed count to stderr)
#include <sys/utsname.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <unistd.h>
#include <vector>

#include <nineteen/grammar/json_schema.hpp>
#include <nineteen/grammar/matcher.hpp>

#ifdef NINETEEN_BENCH_GRAMMAR_MODEL
#include <torch/torch.h>

#include "nineteen/models/llama_model.hpp"
#include "nineteen/models/random_llama.hpp"
#include "nineteen/models/sampler.hpp"
#endif

#include "bench_machine.hpp"

namespace {

using namespace nineteen::grammar;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::vector<std::string> synthetic_vocabulary(size_t size) {
  std::mt19937_64 rng(2026);
  std::vector<std::string> out;
  std::set<std::string> seen;
  auto add = [&](const std::string& t) {
    if (!t.empty() && out.size() < size && seen.insert(t).second) out.push_back(t);
  };
  for (int b = 0; b < 256; ++b) add(std::string(1, static_cast<char>(b)));
  const char* keys[] = {"name", "color", "ok", "tags", "id", "type", "value", "items", "title", "description",
                        "price", "count", "address", "city", "user", "email", "date", "status", "data", "text"};
  for (const char* k : keys) {
    for (const std::string& f : {std::string("\"") + k + "\"", std::string("\"") + k, std::string(k) + "\"",
                                 std::string(" \"") + k + "\":", std::string("{\"") + k + "\":"}) {
      add(f);
    }
  }
  for (const char* p : {"{", "}", "[", "]", "\":", "\",", "\":\"", "\",\"", "\"}", "\"]", "},{", "}]", "[{", "{\"",
                        ",\"", ": ", ", ", "\n", "\n  ", "\n    ", "\n\t", "  ", "    ", "true", "false", "null",
                        " true", " false", " null", "()", "();", "=>", "->", "::", "...", "\\n", "\\\"", "//"}) {
    add(p);
  }
  for (int n = 0; n < 1000; ++n) {
    add(std::to_string(n));
    add(" " + std::to_string(n));
  }
  const std::string consonants = "bcdfghjklmnprstvwz", vowels = "aeiou";
  const char* utf8[] = {"é", "è", "ü", "ö", "ñ", "ç", "ø", "å", "ß", "α", "β", "γ", "λ", "π", "Ж", "д", "я", "中", "文",
                        "日", "本", "語", "한", "국", "€", "’", "“", "”", "—", "…"};
  while (out.size() < size) {
    const unsigned kind = rng() % 10;
    std::string t;
    if (kind < 7) {  // a word piece
      const size_t syllables = 1 + rng() % 4;
      for (size_t s = 0; s < syllables; ++s) {
        t += consonants[rng() % consonants.size()];
        t += vowels[rng() % vowels.size()];
        if (rng() % 3 == 0) t += consonants[rng() % consonants.size()];
      }
      if (rng() % 4 == 0) t[0] = static_cast<char>(t[0] - 'a' + 'A');
      if (rng() % 2 == 0) t = " " + t;
    } else if (kind == 7) {  // UTF-8 pieces
      const size_t n = 1 + rng() % 3;
      for (size_t k = 0; k < n; ++k) t += utf8[rng() % (sizeof(utf8) / sizeof(utf8[0]))];
      if (rng() % 2 == 0) t = " " + t;
    } else if (kind == 8) {  // punctuation runs
      const std::string punct = "!#$%&'()*+,-./:;<=>?@[]^_`{|}~\"";
      const size_t n = 2 + rng() % 3;
      for (size_t k = 0; k < n; ++k) t += punct[rng() % punct.size()];
    } else {  // partial UTF-8 (byte-level BPE merges inside characters)
      const std::string c = utf8[rng() % (sizeof(utf8) / sizeof(utf8[0]))];
      t = c.substr(0, 1 + rng() % (c.size() - 1));
      t += consonants[rng() % consonants.size()];
    }
    add(t);
  }
  return out;
}

// Greedy longest-match split of `text` into vocabulary ids.
std::vector<int32_t> split_into_tokens(const std::string& text, const std::map<std::string, int32_t>& ids) {
  std::vector<int32_t> out;
  size_t at = 0;
  while (at < text.size()) {
    for (size_t len = std::min<size_t>(24, text.size() - at); len > 0; --len) {
      auto it = ids.find(text.substr(at, len));
      if (it != ids.end()) {
        out.push_back(it->second);
        at += len;
        break;
      }
    }
  }
  return out;
}

struct Workload {
  std::string name;
  std::shared_ptr<Grammar> grammar;
  std::string document;
};

struct Timing {
  double mean_us = 0, p50_us = 0, p99_us = 0, max_us = 0;
};

Timing summarise(std::vector<double> us) {
  Timing t;
  std::sort(us.begin(), us.end());
  for (double x : us) t.mean_us += x;
  t.mean_us /= static_cast<double>(us.size());
  t.p50_us = us[us.size() / 2];
  t.p99_us = us[std::min(us.size() - 1, static_cast<size_t>(us.size() * 0.99))];
  t.max_us = us.back();
  return t;
}

#ifdef NINETEEN_BENCH_GRAMMAR_MODEL
// Median seconds of one decode step (forward of one token with the KV cache, then greedy
// sampling) of the yardstick shape with `vocab` tokens.
double decode_step_seconds(int64_t vocab, int steps, int threads) {
  using namespace nineteen::models;
  if (threads > 0) torch::set_num_threads(threads);
  const std::string dir = (std::filesystem::temp_directory_path() / ("bench-grammar-" + std::to_string(::getpid()))).string();
  LlamaConfig c;
  c.vocab_size = vocab;
  c.hidden_size = 512;
  c.intermediate_size = 1408;
  c.num_hidden_layers = 8;
  c.num_attention_heads = 8;
  c.num_key_value_heads = 4;
  c.head_dim = 64;
  c.max_position_embeddings = 2048;
  c.tie_word_embeddings = true;  // the same work per step, half the file
  c.eos_token_ids = {0};
  RandomLlamaOptions options;
  write_random_llama(dir, c, options);
  LlamaModel model = LlamaModel::load(dir);
  std::filesystem::remove_all(dir);
  SamplingParams greedy;
  greedy.temperature = 0.0;
  std::vector<double> times;
  for (int r = 0; r < 2; ++r) {
    KvCache cache = model.new_cache(1, 16 + steps + 1);
    Sampler sampler(greedy);
    std::vector<int32_t> prompt;
    for (int i = 0; i < 16; ++i) prompt.push_back(static_cast<int32_t>((i * 7919 + 11) % vocab));
    Logits l = model.forward({prompt}, cache);
    for (int i = 0; i < steps; ++i) {
      auto start = Clock::now();
      int32_t t = sampler.next(l.row(0), l.vocab).token;
      l = model.forward({{t}}, cache);
      if (r > 0) times.push_back(seconds_since(start));
    }
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}
#endif

}  // namespace

int main(int argc, char** argv) {
  size_t vocab_size = 128256;
  int decode_steps = 32, threads = 0;
  bool with_model = true;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "bench_grammar: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--vocab") vocab_size = std::stoul(value());
    else if (a == "--decode-steps") decode_steps = std::stoi(value());
    else if (a == "--threads") threads = std::stoi(value());
    else if (a == "--no-model") with_model = false;
    else {
      std::fprintf(stderr, "usage: bench_grammar [--vocab 128256] [--decode-steps 32] [--no-model] [--threads N]\n");
      return 2;
    }
  }
  auto t0 = Clock::now();
  std::vector<std::string> vocab = synthetic_vocabulary(vocab_size);
  std::map<std::string, int32_t> ids;
  size_t bytes = 0;
  for (size_t i = 0; i < vocab.size(); ++i) {
    ids[vocab[i]] = static_cast<int32_t>(i);
    bytes += vocab[i].size();
  }
  auto trie = std::make_shared<VocabularyTrie>(vocab);
  const double trie_s = seconds_since(t0);

  const std::string schema = R"({"type":"object","properties":{
    "name":{"type":"string"},"email":{"type":"string"},"status":{"enum":["active","paused","closed"]},
    "count":{"type":"integer"},"price":{"type":"number"},"ok":{"type":"boolean"},
    "tags":{"type":"array","items":{"type":"string"},"maxItems":8},
    "address":{"type":"object","properties":{"city":{"type":"string"},"title":{"type":["string","null"]}},
               "required":["city"],"additionalProperties":false},
    "items":{"type":"array","items":{"$ref":"#/$defs/item"}}},
    "required":["name","status","ok","items"],"additionalProperties":false,
    "$defs":{"item":{"type":"object","properties":{"id":{"type":"integer"},"text":{"type":"string"}},
             "required":["id","text"],"additionalProperties":false}}})";
  const std::string document =
      R"({"name":"Ada Lovelace","email":"ada@example.com","status":"active","count":1843,"price":12.5,"ok":true,)"
      R"("tags":["analytical","engine","notes"],"address":{"city":"London","title":null},)"
      R"("items":[{"id":1,"text":"Note G describes an algorithm"},{"id":2,"text":"Bernoulli numbers — in full"}]})";
  std::vector<Workload> workloads;
  workloads.push_back({"json_schema (nested, $ref)", std::make_shared<Grammar>(json_schema_grammar(schema, {0})), document});
  workloads.push_back({"json_object (any JSON)", std::make_shared<Grammar>(json_object_grammar({0})), document});
  workloads.push_back({"json_schema, whitespace 2", std::make_shared<Grammar>(json_schema_grammar(schema, {2})), document});

  double decode_s = 0;
#ifdef NINETEEN_BENCH_GRAMMAR_MODEL
  if (with_model) decode_s = decode_step_seconds(static_cast<int64_t>(vocab.size()), decode_steps, threads);
#else
  with_model = false;
#endif

  std::printf("bench_grammar: constrained decoding per token, vocabulary of %zu synthetic BPE-like tokens "
              "(%zu bytes, trie of %zu nodes built in %.2f s)\n",
              vocab.size(), bytes, trie->node_count(), trie_s);
  std::printf("cpu: %s; load average %.2f; path: lazy DFA over hash-consed parse stacks, preorder trie walk, "
              "masks cached per DFA state\n", bench::cpu_model().c_str(), bench::load_average());
  if (with_model) {
    std::printf("decode step (yardstick shape: hidden 512, 8 layers, f32, vocab %zu, batch 1, KV cache): %.3f ms "
                "(median of %d)\n\n", vocab.size(), decode_s * 1e3, decode_steps);
  } else {
    std::printf("decode step: not measured (--no-model or built without libtorch)\n\n");
  }
  std::printf("| workload | tokens | mask as generated: mean / p50 / p99 / max µs | %% of decode step (mean) | "
              "uncached walk: mean / p99 µs | allowed tokens (mean) |\n|---|---|---|---|---|---|\n");
  for (const Workload& w : workloads) {
    const std::vector<int32_t> tokens = split_into_tokens(w.document, ids);
    std::vector<double> generated, uncached;
    double allowed = 0;
    for (int round = 0; round < 3; ++round) {  // each round a fresh request (cold DFA and cache)
      TokenMasker masker(w.grammar, trie, {static_cast<int32_t>(vocab.size() - 1)});
      TokenMask scratch;
      for (size_t i = 0; i <= tokens.size(); ++i) {
        auto start = Clock::now();
        const TokenMask& m = masker.mask();
        const bool ok = i == tokens.size() || m.allowed(tokens[i]);
        if (i < tokens.size()) masker.accept(tokens[i], vocab[tokens[i]]);
        generated.push_back(seconds_since(start) * 1e6);
        if (!ok) {
          std::fprintf(stderr, "bench_grammar: %s: token %zu (\"%s\") not allowed: the document does not match\n",
                       w.name.c_str(), i, vocab[tokens[i]].c_str());
          return 1;
        }
        if (round == 0) allowed += static_cast<double>(m.count());
      }
      // The uncached walk from each state the document passes through.
      GrammarAutomaton::State s = masker.automaton().start();
      for (size_t i = 0; i <= tokens.size(); ++i) {
        auto start = Clock::now();
        masker.compute(s, scratch);
        uncached.push_back(seconds_since(start) * 1e6);
        if (std::getenv("BENCH_GRAMMAR_TRACE") && round == 2) {
          std::fprintf(stderr, "%s step %zu before \"%s\": %.1f us, %zu allowed\n", w.name.c_str(), i,
                       i < tokens.size() ? vocab[tokens[i]].c_str() : "(end)", uncached.back(), scratch.count());
        }
        if (i < tokens.size()) s = masker.automaton().run(s, vocab[tokens[i]]);
      }
    }
    Timing g = summarise(generated), u = summarise(uncached);
    char ratio[32] = "n/a";
    if (decode_s > 0) std::snprintf(ratio, sizeof ratio, "%.2f %%", 100.0 * g.mean_us * 1e-6 / decode_s);
    std::printf("| %s | %zu | %.1f / %.1f / %.1f / %.1f | %s | %.1f / %.1f | %.0f |\n", w.name.c_str(), tokens.size(),
                g.mean_us, g.p50_us, g.p99_us, g.max_us, ratio, u.mean_us, u.p99_us,
                allowed / static_cast<double>(tokens.size() + 1));
  }
  if (decode_s > 0) {
    std::printf("\ntarget: mask time per token < 10 %% of a decode step (issue 25)\n");
  }
  return 0;
}
