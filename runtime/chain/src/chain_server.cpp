// ChainServer: the HTTP server over the local chain's state, and the clock that advances its blocks.
#include "nineteen/chain/chain_server.hpp"

#include <chrono>

#include <spdlog/spdlog.h>

#include "chain_routes.hpp"
#include "nineteen/net/http_server.hpp"

namespace nineteen::chain {

ChainServer::ChainServer(const ChainSettings& settings)
    : state_(std::make_unique<LocalChainState>(settings.db, settings.params)) {
  net::ServerOptions options;
  options.address = settings.address;
  options.port = settings.port;
  options.max_body_bytes = 1024 * 1024;  // a weight vector for 65536 uids is well under this
  http_ = std::make_unique<net::HttpServer>(make_chain_routes(*state_), options);
  clock_ = std::thread([this, block_time_s = settings.params.block_time_s] { tick_blocks(block_time_s); });
}

ChainServer::~ChainServer() { stop(); }

std::string ChainServer::base_url() const { return http_->base_url(); }

std::uint16_t ChainServer::port() const { return http_->port(); }

void ChainServer::tick_blocks(double block_time_s) {
  using clock = std::chrono::steady_clock;
  const auto period = std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(block_time_s));
  // Deadlines step from the start rather than from each wake-up, so blocks do not drift late.
  auto next = clock::now() + period;
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    if (wake_.wait_until(lock, next, [this] { return stopping_; })) break;
    auto hook = on_block_;
    lock.unlock();
    try {
      std::uint64_t block = state_->advance_block();
      if (hook) hook(block);
    } catch (const std::exception& e) {
      // The block did not advance (the write failed); try again at the next tick rather than stop the chain.
      spdlog::error("chain: cannot advance the block: {}", e.what());
    }
    lock.lock();
    next += period;
    if (next < clock::now()) next = clock::now() + period;  // after a stall, do not fire a burst of blocks
  }
}

void ChainServer::on_block(std::function<void(std::uint64_t)> hook) {
  std::lock_guard<std::mutex> lock(mutex_);
  on_block_ = std::move(hook);
}

void ChainServer::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (clock_.joinable()) clock_.join();
  if (http_) http_->stop(std::chrono::milliseconds(2000));
}

}  // namespace nineteen::chain
