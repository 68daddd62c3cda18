// Closed-loop HTTP load for the benchmark programs: N clients, each with its own keep-alive
// connection, sending for a while; throughput and latency percentiles of the full successes.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <thread>
#include <vector>

#include "nineteen/net/http_client.hpp"

namespace bench {

struct LoadRow {
  double requests_per_s = 0;
  double p50_ms = 0, p99_ms = 0;
  size_t errors = 0;
};

// `clients` threads send `make_request()` for `seconds`; with `stream`, an answer counts only when
// its SSE stream ended with [DONE].
inline LoadRow measure_load(int clients, double seconds, const std::function<nineteen::net::ClientRequest()>& make_request,
                            bool stream = false) {
  using Clock = std::chrono::steady_clock;
  std::vector<std::vector<double>> latencies(clients);
  std::atomic<size_t> errors{0};
  const auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      nineteen::net::HttpClient client;
      while (Clock::now() < deadline) {
        nineteen::net::ClientRequest request = make_request();
        const auto t0 = Clock::now();
        nineteen::net::ClientResult result =
            stream ? client.stream(request, [](const nineteen::net::SseEvent&) { return true; }) : client.send(request);
        const auto t1 = Clock::now();
        if (!result.ok() || result.status != 200 || (stream && !result.done_seen)) {
          errors++;
          continue;
        }
        latencies[c].push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      }
    });
  }
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  LoadRow row;
  row.errors = errors;
  if (all.empty()) return row;
  row.requests_per_s = static_cast<double>(all.size()) / elapsed;
  row.p50_ms = all[all.size() / 2];
  row.p99_ms = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  return row;
}

}  // namespace bench
