// Stops an HttpServer cleanly on SIGINT or SIGTERM (for the node executables).
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "nineteen/net/http_server.hpp"

namespace nineteen::net {

// While alive, a SIGINT or SIGTERM calls `on_signal(signal_number)` once, on a thread of its own
// (not in signal context). Destroying it restores the default handling of both signals.
// A signal always stops the process: if it is still running kLastResortStop after the first signal
// (say, a plugin's serve that never returns holds a handler thread), it says so and exits with 1.
class StopSignals {
 public:
  static constexpr std::chrono::seconds kLastResortStop{30};

  explicit StopSignals(std::function<void(int)> on_signal);
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // Signals seen so far (0 or 1; later ones are ignored).
  int received() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The usual wiring: on the first signal, `server.stop(grace)`. Pair with server.wait() in main.
std::unique_ptr<StopSignals> stop_on_signals(HttpServer& server,
                                             std::chrono::milliseconds grace = std::chrono::milliseconds(5000));

}  // namespace nineteen::net
