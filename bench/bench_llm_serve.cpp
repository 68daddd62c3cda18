// bench_llm_serve: what the llm plugin adds over the raw decoder. Decode tokens/s of
// LlamaModel + Sampler against LlmTask::serve (streamed and whole, with and without logprobs),
// and teacher-forced LlamaModel::score against LlmTask::check on the same answers. Prints a table.
//
// usage: bench_llm_serve [--model-dir DIR | --yardstick] [--threads N] [--tokens N] [--answers N] [--decode-only]
//                        [--decode-batches]   (one decode pass over 1..16 sequences: continuous batching's step)
//                        [--streams]          (1/4/8/16 concurrent requests through serve, batching off vs on)
//   Without --model-dir it makes the tiny model (or, with --yardstick, hidden 512 × 8 layers) in a
//   temporary folder.
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include "nineteen/sdk/blas_core.hpp"
#include "generation_request.hpp"
#include "llm_plugin.hpp"
#include "loaded_model.hpp"
#include "miner_answer.hpp"
#include "nineteen/models/sampler.hpp"
#include "nineteen/models/tiny_llama_maker.hpp"
#include "nineteen/sdk/json.hpp"
#include "prompt_encoding.hpp"

namespace {

using namespace nineteen;
using Clock = std::chrono::steady_clock;

double since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

struct Row {
  std::string what;
  double tokens = 0;
  double seconds = 0;
};

std::string request(int max_tokens, uint64_t seed, bool stream, bool logprobs, int top) {
  return R"({"messages":[{"role":"user","content":"Tell me about the old stone bridge over the river."}],)"
         R"("temperature":0.7,"max_tokens":)" + std::to_string(max_tokens) + ",\"seed\":" + std::to_string(seed) +
         ",\"stream\":" + (stream ? "true" : "false") + ",\"logprobs\":" + (logprobs ? "true" : "false") +
         ",\"top_logprobs\":" + std::to_string(top) + "}";
}

}  // namespace

int main(int argc, char** argv) {
  nineteen::sdk::restart_with_openblas_core(argv);  // OpenBLAS's kernels by CPU (blas_core.hpp)
  std::string model_dir;
  bool yardstick = false, decode_only = false, decode_batches = false, streams_mode = false;
  int threads = 1, tokens = 256, answers = 8;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--model-dir") {
      model_dir = value();
    } else if (a == "--decode-only") {
      decode_only = true;
    } else if (a == "--streams") {
      streams_mode = true;
    } else if (a == "--decode-batches") {
      decode_batches = true;
    } else if (a == "--yardstick") {
      yardstick = true;
    } else if (a == "--threads") {
      threads = std::stoi(value());
    } else if (a == "--tokens") {
      tokens = std::stoi(value());
    } else if (a == "--answers") {
      answers = std::stoi(value());
    } else {
      std::fprintf(stderr,
                   "usage: bench_llm_serve [--model-dir DIR | --yardstick] [--threads N] [--tokens N] [--answers N] "
                   "[--decode-only] [--decode-batches] [--streams]\n");
      return 2;
    }
  }
  std::string scratch;
  try {
    if (model_dir.empty()) {
      scratch = (std::filesystem::temp_directory_path() / ("llm-serve-bench-" + std::to_string(::getpid()))).string();
      models::TinyLlamaOptions options;
      if (yardstick) {
        options.hidden = 512;
        options.layers = 8;
        options.heads = 8;
        options.kv_heads = 4;
        options.intermediate = 1408;
      }
      models::make_tiny_llama(scratch, options);
      model_dir = scratch;
    }
    llm::LlmPlugin plugin{sdk::Host()};
    const std::string config = "{\"type\":\"chat\",\"model_dir\":" + sdk::json_quote(model_dir) +
                               ",\"threads\":" + std::to_string(threads) + "}";
    rapidjson::Document doc = sdk::parse_json(config, "config");
    auto task = plugin.create_task("bench", sdk::JsonObject(doc, "config"));
    models::LoadOptions load;
    load.threads = threads;
    auto loaded = llm::LoadedModel::load(model_dir, load);
    const models::LlamaModel& model = *loaded->model;
    std::vector<Row> rows;

    // Raw decode: the prompt the task would build, then `tokens` sampled steps without stopping.
    const std::vector<int32_t> prompt = llm::encode_prompt(
        *loaded, llm::GenerationRequest::parse(request(tokens, 1, true, false, 0), llm::LlmTaskType::Chat, 1 << 20));
    // Warm-up: first touches of the weights and libtorch's lazy setup stay out of the figures.
    for (int i = 0; i < 2; ++i) {
      sdk::CollectingCall call;
      task->serve(request(32, 99, true, true, 0), call);
    }
    {
      models::SamplingParams params;
      params.temperature = 0.7;
      params.seed = 1;
      models::Sampler sampler(params);
      auto start = Clock::now();
      models::KvCache cache = model.new_cache(1, static_cast<int64_t>(prompt.size()) + tokens);
      models::Logits logits = model.forward({prompt}, cache);
      for (int i = 0; i < tokens; ++i) {
        int32_t t = sampler.next(logits.last_row(0), logits.vocab).token;
        if (i + 1 < tokens) logits = model.forward({{t}}, cache);
      }
      rows.push_back({"LlamaModel decode + Sampler (raw)", double(tokens), since(start)});
    }
    if (streams_mode) {
      // Concurrent streamed requests through the task's serve (the plugin's invoke, no HTTP):
      // aggregate generated tokens/s, continuous batching off against on, in the same run.
      auto make = [&](const char* name, int batch) {
        const std::string c = "{\"type\":\"chat\",\"model_dir\":" + sdk::json_quote(model_dir) +
                              ",\"threads\":" + std::to_string(threads) + ",\"batch\":" + std::to_string(batch) + "}";
        rapidjson::Document d = sdk::parse_json(c, "config");
        return plugin.create_task(name, sdk::JsonObject(d, "config"));
      };
      auto off = make("off", 0), on = make("on", 16);
      auto run = [&](sdk::Task& t, int streams) {
        std::vector<double> generated(streams, 0);
        std::vector<std::thread> pool;
        auto start = Clock::now();
        for (int c = 0; c < streams; ++c) {
          pool.emplace_back([&, c] {
            for (int k = 0; k < 2; ++k) {
              std::string r = request(tokens, 1000 * c + k, true, true, 0);
              sdk::CollectingCall call;
              t.serve(r, call);
              generated[c] += t.work(r, call.response_json());
            }
          });
        }
        for (auto& th : pool) th.join();
        double total = 0;
        for (double g : generated) total += g;
        return total / since(start);
      };
      run(*on, 2);
      std::printf("streams  off tok/s  on tok/s  on/off  on vs 1 (each stream: 2 answers of %d tokens, serve)\n", tokens);
      double on_one = 0;
      for (int streams : {1, 4, 8, 16}) {
        const double a = run(*off, streams), b = run(*on, streams);
        if (streams == 1) on_one = b;
        std::printf("%7d  %9.0f  %8.0f  %5.2fx  %6.2fx\n", streams, a, b, b / a, b / on_one);
      }
      if (!scratch.empty()) std::filesystem::remove_all(scratch);
      return 0;
    }
    if (decode_batches) {
      // One decode pass over B sequences (what continuous batching runs per step) against B
      // single-sequence steps: the weights are read once per pass either way.
      // CPU time too: on a shared machine the wall time follows the other processes' load, while
      // the process's CPU seconds per token show what one pass over B sequences saves.
      auto cpu_now = [] {
        timespec t{};
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
        return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
      };
      std::printf("batch  pass ms  tokens/s  vs batch 1 | CPU ms/pass  tokens/CPU-s  vs batch 1\n");
      double single = 0, single_cpu = 0;
      for (int64_t b : {1, 2, 4, 8, 16}) {
        models::KvCache cache = model.new_cache(b, static_cast<int64_t>(prompt.size()) + tokens + 1);
        for (int64_t s = 0; s < b; ++s) model.forward_slots(s, {prompt}, cache);
        std::vector<std::vector<int32_t>> step(b, std::vector<int32_t>{1});
        const int passes = std::max(4, tokens / 2);
        auto start = Clock::now();
        const double cpu_start = cpu_now();
        for (int i = 0; i < passes; ++i) model.forward_slots(0, step, cache);
        const double pass = since(start) / passes, cpu = (cpu_now() - cpu_start) / passes;
        if (b == 1) single = b / pass, single_cpu = b / cpu;
        std::printf("%5lld  %7.3f  %8.0f  %9.2fx | %11.3f  %12.0f  %9.2fx\n", static_cast<long long>(b), 1000 * pass,
                    b / pass, (b / pass) / single, 1000 * cpu, b / cpu, (b / cpu) / single_cpu);
      }
      if (!scratch.empty()) std::filesystem::remove_all(scratch);
      return 0;
    }
    if (decode_only) {
      std::printf("threads %d: raw decode %.1f tokens/s\n", threads, rows[0].tokens / rows[0].seconds);
      if (!scratch.empty()) std::filesystem::remove_all(scratch);
      return 0;
    }
    // The task's serve, in its variants; tokens counted from the answers (they may stop early).
    struct Variant {
      const char* what;
      bool stream, logprobs;
      int top;
    };
    std::vector<std::string> requests, responses;
    for (const Variant& v : {Variant{"serve streamed, no logprobs", true, false, 0},
                             Variant{"serve streamed, logprobs", true, true, 0},
                             Variant{"serve streamed, logprobs + top 5", true, true, 5},
                             Variant{"serve whole answer, logprobs", false, true, 0}}) {
      double generated = 0, seconds = 0;
      for (uint64_t seed = 1; generated < tokens; ++seed) {
        std::string r = request(tokens, seed, v.stream, v.logprobs, v.top);
        sdk::CollectingCall call;
        auto start = Clock::now();
        task->serve(r, call);
        seconds += since(start);
        std::string response = call.response_json();
        generated += task->work(r, response);
        if (v.stream && v.logprobs && v.top == 0 && requests.size() < static_cast<size_t>(answers)) {
          requests.push_back(r);
          responses.push_back(response);
        }
      }
      rows.push_back({v.what, generated, seconds});
    }
    while (requests.size() < static_cast<size_t>(answers)) {
      std::string r = request(tokens, 100 + requests.size(), true, true, 0);
      sdk::CollectingCall call;
      task->serve(r, call);
      requests.push_back(r);
      responses.push_back(call.response_json());
    }
    // Checking: the raw teacher-forced pass against the task's check, over the same answers.
    std::vector<models::ScoreRequest> batch;
    double answer_tokens = 0;
    for (size_t i = 0; i < requests.size(); ++i) {
      llm::MinerAnswer a = *llm::read_miner_answer(responses[i], llm::LlmTaskType::Chat).answer;
      models::ScoreRequest s;
      s.tokens = prompt;
      s.tokens.insert(s.tokens.end(), a.tokens.begin(), a.tokens.end());
      if (a.stop_token) s.tokens.push_back(*a.stop_token);
      s.first_scored = static_cast<int64_t>(prompt.size());
      batch.push_back(std::move(s));
      answer_tokens += static_cast<double>(a.tokens.size());
    }
    {
      auto start = Clock::now();
      model.score(batch);
      rows.push_back({"LlamaModel score, batch of " + std::to_string(batch.size()) + " (raw)", answer_tokens, since(start)});
    }
    {
      std::vector<std::string_view> rq(requests.begin(), requests.end()), rs(responses.begin(), responses.end());
      auto start = Clock::now();
      task->check(rq, rs);
      rows.push_back({"check, batch of " + std::to_string(batch.size()), answer_tokens, since(start)});
    }

    const auto& c = model.config();
    std::printf("model %s: hidden %lld, layers %lld, vocab %lld; threads %d; prompt %zu tokens\n\n", model_dir.c_str(),
                static_cast<long long>(c.hidden_size), static_cast<long long>(c.num_hidden_layers),
                static_cast<long long>(c.vocab_size), threads, prompt.size());
    std::printf("%-40s %10s %12s %10s %12s\n", "what", "tokens", "tokens/s", "ms/token", "vs raw");
    const double raw_decode = rows[0].tokens / rows[0].seconds;
    const double raw_score = rows[5].tokens / rows[5].seconds;
    for (size_t i = 0; i < rows.size(); ++i) {
      const Row& r = rows[i];
      const double rate = r.tokens / r.seconds;
      std::printf("%-40s %10.0f %12.0f %10.3f %11.0f%%\n", r.what.c_str(), r.tokens, rate, 1000.0 * r.seconds / r.tokens,
                  100.0 * rate / (i < 5 ? raw_decode : raw_score));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_llm_serve: %s\n", e.what());
    if (!scratch.empty()) std::filesystem::remove_all(scratch);
    return 1;
  }
  if (!scratch.empty()) std::filesystem::remove_all(scratch);
  return 0;
}
