// bench_llm: decode and teacher-forced checking speed of the Llama decoder against the machine's
// measured sgemm rate, for the tiny model and the yardstick model (TARGETS.md). Prints a table.
//
// usage: bench_llm [--threads 1,2] [--decode-tokens 128] [--check-batch 8] [--check-length 128]
//                  [--models tiny,yardstick] [--storage f32,bf16,q8] [--repeats 3]
//                  [--checking auto|bf16|f32]   (batched products on bf16 weights; auto: by CPU)
// Each row is followed by the path taken; then, for bf16 and q8, their quality against f32.
#include <dlfcn.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "nineteen/models/llama_model.hpp"
#include "nineteen/models/sampler.hpp"
#include "nineteen/models/tiny_llama_maker.hpp"
#include "nineteen/sdk/error.hpp"

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

// The 1-minute load average: on a shared machine other work takes cores and memory bandwidth,
// so the table says how busy the machine was.
std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one_minute;
  in >> one_minute;
  return one_minute.empty() ? "unknown" : one_minute;
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
  // libgomp reads the policy when it loads, before main, so set it and start again.
  if (!std::getenv("OMP_WAIT_POLICY")) {
    setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    execv("/proc/self/exe", argv);
  }
  std::vector<int> threads = {1, 2};
  std::vector<std::string> models = {"tiny", "yardstick"}, storages = {"f32", "bf16"};
  int decode_tokens = 128, check_batch = 8, check_length = 128, repeats = 3;
  CheckingProducts checking = CheckingProducts::Auto;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--threads") {
      threads.clear();
      for (const std::string& t : split(value)) threads.push_back(std::stoi(t));
    } else if (flag == "--decode-tokens") decode_tokens = std::stoi(value);
    else if (flag == "--check-batch") check_batch = std::stoi(value);
    else if (flag == "--check-length") check_length = std::stoi(value);
    else if (flag == "--repeats") repeats = std::max(1, std::stoi(value));
    else if (flag == "--models") models = split(value);
    else if (flag == "--storage") storages = split(value);
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
    specs.push_back(spec);
  }
  std::string root = (std::filesystem::temp_directory_path() / ("bench_llm-" + std::to_string(::getpid()))).string();

  try {
    std::printf("bench_llm: decode = greedy, batch 1, KV cache, %d tokens after a 16-token prompt;\n"
                "           check = score() of %d x %d tokens (top 20); median of %d runs;\n"
                "           bound = sgemm rate / MFLOP per token; load = 1-minute load average after the row;\n"
                "           OMP_WAIT_POLICY=%s\n\n",
                decode_tokens, check_batch, check_length, repeats, std::getenv("OMP_WAIT_POLICY"));
    std::printf("%-10s %-5s %7s %10s %9s %12s %12s %9s %12s %9s %6s\n", "model", "dtype", "threads", "sgemm GF/s",
                "MFLOP/tok", "bound tok/s", "decode tok/s", "of bound", "check tok/s", "of bound", "load");
    for (const ModelSpec& spec : specs) {
      std::string dir = root + "/" + spec.name;
      make_tiny_llama(dir, spec.options);
      for (const std::string& storage : storages) {
        for (int t : threads) {
          LoadOptions load;
          load.threads = t;
          if (storage != "f32" && storage != "bf16" && storage != "q8") {
            std::fprintf(stderr, "bench_llm: unknown storage %s (f32, bf16 or q8)\n", storage.c_str());
            return 2;
          }
          load.storage = storage == "bf16" ? WeightStorage::BF16 : storage == "q8" ? WeightStorage::Q8 : WeightStorage::F32;
          load.checking = checking;
          LlamaModel model = LlamaModel::load(dir, load);
          double gflops = measure_sgemm_gflops(t);
          double flops = model.config().matmul_flops_per_token();
          double bound = gflops * 1e9 / flops;
          double decode = decode_rate(model, decode_tokens, repeats);
          double check = check_rate(model, check_batch, check_length, repeats);
          std::printf("%-10s %-5s %7d %10.1f %9.1f %12.0f %12.0f %8.1f%% %12.0f %8.1f%% %6s\n", spec.name.c_str(),
                      storage.c_str(), t, gflops, flops / 1e6, bound, decode, 100.0 * decode / bound, check,
                      100.0 * check / bound, load_average().c_str());
          std::printf("           path: %s\n", model.compute_path().c_str());
          std::fflush(stdout);
        }
      }
    }
    bool quality_header = false;
    for (const ModelSpec& spec : specs) {
      for (const std::string& storage : storages) {
        if (storage == "f32") continue;
        if (!quality_header) {
          std::printf("\nquality against f32 (8 fixed prompts x 32 greedy tokens, decode steps; |d| of the f32 "
                      "choice's logprob and probability):\n%-10s %-5s %14s %12s %16s\n",
                      "model", "dtype", "mean |d logp|", "mean |d p|", "greedy agreement");
          quality_header = true;
        }
        LoadOptions load;
        load.checking = checking;
        LlamaModel reference = LlamaModel::load(root + "/" + spec.name, load);
        load.storage = storage == "bf16" ? WeightStorage::BF16 : WeightStorage::Q8;
        LlamaModel model = LlamaModel::load(root + "/" + spec.name, load);
        Quality q = quality_against(reference, model);
        std::printf("%-10s %-5s %14.4f %12.4f %15.1f%%\n", spec.name.c_str(), storage.c_str(), q.mean_abs_logprob,
                    q.mean_abs_prob, 100.0 * q.greedy_agreement);
        std::fflush(stdout);
      }
    }
  } catch (const nineteen::sdk::Error& e) {
    std::fprintf(stderr, "bench_llm: %s\n", e.what());
    std::filesystem::remove_all(root);
    return 1;
  }
  std::filesystem::remove_all(root);
  return 0;
}
