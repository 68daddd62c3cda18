// SIGINT/SIGTERM → a callback on an ordinary thread, via Asio's signal_set (self-pipe, not signal context).
#include "nineteen/net/stop_signals.hpp"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

namespace nineteen::net {

struct StopSignals::State {
  boost::asio::io_context ioc;
  boost::asio::signal_set signals{ioc, SIGINT, SIGTERM};
  std::function<void(int)> on_signal;
  std::atomic<int> received{0};
  std::thread thread;
  // Shared with the last-resort thread, which outlives this object: destroying it disarms the thread.
  std::shared_ptr<std::atomic<bool>> last_resort_armed = std::make_shared<std::atomic<bool>>(true);
};

StopSignals::StopSignals(std::function<void(int)> on_signal) : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.on_signal = std::move(on_signal);
  s.signals.async_wait([&s](const boost::system::error_code& ec, int signal_number) {
    if (ec) return;  // cancelled on destruction
    s.received = 1;
    spdlog::info("received {}; stopping", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
    std::thread([armed = s.last_resort_armed] {
      std::this_thread::sleep_for(kLastResortStop);
      if (!armed->load()) return;
      std::fprintf(stderr, "\nstill stopping %lld s after the signal (a request in flight does not end: a task's serve "
                           "that never returns?); exiting now\n",
                   static_cast<long long>(kLastResortStop.count()));
      std::fflush(nullptr);
      std::_Exit(1);
    }).detach();
    if (s.on_signal) s.on_signal(signal_number);
  });
  s.thread = std::thread([&s] { s.ioc.run(); });
}

StopSignals::~StopSignals() {
  *state_->last_resort_armed = false;
  boost::system::error_code ignored;
  state_->signals.cancel(ignored);
  state_->signals.clear(ignored);  // gives both signals back their default action
  if (state_->thread.joinable()) state_->thread.join();
}

int StopSignals::received() const { return state_->received.load(); }

std::unique_ptr<StopSignals> stop_on_signals(HttpServer& server, std::chrono::milliseconds grace) {
  return std::make_unique<StopSignals>([&server, grace](int) { server.stop(grace); });
}

}  // namespace nineteen::net
