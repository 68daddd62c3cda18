// The cost of plugin isolation (issue 17, item 2): the same text_transform task served in-process and
// through its worker process (`nineteen plugin-worker`), in the same run. Prints, per path, the
// latency of one small call (serve, check, validate), the time per streamed chunk of a long answer,
// and calls/s with several threads; the isolated rows' added cost is the difference.
//   bench_plugin_isolation [--calls N] [--words N] [--threads N]
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>
#include <algorithm>
#include <chrono>

#include "nineteen/config/task_catalog.hpp"
#include "nineteen/plugin_host/plugin_host.hpp"
#include "bench_machine.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using nineteen::plugin_host::LiveTask;
using nineteen::plugin_host::PluginHost;
using nineteen::plugin_host::PluginHostOptions;

namespace {

struct Stats {
  double mean_us = 0, p50_us = 0, p99_us = 0;
};

Stats stats(std::vector<double> us) {
  Stats s;
  if (us.empty()) return s;
  std::sort(us.begin(), us.end());
  double sum = 0;
  for (double u : us) sum += u;
  s.mean_us = sum / static_cast<double>(us.size());
  s.p50_us = us[us.size() / 2];
  s.p99_us = us[std::min(us.size() - 1, us.size() * 99 / 100)];
  return s;
}

template <typename F>
Stats time_calls(int n, F&& f) {
  std::vector<double> us;
  us.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n / 10; ++i) f();  // warm up
  for (int i = 0; i < n; ++i) {
    auto t0 = Clock::now();
    f();
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  return stats(std::move(us));
}

struct Row {
  std::string path;
  Stats serve, check, validate, stream;
  double per_chunk_us = 0;
  double calls_per_s = 0;
};

Row measure(const std::string& path, PluginHost& host, int calls, int words, int threads) {
  Row row;
  row.path = path;
  std::shared_ptr<LiveTask> task = host.task("reverse-words");
  if (!task) {
    std::fprintf(stderr, "task reverse-words did not load (%s)\n", path.c_str());
    std::exit(1);
  }
  const std::string small = R"({"text":"abc de"})";
  const std::string answer = task->serve_collect(small);
  row.serve = time_calls(calls, [&] { task->serve_collect(small); });
  row.check = time_calls(calls, [&] { task->check({small}, {answer}); });
  row.validate = time_calls(calls, [&] { task->validate(small); });
  std::string text;
  for (int i = 0; i < words; ++i) text += (i ? " w" : "w") + std::to_string(i);
  const std::string streamed = "{\"text\":\"" + text + "\",\"stream\":true}";
  row.stream = time_calls(std::max(10, calls / 20), [&] { task->serve_collect(streamed); });
  row.per_chunk_us = row.stream.mean_us / (words + 1);  // one chunk per word, then {"done":true}
  // Throughput: `threads` callers at once, each making calls/threads small serve calls.
  std::vector<std::thread> pool;
  const int each = std::max(1, calls / threads);
  auto t0 = Clock::now();
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (int i = 0; i < each; ++i) task->serve_collect(small);
    });
  }
  for (auto& t : pool) t.join();
  row.calls_per_s = each * threads / std::chrono::duration<double>(Clock::now() - t0).count();
  return row;
}

}  // namespace

int main(int argc, char** argv) {
  int calls = 4000, words = 1000, threads = 4;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--calls") calls = std::atoi(argv[i + 1]);
    else if (a == "--words") words = std::atoi(argv[i + 1]);
    else if (a == "--threads") threads = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: bench_plugin_isolation [--calls N] [--words N] [--threads N]\n");
      return 2;
    }
  }
  const fs::path dir = fs::temp_directory_path() / ("bench-isolation-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path catalogue = dir / "tasks.toml";
  std::ofstream(catalogue) << "[tasks.reverse-words]\nplugin = \"text_transform\"\nmode = \"reverse\"\nmax_words = "
                           << std::max(words, 16) << "\n";
  auto run = [&](bool isolated) {
    PluginHostOptions options;
    options.search_dirs = {SHIPPED_PLUGIN_DIR};
    options.isolation.process = isolated;
    options.isolation.worker_executable = NINETEEN_BINARY;
    PluginHost host(options);
    host.load(nineteen::config::load_task_catalog(catalogue.string()));
    return measure(isolated ? "worker process" : "in-process", host, calls, words, threads);
  };
  std::vector<Row> rows = {run(false), run(true)};
  fs::remove_all(dir);

  std::printf("plugin isolation cost: text_transform (reverse), %d calls per row, %d-word streamed answers, %d threads\n",
              calls, words, threads);
  std::printf("CPU: %s; %u hardware threads; load average %.2f\n", bench::cpu_model().c_str(),
              std::thread::hardware_concurrency(), bench::load_average());
  std::printf("%-15s %22s %22s %22s %14s %12s\n", "path", "serve µs mean/p50/p99", "check µs mean/p50/p99",
              "validate µs mean/p50/p99", "µs per chunk", "calls/s");
  for (const Row& r : rows) {
    std::printf("%-15s %8.1f/%6.1f/%6.1f %8.1f/%6.1f/%6.1f %8.1f/%6.1f/%6.1f %14.2f %12.0f\n", r.path.c_str(),
                r.serve.mean_us, r.serve.p50_us, r.serve.p99_us, r.check.mean_us, r.check.p50_us, r.check.p99_us,
                r.validate.mean_us, r.validate.p50_us, r.validate.p99_us, r.per_chunk_us, r.calls_per_s);
  }
  const Row& a = rows[0];
  const Row& b = rows[1];
  std::printf("added by isolation: serve %+.1f µs, check %+.1f µs, validate %+.1f µs per call (mean); %+.2f µs per "
              "streamed chunk; throughput x%.2f\n",
              b.serve.mean_us - a.serve.mean_us, b.check.mean_us - a.check.mean_us,
              b.validate.mean_us - a.validate.mean_us, b.per_chunk_us - a.per_chunk_us,
              a.calls_per_s > 0 ? b.calls_per_s / a.calls_per_s : 0);
  return 0;
}
