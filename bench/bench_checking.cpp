// bench_checking: answers checked per second through the validator's checking path (batches of 16
// into the checker queue, the same engine `nineteen checker` runs), per devnet task, beside the
// synthetic volume the devnet's schedule asks one validator to check. Prints a table; asserts nothing.
//
//   bench_checking [--models DIR] [--answers N] [--period-s S] [--multiplier M] [--workers W]
//
// DIR holds the tiny models as `nineteen devnet` makes them (default .devnet/models; missing ones are
// made there with `nineteen-models`). Each task's answers are its own served answers to synthetic
// requests, so every check runs the full rule (and scores 1).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "nineteen/sdk/blas_core.hpp"
#include "nineteen/checker/checker_queue.hpp"
#include "nineteen/config/task_catalog.hpp"
#include "nineteen/plugin_host/plugin_host.hpp"
#include "nineteen/scoring/capacity_draw.hpp"
#include "bench_machine.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct DevnetTask {
  std::string name, toml;
  double max_capacity, volume_per_request;
  std::string model;  // folder under DIR; empty: none
};

// The devnet's honest catalogue (runtime/devnet/src/devnet.cpp), one task per row.
std::vector<DevnetTask> devnet_tasks(const fs::path& models) {
  auto m = [&](const char* name) { return (models / name).string(); };
  return {
      {"chat-tiny-llama",
       "[tasks.chat-tiny-llama]\nplugin = \"llm\"\ntype = \"chat\"\nmodel_dir = \"" + m("tiny-llama") +
           "\"\nthreads = 1\nmax_capacity = 4000\nvolume_per_request = 40\n",
       4000, 40, "tiny-llama"},
      {"completions-tiny-llama",
       "[tasks.completions-tiny-llama]\nplugin = \"llm\"\ntype = \"completions\"\nmodel_dir = \"" + m("tiny-llama") +
           "\"\nthreads = 1\nmax_capacity = 1000\nvolume_per_request = 40\n",
       1000, 40, "tiny-llama"},
      {"embed-tiny-bert",
       "[tasks.embed-tiny-bert]\nplugin = \"embeddings\"\ntype = \"embeddings\"\nmodel_dir = \"" + m("tiny-bert") +
           "\"\nthreads = 1\nmax_capacity = 20000\nvolume_per_request = 200\n",
       20000, 200, "tiny-bert"},
      {"text-to-image-tiny",
       "[tasks.text-to-image-tiny]\nplugin = \"diffusion\"\ntype = \"text-to-image\"\nmodel_dir = \"" +
           m("tiny-diffusion") + "\"\nthreads = 1\nmax_side = 128\nmax_capacity = 800\nvolume_per_request = 10\n",
       800, 10, "tiny-diffusion"},
      {"reverse-words",
       "[tasks.reverse-words]\nplugin = \"text_transform\"\nmode = \"reverse\"\nmax_capacity = 2000\n"
       "volume_per_request = 10\n",
       2000, 10, ""},
  };
}

bool make_model(const fs::path& binary_dir, const fs::path& models, const std::string& name) {
  const std::map<std::string, std::string> kind = {
      {"tiny-llama", "tiny-llama"}, {"tiny-bert", "tiny-bert"}, {"tiny-diffusion", "tiny-diffusion"}};
  const fs::path out = models / name;
  if (fs::exists(out / "config.json") || fs::exists(out / "model_index.json")) return true;
  const fs::path maker = binary_dir / "nineteen-models";
  if (!fs::exists(maker)) return false;
  fs::create_directories(models);
  std::fprintf(stderr, "making %s in %s\n", name.c_str(), out.c_str());
  const std::string command = maker.string() + " make " + kind.at(name) + " --out '" + out.string() + "' > /dev/null";
  return std::system(command.c_str()) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  nineteen::sdk::restart_with_openblas_core(argv);  // OpenBLAS's kernels by CPU (blas_core.hpp)
  fs::path models = ".devnet/models";
  int answers = 64;
  double period_s = 20;          // the devnet's period
  double multiplier = 4;          // the devnet's synthetic_multiplier
  int workers = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    if (key == "--models") models = argv[i + 1];
    else if (key == "--answers") answers = std::max(16, std::atoi(argv[i + 1]));
    else if (key == "--period-s") period_s = std::atof(argv[i + 1]);
    else if (key == "--workers") workers = std::max(1, std::atoi(argv[i + 1]));
    else if (key == "--multiplier") multiplier = std::atof(argv[i + 1]);
    else {
      std::fprintf(stderr,
                   "usage: bench_checking [--models DIR] [--answers N] [--period-s S] [--multiplier M] [--workers W]\n");
      return 2;
    }
  }
  const fs::path binary_dir = fs::canonical("/proc/self/exe").parent_path();
  models = fs::absolute(models);

  std::string catalogue;
  std::vector<DevnetTask> tasks;
  for (const DevnetTask& t : devnet_tasks(models)) {
    if (!t.model.empty() && !make_model(binary_dir, models, t.model)) {
      std::fprintf(stderr, "skipping %s: no model and no nineteen-models to make it\n", t.name.c_str());
      continue;
    }
    catalogue += t.toml + "\n";
    tasks.push_back(t);
  }
  nineteen::plugin_host::PluginHostOptions options;
  options.search_dirs = {binary_dir.parent_path() / "lib" / "nineteen" / "plugins"};
  auto host = std::make_shared<nineteen::plugin_host::PluginHost>(options);
  host->load(nineteen::config::parse_task_catalog(catalogue, "bench_checking catalogue"));
  nineteen::checker::CheckerSettings settings;
  settings.workers = workers;
  settings.max_queued_items = static_cast<size_t>(answers) * 2;
  auto checker = nineteen::checker::make_inline_checker(host, settings);

  // The devnet's synthetic load on one validator: 8 serving miners, each tested on capacity · m · M
  // per period, m drawn with mean E[m].
  nineteen::scoring::CapacityDrawSettings draw;
  double mean_share = 0, total_p = 0;
  for (const auto& c : draw.scored_shares) {
    mean_share += c.share * c.probability;
    total_p += c.probability;
  }
  mean_share /= total_p;
  constexpr int kServingMiners = 8;

  std::printf("bench_checking: %s; %d checker worker(s); load average %.2f; %d answers per task, batches of 16\n",
              bench::cpu_model().c_str(), workers, bench::load_average(), answers);
  std::printf("%-24s %8s %9s %12s %14s %8s  %s\n", "task", "answers", "seconds", "checked/s", "devnet asks/s",
              "ratio", "keeps up");
  for (const DevnetTask& t : tasks) {
    auto live = host->task(t.name);
    if (!live) {
      std::printf("%-24s not loaded\n", t.name.c_str());
      continue;
    }
    std::vector<nineteen::checker::CheckItem> items;
    for (int i = 0; i < answers; ++i) {
      const std::string request = live->synthesize(static_cast<uint64_t>(i + 1));
      items.push_back({t.name, request, live->serve_collect(request)});
    }
    const auto started = Clock::now();
    std::vector<std::string> jobs;
    for (size_t i = 0; i < items.size(); i += 16) {
      std::vector<nineteen::checker::CheckItem> batch(items.begin() + static_cast<long>(i),
                                                       items.begin() + static_cast<long>(std::min(items.size(), i + 16)));
      jobs.push_back(checker->submit(batch));
    }
    size_t checked = 0;
    double quality = 0;
    for (const std::string& job : jobs) {
      while (true) {
        nineteen::checker::JobStatus s = checker->poll(job);
        if (s.state == nineteen::checker::JobState::pending) {
          std::this_thread::sleep_for(std::chrono::milliseconds(2));
          continue;
        }
        for (const auto& o : s.outcomes) quality += o.quality;
        checked += s.outcomes.size();
        break;
      }
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    const double rate = static_cast<double>(checked) / seconds;
    const double asked = kServingMiners * t.max_capacity * mean_share * multiplier / t.volume_per_request / period_s;
    std::printf("%-24s %8zu %9.2f %12.1f %14.2f %8.1fx  %s (mean quality %.3f)\n", t.name.c_str(), checked, seconds,
                rate, asked, rate / asked, rate >= asked ? "yes" : "NO", checked ? quality / checked : 0.0);
  }
  std::printf("devnet asks/s = %d miners x max_capacity x E[m] %.4f x M %.1f / volume_per_request / period %.0f s\n",
              kServingMiners, mean_share, multiplier, period_s);
  return 0;
}
