// Running a Grammar over bytes, and the token mask it allows over a model's vocabulary.
//
// GrammarAutomaton is a pushdown matcher turned into a lazily built DFA: a state is the set of
// parse stacks alive after the bytes so far (stacks are hash-consed, so equal stacks are one id),
// and each (state, byte) transition is computed once and then read from a 256-entry table. The
// mask for a state walks a trie of the vocabulary's byte strings in preorder, skipping a whole
// subtree as soon as its prefix is dead, so the cost is the number of live prefixes, not the
// vocabulary size times the token length. One automaton per request: not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "nineteen/grammar/grammar.hpp"

namespace nineteen::grammar {

class GrammarAutomaton {
 public:
  using State = int32_t;
  static constexpr State kDead = 0;

  // `max_states` bounds the stacks and DFA states built (each costs about 1 KiB); past it step()
  // throws GrammarError, so a hostile grammar cannot take the process's memory.
  explicit GrammarAutomaton(std::shared_ptr<const Grammar> grammar, size_t max_states = 200000);

  State start() const { return start_; }
  State step(State s, uint8_t byte) {
    int32_t t = states_[s].next ? states_[s].next[byte] : -1;
    return t >= 0 ? t : compute_step(s, byte);
  }
  State run(State s, std::string_view bytes) {
    for (char c : bytes) {
      if (s == kDead) return s;
      s = step(s, static_cast<uint8_t>(c));
    }
    return s;
  }
  bool accepts(State s) const { return states_[s].accept; }  // the text so far is a complete match
  bool can_continue(State s) const { return !states_[s].frontier.empty(); }
  // The bytes that lead from `s` back to `s` (inside a JSON string: nearly all of them).
  const ByteSet& self_loop(State s);
  size_t state_count() const { return states_.size(); }
  const Grammar& grammar() const { return *grammar_; }

  // Whole-text match: does `text` belong to the grammar's language?
  bool matches(std::string_view text) { return accepts(run(start_, text)); }

 private:
  struct Node {
    uint32_t pos;    // next element to match, into code_
    int32_t parent;  // the stack below (-1: empty)
  };
  struct Closure {
    bool done = false;
    bool busy = false;
    bool accept = false;
    std::vector<int32_t> frontier;  // nodes whose next element is a byte set
  };
  struct StateData {
    std::vector<int32_t> frontier;
    bool accept = false;
    std::unique_ptr<int32_t[]> next;  // 256 transitions, -1 = not computed yet
    bool loop_known = false;
    ByteSet loop;
  };

  int32_t node(uint32_t pos, int32_t parent);
  int32_t continuation(uint32_t pos, int32_t parent);  // pos after a matched element; pops past ends
  const Closure& closure(int32_t n);
  State intern(std::vector<int32_t>& frontier, bool accept);
  State compute_step(State s, uint8_t byte);
  void grow_check();

  std::shared_ptr<const Grammar> grammar_;
  size_t max_states_;
  // The grammar flattened: each alternative's elements then an end marker (kind End).
  struct Code {
    uint8_t kind;  // 0 byte set, 1 rule, 2 end
    uint32_t index;
  };
  std::vector<Code> code_;
  std::vector<std::vector<uint32_t>> rule_starts_;  // rule -> position of each alternative
  std::vector<Node> nodes_;
  std::unordered_map<uint64_t, int32_t> node_ids_;
  std::vector<Closure> closures_;
  std::vector<StateData> states_;
  std::unordered_map<std::string, State> state_ids_;
  State start_ = kDead;
};

// A model's vocabulary as a byte trie, stored in preorder. Tokens with no bytes (special tokens,
// unassigned ids) are not in it: a grammar never allows them.
class VocabularyTrie {
 public:
  explicit VocabularyTrie(const std::vector<std::string>& token_bytes);
  size_t vocab_size() const { return vocab_size_; }
  size_t node_count() const { return byte_.size(); }

 private:
  friend class TokenMasker;
  size_t vocab_size_ = 0;
  // Node i (0 is the root, the empty prefix): its byte, its depth, the first node after its
  // subtree, and the tokens spelled exactly by its prefix (token_ids_[token_begin_[i] .. [i+1])).
  std::vector<uint8_t> byte_;
  std::vector<uint16_t> depth_;
  std::vector<uint32_t> subtree_end_;
  std::vector<uint32_t> token_begin_;
  std::vector<int32_t> token_ids_;
  size_t max_depth_ = 0;
  // The bytes below node i (not its own), as an index into descendant_sets_: where they all loop
  // back to the state reached at i, every token of the subtree is allowed without walking it.
  std::vector<uint32_t> descendants_;
  std::vector<ByteSet> descendant_sets_;
};

// A bit per vocabulary id.
struct TokenMask {
  std::vector<uint64_t> bits;
  bool allowed(int32_t id) const {
    return id >= 0 && static_cast<size_t>(id) < bits.size() * 64 && ((bits[id >> 6] >> (id & 63)) & 1u);
  }
  void allow(int32_t id) { bits[id >> 6] |= uint64_t(1) << (id & 63); }
  size_t count() const;
};

// One request's constrained decoding: the current state, and the mask of tokens allowed next.
// End tokens (the model's stop tokens) are allowed exactly when the text so far is complete.
// Masks are cached per automaton state (JSON revisits few states), up to `cache_masks` of them.
class TokenMasker {
 public:
  TokenMasker(std::shared_ptr<const Grammar> grammar, std::shared_ptr<const VocabularyTrie> trie,
              std::vector<int32_t> end_tokens, size_t max_states = 200000, size_t cache_masks = 64);

  const TokenMask& mask();
  // Advances by a token; false (state unchanged) when the mask does not allow it.
  bool accept(int32_t token, const std::string& token_bytes);
  bool complete() const { return automaton_.accepts(state_); }
  // Complete and nothing more can follow: only an end token is allowed.
  bool finished() const { return complete() && !automaton_.can_continue(state_); }
  GrammarAutomaton& automaton() { return automaton_; }

  // The walk itself, uncached (for benchmarks).
  void compute(GrammarAutomaton::State s, TokenMask& out);

 private:
  GrammarAutomaton automaton_;
  std::shared_ptr<const VocabularyTrie> trie_;
  std::vector<int32_t> end_tokens_;
  GrammarAutomaton::State state_;
  size_t cache_limit_;
  std::unordered_map<GrammarAutomaton::State, std::shared_ptr<TokenMask>> cache_;
  std::vector<GrammarAutomaton::State> walk_;  // scratch: state per trie depth
  std::shared_ptr<TokenMask> current_;
};

}  // namespace nineteen::grammar
