// bench_check_backend: the cost per checked token of checking LLM answers through a checking
// backend (issue 23: prompt + answer token ids to an engine's prompt_logprobs over HTTP, here a
// `nineteen miner` on loopback running the same tiny model) against the in-process check (libtorch
// in the checker's own process), on the same answers in the same run. Prints a table with the CPU,
// the load average and the path taken; asserts nothing.
//
//   bench_check_backend [--answers N] [--max-tokens T] [--rounds R] [--batch B]
//
// Both paths run the same model on the same CPU here, so the ratio is the protocol's overhead
// (token ids and ~21 logprobs per position as JSON, one HTTP exchange per batch, the backend's own
// request handling). With a real engine on GPUs the model's share shrinks and this overhead is what
// is left.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "nineteen/sdk/blas_core.hpp"
#include "llm_plugin.hpp"
#include "miner_answer.hpp"
#include "nineteen/devnet/child_process.hpp"
#include "nineteen/keys/hotkey.hpp"
#include "nineteen/keys/hotkey_file.hpp"
#include "nineteen/models/tiny_llama_maker.hpp"
#include "nineteen/sdk/json.hpp"
#include "nineteen/sdk/task.hpp"
#include "bench_machine.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using nineteen::sdk::json_quote;

namespace {

std::unique_ptr<nineteen::sdk::Task> make_task(nineteen::sdk::Plugin& plugin, const std::string& name,
                                               const std::string& json) {
  rapidjson::Document doc = nineteen::sdk::parse_json(json, "config");
  return plugin.create_task(name, nineteen::sdk::JsonObject(doc, "task \"" + name + "\" config"));
}

}  // namespace

int main(int argc, char** argv) {
  nineteen::sdk::restart_with_openblas_core(argv);  // OpenBLAS's kernels by CPU (blas_core.hpp)
  int answers = 32, max_tokens = 64, rounds = 3, batch = 16;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    if (key == "--answers") answers = std::max(1, std::atoi(argv[i + 1]));
    else if (key == "--max-tokens") max_tokens = std::max(1, std::atoi(argv[i + 1]));
    else if (key == "--rounds") rounds = std::max(1, std::atoi(argv[i + 1]));
    else if (key == "--batch") batch = std::max(1, std::atoi(argv[i + 1]));
    else {
      std::fprintf(stderr, "usage: bench_check_backend [--answers N] [--max-tokens T] [--rounds R] [--batch B]\n");
      return 2;
    }
  }
  const fs::path self_dir = fs::canonical("/proc/self/exe").parent_path();
  fs::path nineteen_bin;
  for (const fs::path& p : {self_dir / "nineteen", self_dir.parent_path() / "bin" / "nineteen"}) {
    if (fs::exists(p)) nineteen_bin = p;
  }
  if (nineteen_bin.empty()) {
    std::fprintf(stderr, "no `nineteen` binary beside %s or in ../bin; build the target nineteen first\n",
                 self_dir.c_str());
    return 1;
  }
  const fs::path scratch = fs::temp_directory_path() / ("bench-check-backend-" + std::to_string(::getpid()));
  fs::create_directories(scratch);
  const std::string model = (scratch / "tiny-llama").string();
  nineteen::models::make_tiny_llama(model, {});
  nineteen::keys::save_hotkey(nineteen::keys::Hotkey::generate(), (scratch / "key.json").string());
  std::ofstream(scratch / "tasks.toml") << "[tasks.completions-tiny-llama]\nplugin = \"llm\"\ntype = \"completions\"\n"
                                        << "model_dir = " << json_quote(model) << "\nthreads = 1\n";
  std::ofstream(scratch / "miner.toml") << "[miner]\nhotkey = \"key.json\"\ntasks_file = \"tasks.toml\"\n"
                                        << "require_signatures = false\n[miner.tasks.completions-tiny-llama]\n"
                                        << "concurrency = 4\n";
  int status = 0;
  {
    nineteen::devnet::ChildProcess node(nineteen_bin.string(), {"miner", "--config", (scratch / "miner.toml").string()},
                                        (scratch / "node.log").string());
    auto url = node.wait_for_line(std::regex("listening on (http://[0-9.:]+)"), std::chrono::seconds(120));
    if (!url) {
      std::fprintf(stderr, "the backend node did not start:\n%s\n", node.output().c_str());
      return 1;
    }
    nineteen::llm::LlmPlugin plugin{nineteen::sdk::Host()};
    std::printf("bench_check_backend: %s, load average %.2f at start; %d answers of up to %d tokens, batches of %d, "
                "best of %d rounds\nbackend: `nineteen miner` at %s (vLLM prompt_logprobs protocol, same model, same CPU)\n\n",
                bench::cpu_model().c_str(), bench::load_average(), answers, max_tokens, batch, rounds, url->c_str());
    std::printf("%-12s %-32s %8s %8s %10s %12s %8s\n", "task", "path", "answers", "tokens", "seconds", "us/token",
                "ratio");
    for (const char* type : {"chat", "completions"}) {
      const std::string base = std::string("{\"type\":\"") + type + "\",\"model_dir\":" + json_quote(model) + ",\"threads\":1";
      auto local = make_task(plugin, "local", base + "}");
      auto remote = make_task(plugin, "remote", base + ",\"check_backend\":" + json_quote(*url) +
                                                    ",\"check_backend_model\":\"completions-tiny-llama\"}");
      remote->self_test();
      std::vector<std::string> requests, responses;
      int64_t tokens = 0;
      for (int i = 0; i < answers; ++i) {
        const std::string text = "Tell me about river number " + std::to_string(i) + " and its old bridge.";
        const std::string r = (std::string(type) == "chat"
                                   ? R"({"messages":[{"role":"user","content":)" + json_quote(text) + "}]"
                                   : "{\"prompt\":" + json_quote(text)) +
                              ",\"temperature\":0.8,\"max_tokens\":" + std::to_string(max_tokens) + ",\"seed\":" +
                              std::to_string(i + 1) + ",\"stream\":true,\"logprobs\":true}";
        nineteen::sdk::CollectingCall call;
        local->serve(r, call);
        requests.push_back(r);
        responses.push_back(call.response_json());
        tokens += static_cast<int64_t>(local->work(r, responses.back()));
      }
      double best[2] = {1e30, 1e30};
      double quality_sum[2] = {0, 0};
      for (int round = 0; round < rounds; ++round) {
        for (int path = 0; path < 2; ++path) {
          nineteen::sdk::Task& task = path == 0 ? *local : *remote;
          const auto start = Clock::now();
          double q = 0;
          for (int b = 0; b < answers; b += batch) {
            const int e = std::min(answers, b + batch);
            std::vector<std::string_view> rq(requests.begin() + b, requests.begin() + e);
            std::vector<std::string_view> rs(responses.begin() + b, responses.begin() + e);
            for (const auto& result : task.check(rq, rs)) q += result.quality;
          }
          best[path] = std::min(best[path], std::chrono::duration<double>(Clock::now() - start).count());
          quality_sum[path] = q;
        }
      }
      for (int path = 0; path < 2; ++path) {
        std::printf("%-12s %-32s %8d %8lld %10.3f %12.1f %8.2f\n", type,
                    path == 0 ? "in-process (libtorch)" : "backend (HTTP, prompt_logprobs)", answers,
                    static_cast<long long>(tokens), best[path], 1e6 * best[path] / static_cast<double>(tokens),
                    best[path] / best[0]);
      }
      if (quality_sum[0] != quality_sum[1]) {
        std::printf("  note: the paths' qualities differ (sum %.4f in process, %.4f through the backend)\n",
                    quality_sum[0], quality_sum[1]);
        status = 1;
      }
    }
    std::printf("\nload average %.2f at the end\n", bench::load_average());
  }
  fs::remove_all(scratch);
  return status;
}
