// A Llama-family decoder (libtorch, CPU) loaded from a Hugging Face model directory.
//
// This header keeps libtorch out: the model, its KV cache and its outputs are opaque or plain
// C++ types, so code that includes it compiles quickly and runtime/ could include it safely.
//
// Typical use:
//   LoadOptions options;
//   options.threads = 2;
//   LlamaModel model = LlamaModel::load(dir, options);
//   KvCache cache = model.new_cache(/*batch=*/1, /*capacity=*/prompt.size() + max_tokens);
//   Logits l = model.forward({prompt}, cache);           // logits after the last prompt token
//   Sampler sampler(params);                             // see sampler.hpp
//   TokenChoice t = sampler.next(l.row(0), l.vocab);
//   l = model.forward({{t.token}}, cache);               // one decode step
// Checking many answers at once:
//   std::vector<SequenceScore> s = model.score({{prompt_and_answer, prompt_length}, ...});
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nineteen/models/llama_config.hpp"

namespace nineteen::models {

class SafetensorsSet;

// How the weights are held in memory. F32: every weight converted to f32 (f16/bf16 files are
// widened). BF16: matrix weights kept in bf16 (half the memory and bandwidth; matrix products
// run in bf16 with f32 accumulation, or in f32 where the CPU has no fast bf16: see
// CheckingProducts), norms and everything else in f32. Q8: matrix weights and the output head
// quantised to 8 bits in blocks of 32 sharing an f16 scale (llama.cpp's Q8_0; ~28 % of f32's
// memory), decode steps and short batches (≤ 64 rows) in int8 × int8 products with the activation
// quantised per block, longer batches (checking) on weights dequantised to f32 per product; the
// token embedding is kept in bf16. CPU only. Quality loss against F32: bench_llm prints it.
enum class WeightStorage { F32, BF16, Q8 };

// Which arithmetic batched products (prefill, score()) use for BF16 weights. Auto: bf16 where the
// CPU has AMX (libtorch's bf16 gemm is fast there), else f32 on weights widened per product (bf16
// gemm ran ~35× slower than f32 on an AVX2-only EPYC, and 0.87× f32 with avx512_bf16 alone).
// Bf16 / F32 force one path (tests run both on one machine). Decode steps do not depend on it.
enum class CheckingProducts { Auto, Bf16, F32 };

struct LoadOptions {
  WeightStorage storage = WeightStorage::F32;
  // Intra-op threads for libtorch; applied with at::set_num_threads, which is process-wide.
  // 0 leaves the current setting alone. Loading also makes OpenBLAS single-threaded (also
  // process-wide): the decoder parallelises its matrix products itself on libtorch's threads.
  int threads = 0;
  // Where the weights live and the batched passes run: "cpu", "cuda" or "cuda:N". Empty: the
  // build's default (CMake's NINETEEN_TORCH_DEVICE, "cpu" unless set). On CUDA the single-token
  // decode kernels of this file (CPU only) give way to libtorch's own operators; outputs (Logits,
  // SequenceScore) are copied back to the host. Loading throws sdk::Error naming the device when
  // this libtorch has no CUDA or sees no GPU.
  std::string device;
  CheckingProducts checking = CheckingProducts::Auto;
};

// Whether libtorch's bf16 products beat f32 ones on this CPU (it has AMX-BF16).
bool cpu_has_fast_bf16();

// The device an empty LoadOptions::device means in this build ("cpu" or "cuda").
const char* default_torch_device();

// Row-major logits: rows() × vocab floats. Which rows exist depends on the call (see forward).
struct Logits {
  int64_t vocab = 0;
  std::vector<float> values;
  // Sequence b's rows are [row_begin[b], row_begin[b + 1]).
  std::vector<int64_t> row_begin;

  int64_t rows() const { return vocab ? static_cast<int64_t>(values.size()) / vocab : 0; }
  const float* row(int64_t r) const { return values.data() + r * vocab; }
  // The last row of sequence b.
  const float* last_row(int64_t b) const { return row(row_begin[b + 1] - 1); }
};

// Per-sequence key/value cache for `batch` sequences of up to `capacity` tokens each, made by
// LlamaModel::new_cache and usable only with that model. Sequences advance independently (each
// has its own length). Move-only. Not safe to use from two threads at once.
class KvCache {
 public:
  KvCache(KvCache&&) noexcept;
  KvCache& operator=(KvCache&&) noexcept;
  ~KvCache();

  int64_t batch() const;
  int64_t capacity() const;
  // Tokens already held for sequence b.
  int64_t length(int64_t b) const;
  // Forgets sequence b's tokens (or all, with b = -1), keeping the memory.
  void reset(int64_t b = -1);
  // Drops sequence b's tokens beyond `length` (e.g. to reuse a shared prompt).
  void truncate(int64_t b, int64_t length);
  // Makes sequence `to` a copy of sequence `from` (its tokens' keys, values and length), so a
  // continuous batch can keep its running sequences in adjacent slots (see forward_slots).
  void copy_sequence(int64_t from, int64_t to);

 private:
  friend class LlamaModel;
  struct State;
  explicit KvCache(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

enum class LogitRows { Last, All };

struct TokenLogprob {
  int32_t token = 0;
  float logprob = 0.0f;
};

// One answer to check: the full token sequence (prompt then answer) and where the answer starts.
// Positions first_scored .. tokens.size()-1 are scored, each given the tokens before it.
struct ScoreRequest {
  std::vector<int32_t> tokens;
  int64_t first_scored = 1;
  // Constrained decoding: empty, or one bitset per scored position (bit t: token t allowed, 64 per
  // word); the distribution at a position is then the model's renormalised over the allowed tokens
  // (logprob, rank and top alternatives all read the masked logits).
  std::vector<std::vector<uint64_t>> allowed;
};

struct ScoreOptions {
  // How many of the most likely tokens to report at each scored position.
  int top_n = 20;
};

// The reference distribution (raw log-softmax, no temperature) at one scored position.
struct ScoredToken {
  int32_t token = 0;      // the token that was there
  float logprob = 0.0f;   // its log-probability under the model
  int64_t rank = 0;       // how many tokens the model found strictly more likely (0 = top choice)
  std::vector<TokenLogprob> top;  // the top_n most likely tokens, most likely first
};

struct SequenceScore {
  std::vector<ScoredToken> positions;  // one per scored position, in order
};

// A loaded decoder. Immutable after load: forward and score are const and may run concurrently
// from several threads as long as each uses its own KvCache.
class LlamaModel {
 public:
  // Reads <dir>/config.json (+ generation_config.json) and the safetensors weights. Errors
  // (sdk::Error) name the file and, for weights, the tensor with expected and actual shape.
  static LlamaModel load(const std::string& dir, const LoadOptions& options = {});
  // The same from an already-parsed config and opened weights.
  static LlamaModel from_weights(const LlamaConfig& config, const SafetensorsSet& weights,
                                 const LoadOptions& options = {});

  LlamaModel(LlamaModel&&) noexcept;
  LlamaModel& operator=(LlamaModel&&) noexcept;
  ~LlamaModel();

  const LlamaConfig& config() const;
  WeightStorage storage() const;
  std::string device() const;  // e.g. "cpu", "cuda:0"
  // How decode steps and batched products (checking) run with this storage on this CPU, in words
  // (bench_llm prints it), e.g. "decode bf16 kernels (avx512); batches f32 (bf16 widened: CPU lacks AMX)".
  std::string compute_path() const;

  // A cache for `batch` sequences of up to `capacity` tokens (≤ max_position_embeddings).
  KvCache new_cache(int64_t batch, int64_t capacity) const;

  // Appends tokens[b] to sequence b of the cache (tokens.size() must equal cache.batch(); each
  // sequence gets at least one token; sequences of different lengths are padded internally and
  // masked) and returns the logits: with LogitRows::Last one row per sequence (the prediction
  // after its last new token), with LogitRows::All one row per new token. Throws sdk::Error if a
  // token is outside the vocabulary or the cache would overflow.
  Logits forward(const std::vector<std::vector<int32_t>>& tokens, KvCache& cache,
                 LogitRows rows = LogitRows::Last) const;
  // The same over the adjacent slots first .. first + tokens.size() - 1 of the cache only
  // (tokens[i] goes to slot first + i); the other slots sit out, untouched. A continuous batch
  // runs one such pass per step over its running sequences, so each weight is read once for all.
  Logits forward_slots(int64_t first, const std::vector<std::vector<int32_t>>& tokens, KvCache& cache,
                       LogitRows rows = LogitRows::Last) const;

  // Logits at every position of one sequence, computed from scratch without a kept cache.
  Logits full_logits(const std::vector<int32_t>& tokens) const;

  // Teacher-forced checking: one batched forward pass over all requests (padded to the longest)
  // and, at every scored position, the raw-distribution logprob and rank of the token present
  // and the top_n alternatives.
  std::vector<SequenceScore> score(const std::vector<ScoreRequest>& requests,
                                   const ScoreOptions& options = {}) const;

 private:
  struct Weights;
  explicit LlamaModel(std::unique_ptr<Weights> weights);
  std::unique_ptr<Weights> w_;
};

}  // namespace nineteen::models
