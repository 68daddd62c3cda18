// The gateway's added latency and throughput: the same small request sent straight to a miner
// (signed, as a validator does) and through the gateway (API key, routing, signing, relay), in one
// run, with 1 to 64 concurrent clients, whole and streamed answers; and, for streamed answers, the
// OS threads the process (gateway and miner together) starts per request in flight.
//   bench_gateway [seconds per row] [clients, e.g. 1,4,16]
//   (run from the build folder: it loads build/lib/nineteen/plugins)
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>
#include <vector>

#include "nineteen/gateway/api_key_text.hpp"
#include "nineteen/gateway/gateway_server.hpp"
#include "nineteen/keys/hotkey.hpp"
#include "nineteen/keys/hotkey_file.hpp"
#include "nineteen/keys/signed_request_guard.hpp"
#include "nineteen/miner/miner_node.hpp"
#include "bench_gateway_setup.hpp"
#include "bench_machine.hpp"
#include "bench_miner_setup.hpp"
#include "http_load.hpp"
#include "nineteen/net/http_client.hpp"
#include "nineteen/store/sqlite_validator_store.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

using Row = bench::LoadRow;

// The process's OS threads now (/proc/self/status).
int thread_count() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("Threads:", 0) == 0) return std::atoi(line.c_str() + 8);
  }
  return -1;
}

// Samples thread_count() every millisecond while it lives; peak() is the most seen.
class ThreadPeak {
 public:
  ThreadPeak() : sampler_([this] {
    while (!stop_) {
      peak_ = std::max(peak_.load(), thread_count());
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }) {}
  ~ThreadPeak() {
    stop_ = true;
    sampler_.join();
  }
  int peak() const { return peak_.load(); }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> peak_{0};
  std::thread sampler_;
};

std::vector<int> client_counts(const char* list) {
  std::vector<int> out;
  for (const char* p = list; *p;) {
    out.push_back(std::max(1, std::atoi(p)));
    while (*p && *p != ',') ++p;
    if (*p == ',') ++p;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 3.0;
  const std::vector<int> clients_list = client_counts(argc > 2 ? argv[2] : "1,4,16,64");
  bench::BenchMiner setup("bench-gateway", 128);
  auto& miner_key = setup.miner_key;
  auto& validator = setup.validator;
  auto& config = setup.config;
  nineteen::miner::MinerNode miner(config, nineteen::miner::validators_from_node_list(*config.nodes_file));

  bench::BenchGateway under_test(setup.dir, validator, miner_key.ss58_address(), miner.base_url(), 128);
  nineteen::gateway::GatewayServer& gateway = under_test.gateway;
  const std::string& api_key = under_test.api_key;

  const std::string whole = R"({"model":"words","text":"alpha beta gamma delta"})";
  const std::string streamed = R"({"model":"words","text":"alpha beta gamma delta","stream":true})";
  auto direct = [&](const std::string& body) {
    return [&, body] {
      nineteen::net::ClientRequest r;
      r.method = "POST";
      r.url = miner.base_url() + "/v1/text/transform";
      r.body = body;
      nineteen::keys::add_signature_headers(r.headers, validator, miner_key.ss58_address(), body);
      return r;
    };
  };
  auto through_gateway = [&](const std::string& body) {
    return [&, body] {
      nineteen::net::ClientRequest r;
      r.method = "POST";
      r.url = gateway.base_url() + "/v1/text/transform";
      r.body = body;
      r.headers.set("Authorization", "Bearer " + api_key);
      return r;
    };
  };

  std::printf("CPU: %s, %u threads; load average at start: %.2f; %.1f s per cell\n\n", bench::cpu_model().c_str(),
              bench::hardware_threads(), bench::load_average(), seconds);
  std::vector<std::pair<int, int>> extra_threads;
  std::printf("%-8s %-7s | %-24s | %-24s | %-19s | %s\n", "answer", "clients", "miner direct req/s p50 p99",
              "via gateway req/s p50 p99", "added p50 / p99", "gateway throughput vs direct");
  std::printf("----------------+--------------------------+--------------------------+---------------------+-----\n");
  for (bool stream : {false, true}) {
    for (int clients : clients_list) {
      const std::string& body = stream ? streamed : whole;
      Row d = bench::measure_load(clients, seconds, direct(body), stream);
      const int threads_before = thread_count();
      Row g;
      int peak = 0;
      {
        ThreadPeak sampler;
        g = bench::measure_load(clients, seconds, through_gateway(body), stream);
        peak = sampler.peak();
      }
      // The load's own client threads and the sampler are not the servers'.
      if (stream) extra_threads.emplace_back(clients, peak - threads_before - clients - 1);
      std::printf("%-8s %-7d | %6.0f %7.3fms %7.3fms | %6.0f %7.3fms %7.3fms | %7.3fms %7.3fms | %.2f%s\n",
                  stream ? "streamed" : "whole", clients, d.requests_per_s, d.p50_ms, d.p99_ms, g.requests_per_s,
                  g.p50_ms, g.p99_ms, g.p50_ms - d.p50_ms, g.p99_ms - d.p99_ms,
                  g.requests_per_s / std::max(1.0, d.requests_per_s), (d.errors + g.errors) ? " (errors!)" : "");
    }
  }
  std::printf("\nOS threads started by the servers (gateway and miner, one process) while streamed requests were in\n"
              "flight, at the peak (the pools' fixed threads not counted):\n");
  for (const auto& [clients, extra] : extra_threads) {
    std::printf("  %2d clients: %3d threads, %.2f per request in flight\n", clients, extra,
                static_cast<double>(extra) / clients);
  }
  gateway.stop();
  miner.stop();
  return 0;
}
