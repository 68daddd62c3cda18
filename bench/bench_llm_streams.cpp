// Many streams through a miner (issue 14, item 4): aggregate generated tokens/s and time to first
// token at 1, 4, 8 and 16 concurrent streamed chat requests, through the real miner HTTP path
// (signed requests, SSE, the llm plugin in its worker process), on the yardstick model. Two tasks
// on the same weights in the same run: continuous batching off (`batch = 0`: each request its own
// decode loop) and on (`batch = 16`: one forward pass per step for every running stream).
//
//   bench_llm_streams [--seconds S] [--tokens N] [--threads N] [--model-dir DIR] [--streams 1,4,8,16]
//   (run from the build folder: the miner loads build/lib/nineteen/plugins)
//
// Each client sends streamed requests back to back until S seconds have passed (the last one runs
// to its end); tokens/s = the answers' completion tokens (their usage) / the wall time until the
// last answer ended. TTFT = from sending a request to its first chunk carrying a token.
// The llama.cpp column: the same number of parallel sequences on an F32 GGUF export of the same
// weights (bench/llama-cpp-js), see llama_cpp_parallel().
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <rapidjson/document.h>

#include "nineteen/sdk/blas_core.hpp"
#include "bench_machine.hpp"
#include "nineteen/devnet/child_process.hpp"
#include "bench_miner_setup.hpp"
#include "nineteen/keys/signed_request_guard.hpp"
#include "nineteen/miner/miner_node.hpp"
#include "nineteen/models/gguf_writer.hpp"
#include "nineteen/models/tiny_llama_maker.hpp"
#include "nineteen/net/http_client.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

using bench::cpu_model;
std::string load_average() { return bench::load_average_text(); }

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

struct Row {
  double tokens_per_s = 0;
  double ttft_p50 = 0, ttft_p99 = 0;
  size_t answers = 0, errors = 0;
  std::string first_error;
};

// llama.cpp with `streams` parallel sequences decoding `tokens` each on an F32 GGUF export of the
// same weights, through bench/llama-cpp-js (node-llama-cpp's prebuilt CPU build, installed by
// tools/bootstrap.sh): aggregate tok/s, or nullopt with `why` set. It runs in-process in node, so
// it has no HTTP or SSE cost: the column is the engine's ceiling, not a like-for-like server.
std::optional<double> llama_cpp_parallel(const std::string& gguf, int streams, int tokens, int threads,
                                         std::string& why) {
  const fs::path dir = fs::path(NINETEEN_SOURCE_DIR) / "bench" / "llama-cpp-js";
  if (!fs::exists(dir / "node_modules" / "node-llama-cpp" / "package.json")) {
    why = "node-llama-cpp is not installed in " + dir.string() + " (run tools/bootstrap.sh)";
    return std::nullopt;
  }
  const std::string command = "cd '" + dir.string() + "' && NODE_LLAMA_CPP_SKIP_DOWNLOAD=true node llama_cpp.mjs bench --model '" +
                              gguf + "' --threads " + std::to_string(threads) +
                              " --decode-tokens 0 --prompt-tokens 0 --contexts '' --parallel " + std::to_string(streams) +
                              " --parallel-tokens " + std::to_string(tokens) + " 2>&1";
  const auto [code, out] = nineteen::devnet::ChildProcess::run_shell(command, std::chrono::minutes(30));
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    rapidjson::Document d;
    d.Parse(line.c_str());
    if (d.HasParseError() || !d.IsObject() || !d.HasMember("kind") || !d["kind"].IsString()) continue;
    if (std::string(d["kind"].GetString()) == "parallel" && d.HasMember("tok_s") && d["tok_s"].IsNumber()) {
      why = "node-llama-cpp, " + std::to_string(threads) + " thread(s), in-process (no HTTP), F32 GGUF of the same weights" +
            std::string(threads > 1 && std::thread::hardware_concurrency() <= 2
                            ? "; on 2 CPUs node-llama-cpp with 2 threads ran 2-4x slower than with 1 (bench_llm): "
                              "compare with --threads 1"
                            : "");
      return d["tok_s"].GetDouble();
    }
  }
  why = "llama_cpp.mjs exited " + std::to_string(code) + ": " + out.substr(0, 300);
  return std::nullopt;
}

Row measure(const std::string& url, const std::string& task, int streams, double seconds, int tokens,
            const nineteen::keys::Hotkey& validator, const std::string& miner_address) {
  std::vector<std::vector<double>> ttft(streams);
  std::vector<double> generated(streams, 0.0);
  std::atomic<size_t> errors{0};
  std::string first_error;
  std::mutex error_mutex;
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration<double>(seconds);
  std::vector<std::thread> threads;
  for (int c = 0; c < streams; ++c) {
    threads.emplace_back([&, c] {
      nineteen::net::HttpClient client;
      for (uint64_t n = 0; Clock::now() < deadline; ++n) {
        const std::string body =
            R"({"model":")" + task + R"(","messages":[{"role":"user","content":"Tell me about the old stone bridge )"
            R"(over the river, stream )" + std::to_string(c) + R"(."}],"temperature":0.7,"max_tokens":)" +
            std::to_string(tokens) + R"(,"seed":)" + std::to_string(1000 * c + n) + R"(,"stream":true})";
        nineteen::net::ClientRequest r;
        r.method = "POST";
        r.url = url + "/v1/chat/completions";
        r.body = body;
        r.headers.set("Content-Type", "application/json");
        nineteen::keys::add_signature_headers(r.headers, validator, miner_address, body);
        const auto sent = Clock::now();
        std::optional<double> first;
        double completion = 0;
        nineteen::net::ClientResult result = client.stream(r, [&](const nineteen::net::SseEvent& e) {
          if (e.data == "[DONE]") return true;
          rapidjson::Document doc;
          doc.Parse(e.data.c_str());
          if (doc.HasParseError() || !doc.IsObject()) return true;
          if (!first && doc.HasMember("choices") && doc["choices"].IsArray() && doc["choices"].Size() > 0) {
            const auto& choice = doc["choices"][0];
            if (choice.HasMember("delta") && choice["delta"].HasMember("content")) first = ms_since(sent);
          }
          if (doc.HasMember("usage") && doc["usage"].IsObject() && doc["usage"].HasMember("completion_tokens")) {
            completion = doc["usage"]["completion_tokens"].GetDouble();
          }
          return true;
        });
        if (!result.ok() || result.status != 200 || !result.done_seen) {
          if (errors++ == 0) {
            std::lock_guard<std::mutex> lock(error_mutex);
            first_error = "status " + std::to_string(result.status) + " " + result.error_message;
          }
          continue;
        }
        if (first) ttft[c].push_back(*first);
        generated[c] += completion;
      }
    });
  }
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  Row row;
  std::vector<double> all;
  double total = 0;
  for (int c = 0; c < streams; ++c) {
    all.insert(all.end(), ttft[c].begin(), ttft[c].end());
    total += generated[c];
  }
  row.tokens_per_s = total / elapsed;
  row.ttft_p50 = percentile(all, 0.50);
  row.ttft_p99 = percentile(all, 0.99);
  row.answers = all.size();
  row.errors = errors;
  row.first_error = first_error;
  return row;
}

}  // namespace

int main(int argc, char** argv) {
  nineteen::sdk::restart_with_openblas_core(argv);  // OpenBLAS's kernels by CPU (blas_core.hpp)
  double seconds = 6;
  int tokens = 64, threads = 2;
  std::string model_dir;
  std::vector<int> stream_counts = {1, 4, 8, 16};
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--seconds") {
      seconds = std::atof(value().c_str());
    } else if (a == "--tokens") {
      tokens = std::atoi(value().c_str());
    } else if (a == "--threads") {
      threads = std::atoi(value().c_str());
    } else if (a == "--model-dir") {
      model_dir = value();
    } else if (a == "--streams") {
      stream_counts.clear();
      std::stringstream list(value());
      for (std::string item; std::getline(list, item, ',');) stream_counts.push_back(std::atoi(item.c_str()));
    } else {
      std::fprintf(stderr,
                   "usage: bench_llm_streams [--seconds S] [--tokens N] [--threads N] [--model-dir DIR] "
                   "[--streams 1,4,8,16]\n");
      return 2;
    }
  }
  const int most = *std::max_element(stream_counts.begin(), stream_counts.end());
  bench::BenchMiner setup("bench-llm-streams", 4 * most + 8);
  try {
    if (model_dir.empty()) {
      // The yardstick (TARGETS.md): hidden 512, 8 layers, 8 heads, 4 key/value heads, intermediate 1408.
      model_dir = (setup.dir / "yardstick").string();
      nineteen::models::TinyLlamaOptions options;
      options.hidden = 512;
      options.layers = 8;
      options.heads = 8;
      options.kv_heads = 4;
      options.intermediate = 1408;
      nineteen::models::make_tiny_llama(model_dir, options);
    }
    std::ofstream toml(setup.dir / "tasks.toml");
    for (const auto& [name, batch] : {std::pair<std::string, int>{"llm-single", 0}, {"llm-batched", most}}) {
      toml << "[tasks." << name << "]\nplugin = \"llm\"\ntype = \"chat\"\nmodel_dir = \"" << model_dir
           << "\"\nthreads = " << threads << "\nbatch = " << batch << "\ntimeout_s = 120\n\n";
    }
    toml.close();
    setup.config.tasks.clear();
    for (const char* name : {"llm-single", "llm-batched"}) {
      nineteen::miner::MinerTaskSettings task;
      task.name = name;
      task.concurrency = static_cast<size_t>(most);
      setup.config.tasks.push_back(task);
    }
    std::string gguf = (setup.dir / "model-f32.gguf").string(), why;
    try {
      nineteen::models::GgufExportOptions export_options;
      export_options.type = nineteen::models::GgufType::F32;
      nineteen::models::export_gguf(model_dir, gguf, export_options);
    } catch (const std::exception& e) {
      why = std::string("no GGUF export of this model: ") + e.what();
      gguf.clear();
    }
    nineteen::miner::MinerNode miner(setup.config,
                                     nineteen::miner::validators_from_node_list(*setup.config.nodes_file));
    const std::string url = miner.base_url(), address = setup.miner_key.ss58_address();
    // Warm-up: the weights' first touches and libtorch's lazy setup stay out of the figures.
    for (const char* task : {"llm-single", "llm-batched"}) measure(url, task, 2, 0.5, 16, setup.validator, address);

    std::printf("CPU: %s (%u online), threads %d; load average before: %s\n", cpu_model().c_str(),
                std::thread::hardware_concurrency(), threads, load_average().c_str());
    std::printf("model: %s (yardstick unless --model-dir), f32; path: signed HTTP to a miner on loopback, "
                "SSE, llm plugin in its worker process; %d tokens per answer (temperature 0.7), %.0f s per row\n\n",
                model_dir.c_str(), tokens, seconds);
    std::printf("%-7s | %-28s | %-28s | %-8s | %-9s | %s\n", "streams", "batching off: tok/s  TTFT p50/p99 ms",
                "batching on: tok/s  TTFT p50/p99 ms", "on / off", "on vs 1", "llama.cpp parallel tok/s, ours / it");
    std::printf("--------+------------------------------+------------------------------+----------+-----------+------\n");
    double on_single = 0;
    for (int streams : stream_counts) {
      const Row off = measure(url, "llm-single", streams, seconds, tokens, setup.validator, address);
      const Row on = measure(url, "llm-batched", streams, seconds, tokens, setup.validator, address);
      if (streams == 1) on_single = on.tokens_per_s;
      const std::optional<double> llama =
          gguf.empty() ? std::nullopt : llama_cpp_parallel(gguf, streams, tokens, threads, why);
      char llama_text[64];
      if (llama) {
        std::snprintf(llama_text, sizeof(llama_text), "%.0f, %.2f", *llama, on.tokens_per_s / *llama);
      } else {
        std::snprintf(llama_text, sizeof(llama_text), "n/a (see below)");
      }
      std::printf("%-7d | %8.0f  %8.1f %8.1f   | %8.0f  %8.1f %8.1f   | %7.2fx | %s | %s%s\n", streams,
                  off.tokens_per_s, off.ttft_p50, off.ttft_p99, on.tokens_per_s, on.ttft_p50, on.ttft_p99,
                  on.tokens_per_s / std::max(1e-9, off.tokens_per_s),
                  on_single > 0 ? (std::to_string(on.tokens_per_s / on_single).substr(0, 5) + "x    ").c_str()
                                : "  -      ",
                  llama_text, (off.errors + on.errors) ? " (errors!)" : "");
      if (off.errors + on.errors) {
        std::printf("        errors: off %zu (%s), on %zu (%s)\n", off.errors, off.first_error.c_str(), on.errors,
                    on.first_error.c_str());
      }
    }
    std::printf("\nload average after: %s\nllama.cpp column: %s\n", load_average().c_str(), why.c_str());
    miner.stop();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_llm_streams: %s\n", e.what());
    return 1;
  }
  return 0;
}
