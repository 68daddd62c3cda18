// Requests/s and latency through a miner on loopback (signed requests, a small non-streaming task),
// against a bare HTTP server answering the same bytes: the ratio is the miner's own overhead
// (signature check, routing, concurrency slot, plugin call).
//   bench_miner [seconds per row]   (run from the build folder: it loads build/lib/nineteen/plugins)
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "bench_miner_setup.hpp"
#include "http_load.hpp"
#include "nineteen/keys/hotkey.hpp"
#include "nineteen/keys/hotkey_file.hpp"
#include "nineteen/keys/signed_request_guard.hpp"
#include "nineteen/miner/miner_node.hpp"
#include "nineteen/net/http_client.hpp"
#include "nineteen/net/http_server.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

using Row = bench::LoadRow;

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 3.0;
  bench::BenchMiner setup("bench-miner", 64);
  auto& miner_key = setup.miner_key;
  auto& validator = setup.validator;
  auto& config = setup.config;
  nineteen::miner::MinerNode miner(config, nineteen::miner::validators_from_node_list(*config.nodes_file));
  // The same miner without signature checks: separates the ed25519 cost from the rest.
  config.require_signatures = false;
  nineteen::miner::MinerNode open_miner(config, nineteen::miner::validators_from_node_list(*config.nodes_file));

  const std::string body = R"({"model":"words","text":"alpha beta gamma delta"})";
  const std::string answer = R"({"words":["ahpla","ateb","ammag","atled"]})";
  nineteen::net::Router router;
  router.add("POST", "/v1/text/transform",
             [&](const nineteen::net::Request&) { return nineteen::net::json_response(200, answer); });
  nineteen::net::ServerOptions bare_options;
  bare_options.handler_threads = 64;
  nineteen::net::HttpServer bare(std::move(router), bare_options);

  std::printf("%-7s | %-26s | %-26s | %-26s | %s\n", "clients", "bare server req/s p50 p99",
              "miner unsigned req/s p50 p99", "miner signed req/s p50 p99", "throughput vs bare: unsigned, signed");
  std::printf("--------+----------------------------+----------------------------+----------------------------+------\n");
  for (int clients : {1, 8, 64}) {
    Row b = bench::measure_load(clients, seconds, [&] {
      nineteen::net::ClientRequest r;
      r.method = "POST";
      r.url = bare.base_url() + "/v1/text/transform";
      r.body = body;
      return r;
    });
    Row u = bench::measure_load(clients, seconds, [&] {
      nineteen::net::ClientRequest r;
      r.method = "POST";
      r.url = open_miner.base_url() + "/v1/text/transform";
      r.body = body;
      return r;
    });
    Row m = bench::measure_load(clients, seconds, [&] {
      nineteen::net::ClientRequest r;
      r.method = "POST";
      r.url = miner.base_url() + "/v1/text/transform";
      r.body = body;
      nineteen::keys::add_signature_headers(r.headers, validator, miner_key.ss58_address(), body);
      return r;
    });
    std::printf("%-7d | %7.0f %7.3fms %7.3fms | %7.0f %7.3fms %7.3fms | %7.0f %7.3fms %7.3fms | %.2f, %.2f%s\n",
                clients, b.requests_per_s, b.p50_ms, b.p99_ms, u.requests_per_s, u.p50_ms, u.p99_ms, m.requests_per_s,
                m.p50_ms, m.p99_ms, u.requests_per_s / std::max(1.0, b.requests_per_s),
                m.requests_per_s / std::max(1.0, b.requests_per_s), (b.errors + u.errors + m.errors) ? " (errors!)" : "");
  }
  miner.stop();
  open_miner.stop();
  bare.stop();
  return 0;
}
