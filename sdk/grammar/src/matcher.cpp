#include "nineteen/grammar/matcher.hpp"

#include <algorithm>
#include <cstring>
#include <map>

namespace nineteen::grammar {

GrammarAutomaton::GrammarAutomaton(std::shared_ptr<const Grammar> grammar, size_t max_states)
    : grammar_(std::move(grammar)), max_states_(max_states) {
  const Grammar& g = *grammar_;
  rule_starts_.resize(g.rules.size());
  for (size_t r = 0; r < g.rules.size(); ++r) {
    for (const auto& alt : g.rules[r]) {
      rule_starts_[r].push_back(static_cast<uint32_t>(code_.size()));
      for (const Element& e : alt) code_.push_back({static_cast<uint8_t>(e.kind == Element::Bytes ? 0 : 1), e.index});
      code_.push_back({2, 0});
    }
  }
  std::vector<int32_t> none;
  intern(none, false);  // state 0: dead
  std::vector<int32_t> frontier;
  bool accept = false;
  for (uint32_t start : rule_starts_[g.root]) {
    const Closure& c = closure(node(start, -1));
    frontier.insert(frontier.end(), c.frontier.begin(), c.frontier.end());
    accept = accept || c.accept;
  }
  start_ = intern(frontier, accept);
}

void GrammarAutomaton::grow_check() {
  if (nodes_.size() + states_.size() > max_states_) {
    throw GrammarError("grammar: matching needs more than " + std::to_string(max_states_) +
                       " parser states; simplify the grammar or schema (or raise the task's grammar_max_states)");
  }
}

int32_t GrammarAutomaton::node(uint32_t pos, int32_t parent) {
  uint64_t key = (uint64_t(pos) << 32) | static_cast<uint32_t>(parent);
  auto it = node_ids_.find(key);
  if (it != node_ids_.end()) return it->second;
  grow_check();
  int32_t id = static_cast<int32_t>(nodes_.size());
  nodes_.push_back({pos, parent});
  closures_.emplace_back();
  node_ids_.emplace(key, id);
  return id;
}

int32_t GrammarAutomaton::continuation(uint32_t pos, int32_t parent) {
  // An alternative's end returns to the stack below: no node for it (so right recursion is flat).
  return code_[pos].kind == 2 ? parent : node(pos, parent);
}

const GrammarAutomaton::Closure& GrammarAutomaton::closure(int32_t n) {
  static const Closure kAccept = [] {
    Closure c;
    c.done = true;
    c.accept = true;
    return c;
  }();
  if (n < 0) return kAccept;
  if (closures_[n].done) return closures_[n];
  if (closures_[n].busy) {
    throw GrammarError("grammar: a rule recurs without consuming input");  // check_left_recursion prevents this
  }
  closures_[n].busy = true;
  Closure result;
  const Node nd = nodes_[n];
  const Code c = code_[nd.pos];
  if (c.kind == 0) {
    result.frontier.push_back(n);
  } else if (c.kind == 2) {
    const Closure& below = closure(nd.parent);
    result.accept = below.accept;
    result.frontier = below.frontier;
  } else {
    const int32_t cont = continuation(nd.pos + 1, nd.parent);
    // Copy: rule_starts_ is stable, but closure() may grow closures_ and move the vector.
    const std::vector<uint32_t> starts = rule_starts_[c.index];
    for (uint32_t start : starts) {
      const int32_t child = continuation(start, cont);
      Closure sub = closure(child);
      result.accept = result.accept || sub.accept;
      result.frontier.insert(result.frontier.end(), sub.frontier.begin(), sub.frontier.end());
    }
    std::sort(result.frontier.begin(), result.frontier.end());
    result.frontier.erase(std::unique(result.frontier.begin(), result.frontier.end()), result.frontier.end());
  }
  result.done = true;
  closures_[n] = std::move(result);
  return closures_[n];
}

GrammarAutomaton::State GrammarAutomaton::intern(std::vector<int32_t>& frontier, bool accept) {
  std::sort(frontier.begin(), frontier.end());
  frontier.erase(std::unique(frontier.begin(), frontier.end()), frontier.end());
  std::string key(1, accept ? '\1' : '\0');
  key.append(reinterpret_cast<const char*>(frontier.data()), frontier.size() * sizeof(int32_t));
  auto it = state_ids_.find(key);
  if (it != state_ids_.end()) return it->second;
  grow_check();
  State id = static_cast<State>(states_.size());
  StateData d;
  d.frontier = frontier;
  d.accept = accept;
  states_.push_back(std::move(d));
  state_ids_.emplace(std::move(key), id);
  return id;
}

GrammarAutomaton::State GrammarAutomaton::compute_step(State s, uint8_t byte) {
  if (!states_[s].next) {
    states_[s].next.reset(new int32_t[256]);
    std::fill(states_[s].next.get(), states_[s].next.get() + 256, -1);
  }
  std::vector<int32_t> frontier;
  bool accept = false;
  const std::vector<int32_t> from = states_[s].frontier;
  for (int32_t n : from) {
    const Node nd = nodes_[n];
    if (!grammar_->byte_sets[code_[nd.pos].index].has(byte)) continue;
    const Closure& c = closure(continuation(nd.pos + 1, nd.parent));
    accept = accept || c.accept;
    frontier.insert(frontier.end(), c.frontier.begin(), c.frontier.end());
  }
  State t = frontier.empty() && !accept ? kDead : intern(frontier, accept);
  states_[s].next[byte] = t;
  return t;
}

const ByteSet& GrammarAutomaton::self_loop(State s) {
  if (!states_[s].loop_known) {
    ByteSet loop;
    if (s != kDead) {
      for (unsigned b = 0; b < 256; ++b) {
        if (step(s, static_cast<uint8_t>(b)) == s) loop.add(static_cast<uint8_t>(b), static_cast<uint8_t>(b));
      }
    }
    states_[s].loop = loop;
    states_[s].loop_known = true;
  }
  return states_[s].loop;
}

VocabularyTrie::VocabularyTrie(const std::vector<std::string>& token_bytes) : vocab_size_(token_bytes.size()) {
  std::vector<int32_t> order;
  for (size_t i = 0; i < token_bytes.size(); ++i) {
    if (!token_bytes[i].empty()) order.push_back(static_cast<int32_t>(i));
  }
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    return token_bytes[a] != token_bytes[b] ? token_bytes[a] < token_bytes[b] : a < b;
  });
  // Sorted strings give the preorder directly: a path stack of (node, depth).
  byte_.push_back(0);
  depth_.push_back(0);
  token_begin_.push_back(0);
  std::vector<uint32_t> path = {0};  // path[d] = node at depth d on the current branch
  std::string previous;
  std::vector<std::vector<int32_t>> tokens_at(1);
  for (int32_t id : order) {
    const std::string& t = token_bytes[id];
    size_t common = 0;
    while (common < t.size() && common < previous.size() && t[common] == previous[common]) ++common;
    path.resize(common + 1);
    for (size_t d = common; d < t.size(); ++d) {
      path.push_back(static_cast<uint32_t>(byte_.size()));
      byte_.push_back(static_cast<uint8_t>(t[d]));
      depth_.push_back(static_cast<uint16_t>(std::min<size_t>(d + 1, 65535)));
      tokens_at.emplace_back();
    }
    tokens_at[path[t.size()]].push_back(id);
    max_depth_ = std::max(max_depth_, t.size());
    previous = t;
  }
  const size_t n = byte_.size();
  subtree_end_.assign(n, static_cast<uint32_t>(n));
  std::vector<uint32_t> open;  // nodes whose subtree is still open, by depth
  for (uint32_t i = 0; i < n; ++i) {
    while (!open.empty() && depth_[open.back()] >= depth_[i]) {
      subtree_end_[open.back()] = i;
      open.pop_back();
    }
    open.push_back(i);
  }
  token_begin_.assign(n + 1, 0);
  for (size_t i = 0; i < n; ++i) token_begin_[i + 1] = token_begin_[i] + static_cast<uint32_t>(tokens_at[i].size());
  for (size_t i = 0; i < n; ++i) token_ids_.insert(token_ids_.end(), tokens_at[i].begin(), tokens_at[i].end());
  // Descendant byte sets, children before parents (reverse preorder), deduplicated.
  std::vector<ByteSet> below(n);
  std::vector<uint32_t> parent_at(max_depth_ + 2, 0);
  std::vector<uint32_t> parent(n, 0);
  for (uint32_t i = 1; i < n; ++i) {
    parent_at[depth_[i]] = i;
    parent[i] = parent_at[depth_[i] - 1];
  }
  for (uint32_t i = static_cast<uint32_t>(n); i-- > 1;) {
    ByteSet& p = below[parent[i]];
    for (int w = 0; w < 4; ++w) p.bits[w] |= below[i].bits[w];
    p.add(byte_[i], byte_[i]);
  }
  std::map<std::array<uint64_t, 4>, uint32_t> ids;
  descendants_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    auto [it, fresh] = ids.emplace(below[i].bits, static_cast<uint32_t>(descendant_sets_.size()));
    if (fresh) descendant_sets_.push_back(below[i]);
    descendants_[i] = it->second;
  }
}

size_t TokenMask::count() const {
  size_t n = 0;
  for (uint64_t w : bits) n += static_cast<size_t>(__builtin_popcountll(w));
  return n;
}

TokenMasker::TokenMasker(std::shared_ptr<const Grammar> grammar, std::shared_ptr<const VocabularyTrie> trie,
                         std::vector<int32_t> end_tokens, size_t max_states, size_t cache_masks)
    : automaton_(std::move(grammar), max_states),
      trie_(std::move(trie)),
      end_tokens_(std::move(end_tokens)),
      state_(automaton_.start()),
      cache_limit_(cache_masks) {}

void TokenMasker::compute(GrammarAutomaton::State s, TokenMask& out) {
  const VocabularyTrie& t = *trie_;
  out.bits.assign((t.vocab_size_ + 63) / 64, 0);
  walk_.resize(t.max_depth_ + 1);
  walk_[0] = s;
  const uint32_t n = static_cast<uint32_t>(t.byte_.size());
  const uint8_t* bytes = t.byte_.data();
  const uint16_t* depth = t.depth_.data();
  const uint32_t* end = t.subtree_end_.data();
  const uint32_t* begin = t.token_begin_.data();
  const uint32_t* below = t.descendants_.data();
  // Whether every byte below node i loops back to `state` (then the whole subtree is allowed).
  auto closed = [&](uint32_t i, GrammarAutomaton::State state) {
    const ByteSet& need = t.descendant_sets_[below[i]];
    const ByteSet& loop = automaton_.self_loop(state);
    for (int w = 0; w < 4; ++w) {
      if (need.bits[w] & ~loop.bits[w]) return false;
    }
    return true;
  };
  const int32_t* ids = t.token_ids_.data();
  uint32_t i = 1;
  if (s != GrammarAutomaton::kDead && n > 1 && closed(0, s)) {  // every token loops: all allowed
    for (uint32_t k = 0; k < t.token_ids_.size(); ++k) out.allow(ids[k]);
    i = n;
  }
  while (i < n) {
    const GrammarAutomaton::State next = automaton_.step(walk_[depth[i] - 1], bytes[i]);
    if (next == GrammarAutomaton::kDead) {
      i = end[i];
      continue;
    }
    walk_[depth[i]] = next;
    if (end[i] > i + 1 && closed(i, next)) {
      for (uint32_t k = begin[i]; k < begin[end[i]]; ++k) out.allow(ids[k]);
      i = end[i];
      continue;
    }
    for (uint32_t k = begin[i]; k < begin[i + 1]; ++k) out.allow(ids[k]);
    ++i;
  }
  if (automaton_.accepts(s)) {
    for (int32_t e : end_tokens_) {
      if (e >= 0 && static_cast<size_t>(e) < t.vocab_size_) out.allow(e);
    }
  }
}

const TokenMask& TokenMasker::mask() {
  auto it = cache_.find(state_);
  if (it != cache_.end()) {
    current_ = it->second;
    return *current_;
  }
  auto m = std::make_shared<TokenMask>();
  compute(state_, *m);
  if (cache_.size() >= cache_limit_) cache_.clear();
  cache_.emplace(state_, m);
  current_ = m;
  return *current_;
}

bool TokenMasker::accept(int32_t token, const std::string& token_bytes) {
  if (!mask().allowed(token)) return false;
  if (std::find(end_tokens_.begin(), end_tokens_.end(), token) != end_tokens_.end()) return true;
  GrammarAutomaton::State next = automaton_.run(state_, token_bytes);
  if (next == GrammarAutomaton::kDead) return false;
  state_ = next;
  return true;
}

}  // namespace nineteen::grammar
