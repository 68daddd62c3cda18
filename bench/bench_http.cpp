// Benchmark: requests/s and p50/p99 latency of a trivial handler over keep-alive on loopback.
// Usage: bench_http [--seconds S] [--clients 1,8,64] [--io-threads N] [--handler-threads N]
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "nineteen/net/http_client.hpp"
#include "nineteen/net/http_server.hpp"

using namespace nineteen::net;
using Clock = std::chrono::steady_clock;

namespace {

struct Row {
  int clients;
  std::size_t requests;
  std::size_t failures;
  double seconds;
  double p50_us;
  double p99_us;
};

Row run(const std::string& url, int clients, double seconds) {
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(clients));
  std::atomic<std::size_t> failures{0};
  std::atomic<bool> go{false};
  auto end = Clock::now() + std::chrono::milliseconds(static_cast<long>(seconds * 1000)) + std::chrono::milliseconds(50);
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      HttpClient client;  // one keep-alive connection per simulated client
      ClientRequest request;
      request.url = url;
      auto& mine = latencies[static_cast<std::size_t>(c)];
      while (!go.load()) std::this_thread::yield();
      while (Clock::now() < end) {
        auto t0 = Clock::now();
        ClientResult r = client.send(request);
        auto t1 = Clock::now();
        if (!r.ok() || r.status != 200) {
          ++failures;
          continue;
        }
        mine.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
      }
    });
  }
  auto start = Clock::now();
  go = true;
  for (auto& t : threads) t.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) { return all.empty() ? 0.0 : all[static_cast<std::size_t>(p * (all.size() - 1))]; };
  return Row{clients, all.size(), failures.load(), elapsed, pct(0.50), pct(0.99)};
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 3;
  std::vector<int> client_counts{1, 8, 64};
  ServerOptions options;
  options.io_threads = 1;
  options.handler_threads = 2;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "bench_http: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--seconds") {
      seconds = std::atof(next().c_str());
    } else if (a == "--clients") {
      client_counts.clear();
      std::stringstream list(next());
      for (std::string item; std::getline(list, item, ',');) client_counts.push_back(std::atoi(item.c_str()));
    } else if (a == "--io-threads") {
      options.io_threads = std::atoi(next().c_str());
    } else if (a == "--handler-threads") {
      options.handler_threads = std::atoi(next().c_str());
    } else {
      std::fprintf(stderr,
                   "usage: bench_http [--seconds S] [--clients 1,8,64] [--io-threads N] [--handler-threads N]\n");
      return 2;
    }
  }
  Router router;
  router.add("GET", "/ping", [](const Request&) { return json_response(200, "{\"ok\":true}"); });
  HttpServer server(std::move(router), options);
  std::printf("bench_http: GET /ping (a 11-byte JSON answer) over keep-alive on loopback; %u hardware threads;\n"
              "server io_threads=%d handler_threads=%d; %.1f s per row\n\n",
              std::thread::hardware_concurrency(), options.io_threads, options.handler_threads, seconds);
  std::printf("%8s %10s %9s %12s %10s %10s\n", "clients", "requests", "failures", "requests/s", "p50 (us)", "p99 (us)");
  for (int clients : client_counts) {
    Row r = run(server.base_url() + "/ping", clients, seconds);
    std::printf("%8d %10zu %9zu %12.0f %10.0f %10.0f\n", r.clients, r.requests, r.failures, r.requests / r.seconds,
                r.p50_us, r.p99_us);
  }
  server.stop();
  return 0;
}
