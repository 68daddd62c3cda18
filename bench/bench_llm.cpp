// bench_llm: decode and teacher-forced checking speed of the Llama decoder against the machine's
// measured sgemm rate, for the tiny model and the yardstick model (TARGETS.md), each row beside
// llama.cpp run in the same invocation on a GGUF export of the same weights (node-llama-cpp's
// prebuilt CPU build, bench/llama-cpp-js; skipped with a note where node or the package is
// absent). Prints three tables: decode and checking per weight storage and thread count; many
// sequences decoding together; decode speed as the context grows.
//
// usage: bench_llm [--threads 1,2] [--decode-tokens 128] [--check-batch 8] [--check-length 128]
//                  [--models tiny,yardstick] [--storage f32,bf16,q8] [--repeats 3]
//                  [--parallel 1,4,8,16] [--parallel-tokens 64] [--contexts 64,512,2048]
//                  [--context-tokens 32] [--wide-threads 1] [--llama-cpp auto|off]
//                  [--llama-cpp-js DIR] [--checking auto|bf16|f32]
// --checking: batched products on bf16 weights (auto: by CPU). Each row is followed by the path our
// engine took; then, for bf16 and q8, their quality against f32.
// Storages and their llama.cpp counterparts: f32 ~ GGUF F32, bf16 ~ GGUF F16, q8 ~ GGUF Q8_0.
#include <dlfcn.h>
#include <torch/torch.h>

#include <rapidjson/document.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "bench_machine.hpp"
#include "nineteen/devnet/child_process.hpp"
#include "nineteen/models/gguf_writer.hpp"
#include "nineteen/models/llama_model.hpp"
#include "nineteen/models/sampler.hpp"
#include "nineteen/models/tiny_llama_maker.hpp"
#include "nineteen/sdk/blas_core.hpp"
#include "nineteen/sdk/error.hpp"
#include "src/matrix_vector.hpp"

namespace {

using namespace nineteen::models;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// GFLOP/s of a 1024×1024 by 1024×1024 f32 product through libtorch's BLAS (OpenBLAS) running
// `threads` threads, best of a second of runs. The decoder keeps OpenBLAS single-threaded and
// splits products itself, so the setting is put back to 1 afterwards.
double measure_sgemm_gflops(int threads) {
  using SetThreads = void (*)(int);
  auto set_openblas = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (set_openblas) set_openblas(threads);
  struct Restore {
    SetThreads set;
    ~Restore() {
      if (set) set(1);
    }
  } restore{set_openblas};
  torch::NoGradGuard no_grad;
  torch::manual_seed(0);
  torch::Tensor a = torch::randn({1024, 1024}), b = torch::randn({1024, 1024}), c = torch::empty({1024, 1024});
  for (int i = 0; i < 3; ++i) torch::mm_out(c, a, b);
  double best = 1e9;
  auto start = Clock::now();
  while (seconds_since(start) < 1.0) {
    auto t = Clock::now();
    torch::mm_out(c, a, b);
    best = std::min(best, seconds_since(t));
  }
  return 2.0 * 1024 * 1024 * 1024 / best / 1e9;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::vector<int32_t> bench_tokens(int64_t n, int64_t vocab, int salt) {
  std::vector<int32_t> t;
  for (int64_t i = 0; i < n; ++i) t.push_back(static_cast<int32_t>((i * 131 + salt * 17 + 3) % vocab));
  return t;
}

// Tokens per second of greedy decoding (batch 1, KV cache) after a 16-token prompt.
double decode_rate(const LlamaModel& model, int tokens, int repeats) {
  const int64_t vocab = model.config().vocab_size;
  std::vector<double> rates;
  SamplingParams greedy;
  greedy.temperature = 0.0;
  for (int r = 0; r < repeats + 1; ++r) {
    KvCache cache = model.new_cache(1, 16 + tokens);
    Sampler sampler(greedy);
    Logits l = model.forward({bench_tokens(16, vocab, r)}, cache);
    auto start = Clock::now();
    for (int i = 0; i < tokens; ++i) {
      int32_t t = sampler.next(l.row(0), l.vocab).token;
      l = model.forward({{t}}, cache);
    }
    if (r > 0) rates.push_back(tokens / seconds_since(start));  // the first run warms up
  }
  return median(rates);
}

// Tokens per second of teacher-forced checking: `batch` sequences of `length` tokens in one score
// call, each scored after a quarter-length prompt with the top 20 alternatives.
double check_rate(const LlamaModel& model, int batch, int length, int repeats) {
  std::vector<ScoreRequest> requests;
  for (int b = 0; b < batch; ++b) requests.push_back({bench_tokens(length, model.config().vocab_size, b), length / 4});
  std::vector<double> rates;
  for (int r = 0; r < repeats + 1; ++r) {
    auto start = Clock::now();
    model.score(requests);
    if (r > 0) rates.push_back(double(batch) * length / seconds_since(start));
  }
  return median(rates);
}

// Greedy decode of `tokens` tokens after the cache holds `context` tokens: the cost of a step as
// the context grows (attention reads the whole cache; the rest does not change).
double context_decode_rate(const LlamaModel& model, int context, int tokens, int repeats) {
  const int64_t vocab = model.config().vocab_size;
  std::vector<double> rates;
  for (int r = 0; r < repeats + 1; ++r) {
    KvCache cache = model.new_cache(1, context + tokens + 1);
    Logits l = model.forward({bench_tokens(context, vocab, r)}, cache);
    auto start = Clock::now();
    for (int i = 0; i < tokens; ++i) {
      const float* row = l.last_row(0);
      int32_t t = static_cast<int32_t>(std::max_element(row, row + l.vocab) - row);
      l = model.forward({{t}}, cache);
    }
    if (r > 0) rates.push_back(tokens / seconds_since(start));
  }
  return median(rates);
}

// Aggregate tokens per second of `sequences` greedy streams decoding together in one cache (one
// batched forward per step), each generating `tokens` tokens after a 16-token prompt; timed from
// the prompts' submission, as llama_cpp.mjs times llama.cpp's parallel sequences.
double parallel_decode_rate(const LlamaModel& model, int sequences, int tokens, int repeats) {
  const int64_t vocab = model.config().vocab_size;
  std::vector<double> rates;
  for (int r = 0; r < repeats + 1; ++r) {
    KvCache cache = model.new_cache(sequences, 16 + tokens + 1);
    std::vector<std::vector<int32_t>> prompts;
    for (int b = 0; b < sequences; ++b) prompts.push_back(bench_tokens(16, vocab, r * 31 + b));
    auto start = Clock::now();
    Logits l = model.forward(prompts, cache);
    for (int i = 1; i < tokens; ++i) {
      std::vector<std::vector<int32_t>> next;
      for (int b = 0; b < sequences; ++b) {
        const float* row = l.last_row(b);
        next.push_back({static_cast<int32_t>(std::max_element(row, row + l.vocab) - row)});
      }
      l = model.forward(next, cache);
    }
    if (r > 0) rates.push_back(double(sequences) * tokens / seconds_since(start));
  }
  return median(rates);
}

// The table names how busy the machine was: on a shared machine other work takes cores and
// memory bandwidth.
using bench::cpu_model;
std::string load_average() { return bench::load_average_text(); }

// Our weight storages by bench name (a storage without one of ours prints llama.cpp's row alone).
std::optional<WeightStorage> our_storage(const std::string& name) {
  if (name == "f32") return WeightStorage::F32;
  if (name == "bf16") return WeightStorage::BF16;
  if (name == "q8") return WeightStorage::Q8;
  return std::nullopt;
}

// The GGUF type llama.cpp runs beside a storage: the same precision (bf16 has no llama.cpp CPU
// kernels as fast as F16's, and F16 is what llama.cpp's converter writes for 16-bit models).
std::optional<GgufType> gguf_for(const std::string& name) {
  if (name == "f32") return GgufType::F32;
  if (name == "bf16" || name == "f16") return GgufType::F16;
  if (name == "q8" || name == "q8_0") return GgufType::Q8_0;
  return std::nullopt;
}

const char* gguf_label(GgufType t) { return t == GgufType::F32 ? "F32" : t == GgufType::F16 ? "F16" : "Q8_0"; }

// llama.cpp through bench/llama-cpp-js/llama_cpp.mjs (one node process per call).
struct LlamaCppFigures {
  double decode = 0, prompt = 0;
  std::map<int, double> parallel, context;
  std::string system_info;
};

class LlamaCpp {
 public:
  LlamaCpp(std::string dir, bool wanted) : dir_(std::move(dir)) {
    if (!wanted) {
      why_not_ = "--llama-cpp off";
    } else if (std::system("command -v node >/dev/null 2>&1") != 0) {
      why_not_ = "node is not installed (tools/bootstrap.sh installs it)";
    } else if (!std::filesystem::exists(dir_ + "/node_modules/node-llama-cpp/package.json") ||
               !std::filesystem::exists(dir_ + "/node_modules/@node-llama-cpp/linux-x64/package.json")) {
      why_not_ = "node-llama-cpp is not installed in " + dir_ + " (run tools/bootstrap.sh, or npm ci --omit=optional there)";
    } else {
      std::ifstream in(dir_ + "/node_modules/node-llama-cpp/package.json");
      std::stringstream text;
      text << in.rdbuf();
      rapidjson::Document d;
      d.Parse(text.str().c_str());
      if (!d.HasParseError() && d.IsObject() && d.HasMember("version") && d["version"].IsString()) {
        version_ = d["version"].GetString();
      }
    }
  }
  bool available() const { return why_not_.empty(); }
  const std::string& why_not() const { return why_not_; }
  const std::string& version() const { return version_; }

  // Runs `node llama_cpp.mjs bench --model gguf --threads N <arguments>`; nullopt (with the
  // reason printed) when the script fails.
  std::optional<LlamaCppFigures> bench(const std::string& gguf, int threads, const std::string& arguments) const {
    std::string command = "cd '" + dir_ + "' && NODE_LLAMA_CPP_SKIP_DOWNLOAD=true node llama_cpp.mjs bench --model '" +
                          gguf + "' --threads " + std::to_string(threads) + " " + arguments + " 2>&1";
    const auto [code, out] = nineteen::devnet::ChildProcess::run_shell(command, std::chrono::minutes(30));
    if (code != 0) {
      std::printf("  (llama.cpp failed on %s: %s)\n", gguf.c_str(), out.substr(0, 400).c_str());
      return std::nullopt;
    }
    LlamaCppFigures f;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
      rapidjson::Document d;
      d.Parse(line.c_str());
      if (d.HasParseError() || !d.IsObject() || !d.HasMember("kind") || !d["kind"].IsString()) continue;
      const std::string kind = d["kind"].GetString();
      if (kind == "info") {
        if (d.HasMember("system_info") && d["system_info"].IsString()) f.system_info = d["system_info"].GetString();
        continue;
      }
      if (!d.HasMember("tok_s") || !d["tok_s"].IsNumber()) continue;
      const double rate = d["tok_s"].GetDouble();
      if (kind == "decode") f.decode = rate;
      else if (kind == "prompt") f.prompt = rate;
      else if (kind == "parallel") f.parallel[d["sequences"].GetInt()] = rate;
      else if (kind == "context") f.context[d["context"].GetInt()] = rate;
    }
    return f;
  }

 private:
  std::string dir_, why_not_, version_ = "?";
};

std::string join(const std::vector<int>& v) {
  std::string s;
  for (int x : v) s += (s.empty() ? "" : ",") + std::to_string(x);
  return s;
}

std::vector<int> ints(const std::string& text) {
  std::vector<int> v;
  for (const std::string& t : split(text)) v.push_back(std::stoi(t));
  return v;
}

std::string rate_text(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.0f", v);
  return v > 0 ? b : "-";
}

std::string ratio_text(double ours, double theirs) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2fx", ours / theirs);
  return ours > 0 && theirs > 0 ? b : "-";
}

// Quality of a storage against the f32 model: 8 fixed prompts, 32 greedy tokens each chosen by
// f32, both models fed the same tokens through decode steps. Mean |Δ logprob| and mean |Δ p| of
// the f32 model's chosen token (what the checker compares: its distance rule reads |Δ p|), and
// how often both pick the same greedy token.
struct Quality {
  double mean_abs_logprob = 0, mean_abs_prob = 0, greedy_agreement = 0;
};

std::vector<double> log_softmax(const float* row, int64_t n) {
  const double top = *std::max_element(row, row + n);
  double total = 0;
  for (int64_t i = 0; i < n; ++i) total += std::exp(double(row[i]) - top);
  std::vector<double> out(row, row + n);
  for (double& v : out) v = v - top - std::log(total);
  return out;
}

Quality quality_against(const LlamaModel& reference, const LlamaModel& model) {
  const int64_t vocab = reference.config().vocab_size;
  const int prompts = 8, steps = 32;
  Quality q;
  int count = 0, agree = 0;
  for (int p = 0; p < prompts; ++p) {
    KvCache a = reference.new_cache(1, 16 + steps), b = model.new_cache(1, 16 + steps);
    std::vector<int32_t> prompt = bench_tokens(16, vocab, 100 + p);
    Logits la = reference.forward({prompt}, a), lb = model.forward({prompt}, b);
    for (int i = 0; i < steps; ++i) {
      std::vector<double> ra = log_softmax(la.row(0), vocab), rb = log_softmax(lb.row(0), vocab);
      const int32_t chosen = static_cast<int32_t>(std::max_element(ra.begin(), ra.end()) - ra.begin());
      agree += chosen == std::max_element(rb.begin(), rb.end()) - rb.begin();
      q.mean_abs_logprob += std::fabs(ra[chosen] - rb[chosen]);
      q.mean_abs_prob += std::fabs(std::exp(ra[chosen]) - std::exp(rb[chosen]));
      ++count;
      la = reference.forward({{chosen}}, a);
      lb = model.forward({{chosen}}, b);
    }
  }
  q.mean_abs_logprob /= count;
  q.mean_abs_prob /= count;
  q.greedy_agreement = double(agree) / count;
  return q;
}

struct ModelSpec {
  std::string name;
  TinyLlamaOptions options;
};

}  // namespace

int main(int argc, char** argv) {
  // With the default (active) wait policy, OpenMP threads spin between parallel regions; on a
  // machine where other processes want the cores, two threads then run far slower than one.
  // OpenBLAS picks SSE3 kernels where a VM hides the CPU model (blas_core.hpp). libgomp and
  // OpenBLAS read these when they load, before main, so set them and start again.
  if (!std::getenv("OMP_WAIT_POLICY") || (!std::getenv("OPENBLAS_CORETYPE") && nineteen::sdk::choose_openblas_core())) {
    setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
    nineteen::sdk::choose_openblas_core();
    execv("/proc/self/exe", argv);
  }
  std::vector<int> threads = {1, 2};
  std::vector<std::string> models = {"tiny", "yardstick"}, storages = {"f32", "bf16", "q8"};
  int decode_tokens = 128, check_batch = 8, check_length = 128, repeats = 3;
  std::vector<int> parallel = {1, 4, 8, 16}, contexts = {64, 512, 2048};
  int parallel_tokens = 64, context_tokens = 32, wide_threads = 1;
  bool want_llama_cpp = true;
  std::string llama_cpp_dir = NINETEEN_LLAMA_CPP_JS_DIR;
  CheckingProducts checking = CheckingProducts::Auto;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--threads") threads = ints(value);
    else if (flag == "--decode-tokens") decode_tokens = std::stoi(value);
    else if (flag == "--check-batch") check_batch = std::stoi(value);
    else if (flag == "--check-length") check_length = std::stoi(value);
    else if (flag == "--repeats") repeats = std::max(1, std::stoi(value));
    else if (flag == "--models") models = split(value);
    else if (flag == "--storage") storages = split(value);
    else if (flag == "--parallel") parallel = ints(value);
    else if (flag == "--parallel-tokens") parallel_tokens = std::max(2, std::stoi(value));
    else if (flag == "--contexts") contexts = ints(value);
    else if (flag == "--context-tokens") context_tokens = std::max(1, std::stoi(value));
    else if (flag == "--wide-threads") wide_threads = std::max(1, std::stoi(value));
    else if (flag == "--llama-cpp") want_llama_cpp = value != "off";
    else if (flag == "--llama-cpp-js") llama_cpp_dir = value;
    else if (flag == "--checking") {
      if (value != "auto" && value != "bf16" && value != "f32") {
        std::fprintf(stderr, "bench_llm: --checking takes auto, bf16 or f32\n");
        return 2;
      }
      checking = value == "bf16" ? CheckingProducts::Bf16 : value == "f32" ? CheckingProducts::F32 : CheckingProducts::Auto;
    }
    else {
      std::fprintf(stderr, "bench_llm: unknown option %s\n", flag.c_str());
      return 2;
    }
  }
  for (const std::string& storage : storages) {
    if (!gguf_for(storage)) {
      std::fprintf(stderr, "bench_llm: unknown storage %s (f32, bf16 or q8)\n", storage.c_str());
      return 2;
    }
  }
  const int longest_context = contexts.empty() ? 0 : *std::max_element(contexts.begin(), contexts.end());

  std::vector<ModelSpec> specs;
  for (const std::string& name : models) {
    ModelSpec spec{name, {}};
    if (name == "yardstick") {
      spec.options.hidden = 512;
      spec.options.layers = 8;
      spec.options.heads = 8;
      spec.options.kv_heads = 4;
      spec.options.intermediate = 1408;
    } else if (name != "tiny") {
      std::fprintf(stderr, "bench_llm: unknown model %s (tiny or yardstick)\n", name.c_str());
      return 2;
    }
    // The context-growth table needs room past its longest context (same weights: the maker's
    // random weights do not depend on max_position_embeddings).
    spec.options.max_position_embeddings =
        std::max<int64_t>(spec.options.max_position_embeddings, longest_context + context_tokens + 64);
    specs.push_back(spec);
  }
  std::string root = (std::filesystem::temp_directory_path() / ("bench_llm-" + std::to_string(::getpid()))).string();
  LlamaCpp llama_cpp(llama_cpp_dir, want_llama_cpp);
  const std::string repeat_arg = " --repeats " + std::to_string(repeats);

  try {
    std::printf("bench_llm: CPU %s, %ld cores online; matrix-vector path %s; load average %s at start\n",
                cpu_model().c_str(), sysconf(_SC_NPROCESSORS_ONLN), matrix_vector_isa_name(), load_average().c_str());
    if (llama_cpp.available()) {
      std::printf("llama.cpp: node-llama-cpp %s, prebuilt CPU build (%s), on GGUF exports of the same weights\n"
                  "           (nineteen-models export-gguf); KV cache f16 (llama.cpp's default); same thread counts\n",
                  llama_cpp.version().c_str(), llama_cpp_dir.c_str());
    } else {
      std::printf("llama.cpp: columns skipped: %s\n", llama_cpp.why_not().c_str());
    }
    std::printf("decode = greedy, batch 1, KV cache, %d tokens after a 16-token prompt;\n"
                "check = score() of %d x %d tokens (top 20); llama.cpp prompt = one %d-token prompt in one batch;\n"
                "median of %d runs; bound = sgemm rate / MFLOP per token; load = 1-minute load average after the row;\n"
                "OMP_WAIT_POLICY=%s; OpenBLAS kernels %s (OPENBLAS_CORETYPE)\n\n",
                decode_tokens, check_batch, check_length, check_length, repeats, std::getenv("OMP_WAIT_POLICY"),
                std::getenv("OPENBLAS_CORETYPE") ? std::getenv("OPENBLAS_CORETYPE") : "chosen by OpenBLAS");
    std::printf("%-10s %-5s %7s %10s %9s %12s %12s %9s %12s %9s | %-5s %9s %8s %9s %9s %6s\n", "model", "dtype",
                "threads", "sgemm GF/s", "MFLOP/tok", "bound tok/s", "decode tok/s", "of bound", "check tok/s",
                "of bound", "lcpp", "decode", "ours/l", "prompt", "check/l", "load");
    struct Wide {
      std::string model, storage, gguf;
    };
    std::vector<Wide> wide;
    std::map<std::string, std::string> dirs;
    for (const ModelSpec& spec : specs) {
      std::string dir = root + "/" + spec.name;
      dirs[spec.name] = dir;
      make_tiny_llama(dir, spec.options);
      for (const std::string& storage : storages) {
        const GgufType type = *gguf_for(storage);
        std::string gguf = root + "/" + spec.name + "-" + gguf_type_name(type) + ".gguf";
        if (llama_cpp.available() && !std::filesystem::exists(gguf)) {
          GgufExportOptions options;
          options.type = type;
          export_gguf(dir, gguf, options);
        }
        wide.push_back({spec.name, storage, gguf});
        for (int t : threads) {
          const std::optional<WeightStorage> ours = our_storage(storage);
          double decode = 0, check = 0, flops = 0, gflops = measure_sgemm_gflops(t);
          std::string path;
          if (ours) {
            LoadOptions load;
            load.threads = t;
            load.storage = *ours;
            load.checking = checking;
            LlamaModel model = LlamaModel::load(dir, load);
            path = model.compute_path();
            flops = model.config().matmul_flops_per_token();
            decode = decode_rate(model, decode_tokens, repeats);
            check = check_rate(model, check_batch, check_length, repeats);
          } else {
            flops = LlamaConfig::from_model_dir(dir).matmul_flops_per_token();
          }
          const double bound = gflops * 1e9 / flops;
          std::optional<LlamaCppFigures> l;
          if (llama_cpp.available()) {
            l = llama_cpp.bench(gguf, t,
                                "--decode-tokens " + std::to_string(decode_tokens) + " --prompt-tokens " +
                                    std::to_string(check_length) + " --parallel '' --contexts ''" + repeat_arg);
          }
          char of_decode[16] = "-", of_check[16] = "-";
          if (ours) {
            std::snprintf(of_decode, sizeof of_decode, "%.1f%%", 100.0 * decode / bound);
            std::snprintf(of_check, sizeof of_check, "%.1f%%", 100.0 * check / bound);
          }
          std::printf("%-10s %-5s %7d %10.1f %9.1f %12.0f %12s %9s %12s %9s | %-5s %9s %8s %9s %9s %6s\n",
                      spec.name.c_str(), storage.c_str(), t, gflops, flops / 1e6, bound, rate_text(decode).c_str(),
                      of_decode, rate_text(check).c_str(), of_check, l ? gguf_label(type) : "-",
                      rate_text(l ? l->decode : 0).c_str(), ratio_text(decode, l ? l->decode : 0).c_str(),
                      rate_text(l ? l->prompt : 0).c_str(), ratio_text(check, l ? l->prompt : 0).c_str(),
                      load_average().c_str());
          if (!path.empty()) std::printf("           path: %s\n", path.c_str());
          std::fflush(stdout);
        }
      }
    }

    bool quality_header = false;
    for (const ModelSpec& spec : specs) {
      for (const std::string& storage : storages) {
        const std::optional<WeightStorage> ours = our_storage(storage);
        if (!ours || *ours == WeightStorage::F32) continue;
        if (!quality_header) {
          std::printf("\nquality against f32 (8 fixed prompts x 32 greedy tokens, decode steps; |d| of the f32 "
                      "choice's logprob and probability):\n%-10s %-5s %14s %12s %16s\n",
                      "model", "dtype", "mean |d logp|", "mean |d p|", "greedy agreement");
          quality_header = true;
        }
        LoadOptions load;
        load.checking = checking;
        LlamaModel reference = LlamaModel::load(dirs[spec.name], load);
        load.storage = *ours;
        LlamaModel model = LlamaModel::load(dirs[spec.name], load);
        Quality q = quality_against(reference, model);
        std::printf("%-10s %-5s %14.4f %12.4f %15.1f%%\n", spec.name.c_str(), storage.c_str(), q.mean_abs_logprob,
                    q.mean_abs_prob, 100.0 * q.greedy_agreement);
        std::fflush(stdout);
      }
    }

    // Many sequences and context growth, at --wide-threads.
    if (!parallel.empty() || !contexts.empty()) {
      struct Row {
        std::string model, storage;
        std::map<int, double> ours_parallel, ours_context;
        std::optional<LlamaCppFigures> l;
      };
      std::vector<Row> rows;
      for (const Wide& w : wide) {
        Row row{w.model, w.storage, {}, {}, std::nullopt};
        if (const std::optional<WeightStorage> ours = our_storage(w.storage)) {
          LoadOptions load;
          load.threads = wide_threads;
          load.storage = *ours;
          load.checking = checking;
          LlamaModel model = LlamaModel::load(dirs[w.model], load);
          for (int p : parallel) row.ours_parallel[p] = parallel_decode_rate(model, p, parallel_tokens, repeats);
          for (int c : contexts) row.ours_context[c] = context_decode_rate(model, c, context_tokens, repeats);
        }
        if (llama_cpp.available()) {
          row.l = llama_cpp.bench(w.gguf, wide_threads,
                                  "--decode-tokens 0 --prompt-tokens 0 --parallel '" + join(parallel) +
                                      "' --parallel-tokens " + std::to_string(parallel_tokens) + " --contexts '" +
                                      join(contexts) + "' --context-tokens " + std::to_string(context_tokens) +
                                      repeat_arg);
        }
        rows.push_back(std::move(row));
      }
      if (!parallel.empty()) {
        std::printf("\nmany sequences: P greedy streams decoding together (ours: one cache, one batched forward per\n"
                    "step; llama.cpp: one context with P sequences), %d tokens each after a 16-token prompt, timed\n"
                    "from submission; aggregate tok/s; %d thread(s); load %s\n",
                    parallel_tokens, wide_threads, load_average().c_str());
        std::printf("%-10s %-5s %4s %12s %10s %12s %10s %8s\n", "model", "dtype", "P", "ours tok/s", "x P=1",
                    "lcpp tok/s", "x P=1", "ours/l");
        for (const Row& r : rows) {
          for (int p : parallel) {
            auto get = [&](const std::map<int, double>& m, int k) { auto it = m.find(k); return it == m.end() ? 0.0 : it->second; };
            const double ours = get(r.ours_parallel, p), theirs = r.l ? get(r.l->parallel, p) : 0.0;
            const double ours1 = get(r.ours_parallel, parallel.front()), theirs1 = r.l ? get(r.l->parallel, parallel.front()) : 0.0;
            std::printf("%-10s %-5s %4d %12s %10s %12s %10s %8s\n", r.model.c_str(), r.storage.c_str(), p,
                        rate_text(ours).c_str(), ratio_text(ours, ours1).c_str(), rate_text(theirs).c_str(),
                        ratio_text(theirs, theirs1).c_str(), ratio_text(ours, theirs).c_str());
          }
        }
      }
      if (!contexts.empty()) {
        std::printf("\ncontext growth: greedy decode of %d tokens once the cache holds the context; tok/s;\n"
                    "%d thread(s); load %s\n", context_tokens, wide_threads, load_average().c_str());
        std::printf("%-10s %-5s %8s %12s %10s %12s %10s %8s\n", "model", "dtype", "context", "ours tok/s",
                    "of first", "lcpp tok/s", "of first", "ours/l");
        for (const Row& r : rows) {
          for (int c : contexts) {
            auto get = [&](const std::map<int, double>& m, int k) { auto it = m.find(k); return it == m.end() ? 0.0 : it->second; };
            const double ours = get(r.ours_context, c), theirs = r.l ? get(r.l->context, c) : 0.0;
            const double ours0 = get(r.ours_context, contexts.front()), theirs0 = r.l ? get(r.l->context, contexts.front()) : 0.0;
            std::printf("%-10s %-5s %8d %12s %10s %12s %10s %8s\n", r.model.c_str(), r.storage.c_str(), c,
                        rate_text(ours).c_str(), ratio_text(ours, ours0).c_str(), rate_text(theirs).c_str(),
                        ratio_text(theirs, theirs0).c_str(), ratio_text(ours, theirs).c_str());
          }
        }
      }
      std::printf("\nload average at the end: %s\n", load_average().c_str());
    }
  } catch (const nineteen::sdk::Error& e) {
    std::fprintf(stderr, "bench_llm: %s\n", e.what());
    std::filesystem::remove_all(root);
    return 1;
  }
  std::filesystem::remove_all(root);
  return 0;
}
