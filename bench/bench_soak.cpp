// Issue 17, item 5: a soak. Measures the gateway's peak throughput (a miner behind it on loopback,
// the same setup as bench_gateway), then drives it at 80 % of that peak, open loop, for a long while
// and prints, per interval, the throughput, error rate, latency and the process's resident memory,
// so a leak or a slow-down shows as a trend against the first interval.
//   bench_soak [seconds = 600] [intervals = 20]   (run from the build folder)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench_gateway_setup.hpp"
#include "bench_machine.hpp"
#include "bench_miner_setup.hpp"
#include "http_load.hpp"
#include "nineteen/gateway/api_key_text.hpp"
#include "nineteen/gateway/gateway_server.hpp"
#include "nineteen/miner/miner_node.hpp"
#include "nineteen/net/http_client.hpp"
#include "nineteen/store/sqlite_validator_store.hpp"

using Clock = std::chrono::steady_clock;

namespace {

std::string first_line_field(const char* file, const char* prefix) {
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) == 0) return line.substr(line.find(':') + 1);
  }
  return "";
}

double resident_mb() { return std::atof(first_line_field("/proc/self/status", "VmRSS").c_str()) / 1024.0; }

// What happened in one interval of the soak.
struct Interval {
  std::vector<double> latencies_ms;
  std::size_t errors = 0;
};

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each line as it is printed, also into a file
  const double seconds = argc > 1 ? std::atof(argv[1]) : 600;
  const int intervals = argc > 2 ? std::max(2, std::atoi(argv[2])) : 20;
  bench::BenchMiner setup("bench-soak", 128);
  nineteen::miner::MinerNode miner(setup.config, nineteen::miner::validators_from_node_list(*setup.config.nodes_file));
  bench::BenchGateway under_test(setup.dir, setup.validator, setup.miner_key.ss58_address(), miner.base_url(), 64);
  nineteen::gateway::GatewayServer& gateway = under_test.gateway;
  const std::string& api_key = under_test.api_key;

  // Half the requests streamed, with fresh text each time (varied sizes, as users send).
  std::atomic<std::uint64_t> counter{0};
  auto make_request = [&] {
    const std::uint64_t n = counter++;
    nineteen::net::ClientRequest r;
    r.method = "POST";
    r.url = gateway.base_url() + "/v1/text/transform";
    std::string text = "soak";
    for (std::uint64_t w = 0; w < 2 + n % 14; ++w) text += " word" + std::to_string((n * 7 + w) % 1000);
    r.body = R"({"model":"words","text":")" + text + "\"" + (n % 2 ? R"(,"stream":true})" : "}");
    r.headers.set("Authorization", "Bearer " + api_key);
    return r;
  };

  std::printf("CPU: %s, %u threads; load average at start: %.2f\n", bench::cpu_model().c_str(),
              bench::hardware_threads(), bench::load_average());
  // The peak: 16 closed-loop clients for 5 s (whole answers).
  const bench::LoadRow peak = bench::measure_load(16, 5.0, [&] {
    auto r = make_request();
    r.body = R"({"model":"words","text":"soak peak alpha beta gamma"})";
    return r;
  });
  const double rate = 0.8 * peak.requests_per_s;
  std::printf("peak %.0f req/s (16 clients, p99 %.2f ms); soak at 80 %% = %.0f req/s for %.0f s, %d intervals\n\n",
              peak.requests_per_s, peak.p99_ms, rate, seconds, intervals);

  // Open loop: each of `workers` threads owns every workers-th send time of a fixed schedule, so a
  // slow answer delays only its thread's next sends (they go at once when late) and the offered
  // rate stays put. 32 threads keep up at this rate: an answer takes about a millisecond.
  const int workers = 32;
  const auto start = Clock::now();
  const double interval_s = seconds / intervals;
  std::vector<Interval> results(intervals);
  std::mutex results_mutex;
  std::vector<std::thread> threads;
  std::atomic<std::uint64_t> not_sent{0};
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      nineteen::net::HttpClient client;
      for (std::uint64_t k = w;; k += workers) {
        const double at = static_cast<double>(k) / rate;
        if (at >= seconds) return;
        // Past the window, what is still due is not sent: a soak that ran on and on behind its schedule
        // (on a machine busy with other work) would measure the backlog, not the gateway.
        if (Clock::now() - start >= std::chrono::duration<double>(seconds)) {
          not_sent += static_cast<std::uint64_t>(std::ceil((seconds * rate - static_cast<double>(k)) / workers));
          return;
        }
        std::this_thread::sleep_until(start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(at)));
        nineteen::net::ClientRequest request = make_request();
        const bool stream = request.body.find("\"stream\":true") != std::string::npos;
        const auto t0 = Clock::now();
        nineteen::net::ClientResult result =
            stream ? client.stream(request, [](const nineteen::net::SseEvent&) { return true; }) : client.send(request);
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        const bool ok = result.ok() && result.status == 200 && (!stream || result.done_seen);
        // Binned by when the answer came, so req/s is what the gateway delivered in that interval.
        const double done_at = std::chrono::duration<double>(Clock::now() - start).count();
        const int slot = std::min(intervals - 1, static_cast<int>(done_at / interval_s));
        std::lock_guard<std::mutex> lock(results_mutex);
        if (ok) {
          results[slot].latencies_ms.push_back(ms);
        } else {
          ++results[slot].errors;
        }
      }
    });
  }

  // Resident memory at the end of each interval, while the load runs.
  std::vector<double> rss(intervals, 0);
  for (int i = 0; i < intervals; ++i) {
    std::this_thread::sleep_until(start + std::chrono::duration_cast<Clock::duration>(
                                              std::chrono::duration<double>(interval_s * (i + 1))));
    rss[i] = resident_mb();
  }
  for (auto& t : threads) t.join();

  std::printf("%8s %10s %8s %9s %9s %9s %13s\n", "t (s)", "req/s", "errors", "p50 ms", "p99 ms", "RSS MB",
              "RSS vs first");
  double first_rate = 0, last_rate = 0;
  for (int i = 0; i < intervals; ++i) {
    auto& lat = results[i].latencies_ms;
    std::sort(lat.begin(), lat.end());
    const double done = static_cast<double>(lat.size());
    const double r = done / interval_s;
    const double total = done + static_cast<double>(results[i].errors);
    if (i == 0) first_rate = r;
    last_rate = r;
    std::printf("%8.0f %10.0f %7.3f%% %9.3f %9.3f %9.1f %+12.1f%%\n", interval_s * (i + 1), r,
                total > 0 ? 100.0 * static_cast<double>(results[i].errors) / total : 0.0,
                lat.empty() ? 0 : lat[lat.size() / 2], lat.empty() ? 0 : lat[std::min(lat.size() - 1, lat.size() * 99 / 100)],
                rss[i], 100.0 * (rss[i] / rss[0] - 1));
  }
  const double scheduled = std::floor(seconds * rate);
  std::printf("\nsent %.0f of %.0f scheduled requests (%.1f %%)%s\n", scheduled - static_cast<double>(not_sent.load()),
              scheduled, 100.0 * (1 - static_cast<double>(not_sent.load()) / scheduled),
              not_sent.load() > 0 ? "; the rest fell due after the window, behind schedule: the machine could not keep "
                                    "the rate (busy with other work?); compare the req/s column with the offered rate"
                                  : "");
  const double peak_rss = *std::max_element(rss.begin(), rss.end());
  std::printf("\nthroughput last/first interval %.3f; resident memory last/first %.3f, peak/first %.3f\n",
              first_rate > 0 ? last_rate / first_rate : 0.0, rss.back() / rss.front(), peak_rss / rss.front());
  // The miner keeps every nonce it saw for its 120 s replay window (about 100 bytes each), so memory
  // rises for the first two minutes by design; flat means flat after that.
  const int settled = static_cast<int>(std::ceil(150.0 / interval_s)) - 1;
  if (settled > 0 && settled < intervals - 1) {
    const double after = *std::max_element(rss.begin() + settled, rss.end());
    std::printf("after the replay window (from t = %.0f s): resident memory last/then %.3f, peak/then %.3f "
                "(flat: within 10 %%)\n",
                interval_s * (settled + 1), rss.back() / rss[settled], after / rss[settled]);
  }
  gateway.stop();
  miner.stop();
  return 0;
}
