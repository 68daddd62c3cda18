// The gateway's added latency and throughput: the same small request sent straight to a miner
// (signed, as a validator does) and through the gateway (API key, routing, signing, relay), in one
// run, with 1, 8 and 64 concurrent clients, whole and streamed answers.
//   bench_gateway [seconds per row]   (run from the build folder: it loads build/lib/nineteen/plugins)
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
#include "bench_miner_setup.hpp"
#include "http_load.hpp"
#include "nineteen/net/http_client.hpp"
#include "nineteen/store/sqlite_validator_store.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

using Row = bench::LoadRow;

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 3.0;
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

  std::printf("%u CPU threads; load average at start: ", std::thread::hardware_concurrency());
  if (std::ifstream load("/proc/loadavg"); load) {
    std::string first;
    load >> first;
    std::printf("%s", first.c_str());
  }
  std::printf("; %.1f s per cell\n\n", seconds);
  std::printf("%-8s %-7s | %-24s | %-24s | %-19s | %s\n", "answer", "clients", "miner direct req/s p50 p99",
              "via gateway req/s p50 p99", "added p50 / p99", "gateway throughput vs direct");
  std::printf("----------------+--------------------------+--------------------------+---------------------+-----\n");
  for (bool stream : {false, true}) {
    for (int clients : {1, 8, 64}) {
      const std::string& body = stream ? streamed : whole;
      Row d = bench::measure_load(clients, seconds, direct(body), stream);
      Row g = bench::measure_load(clients, seconds, through_gateway(body), stream);
      std::printf("%-8s %-7d | %6.0f %7.3fms %7.3fms | %6.0f %7.3fms %7.3fms | %7.3fms %7.3fms | %.2f%s\n",
                  stream ? "streamed" : "whole", clients, d.requests_per_s, d.p50_ms, d.p99_ms, g.requests_per_s,
                  g.p50_ms, g.p99_ms, g.p50_ms - d.p50_ms, g.p99_ms - d.p99_ms,
                  g.requests_per_s / std::max(1.0, d.requests_per_s), (d.errors + g.errors) ? " (errors!)" : "");
    }
  }
  gateway.stop();
  miner.stop();
  return 0;
}
