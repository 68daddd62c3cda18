// `nineteen devnet`: options, Ctrl-C, and the final word.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

#include "nineteen/cli/commands.hpp"
#include "nineteen/devnet/devnet.hpp"
#include "nineteen/net/stop_signals.hpp"

namespace nineteen::devnet {
namespace {

// A live line on a terminal's stderr between the devnet's reports: time so far, the period it is in
// and the weight settings reported. Nothing when stderr is not a terminal (logs and tests see only
// the reports).
class LiveCounter {
 public:
  LiveCounter(double period_s, int periods) : period_s_(period_s > 0 ? period_s : 20), periods_(periods) {
    if (!::isatty(STDERR_FILENO)) return;
    thread_ = std::thread([this] {
      std::unique_lock<std::mutex> lock(mutex_);
      while (!stopping_) {
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
        const int period = static_cast<int>(s / period_s_) + 1;
        std::fprintf(stderr, "\r\033[K[devnet %.0f s, period %d, weight settings %d%s]", s, period, settings_,
                     periods_ > 0 ? (" of " + std::to_string(periods_)).c_str() : "");
        std::fflush(stderr);
        shown_ = true;
        wake_.wait_for(lock, std::chrono::seconds(1));
      }
    });
  }
  ~LiveCounter() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    clear();
  }
  // Prints a report on its own lines, then the live line again at its next tick.
  void print(const std::string& text) {
    std::lock_guard<std::mutex> lock(mutex_);
    clear();
    if (text.rfind("weights #", 0) == 0) ++settings_;
    std::cout << text << std::flush;
  }

 private:
  void clear() {
    if (shown_) std::fprintf(stderr, "\r\033[K");
    shown_ = false;
  }
  const double period_s_;
  const int periods_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false, shown_ = false;
  int settings_ = 0;  // weight settings reported so far
  std::thread thread_;
};

}  // namespace

int devnet_command(const std::vector<std::string>& args) {
  const std::string usage =
      "nineteen devnet [--dir DIR] [--miners B1,B2,...] [--periods K] [--period-s S] [--exit] [--no-llm]\n"
      "                [--check-backend]\n"
      "                [--synthetic-multiplier M] [--validators V1:STAKE,V2:STAKE,...]\n"
      "                [--organic-burst N] [--organic-every-s S]\n"
      "  a local chain, a checker, a validator with its gateway and miners with scripted behaviours\n"
      "  --dir DIR        keys, cached models and the run's files (default .devnet)\n"
      "  --periods K      stop after K weight settings (with --exit; otherwise Ctrl-C stops it)\n"
      "  --period-s S     scoring period in seconds (default 20)\n"
      "  --check-backend  the checker checks the LLM tasks through a second node's prompt_logprobs endpoint\n"
      "                   (vLLM's protocol) instead of running the model itself\n"
      "  --validators     e.g. honest:600,honest:300,favour:100 (default one honest validator); with more than\n"
      "                   one, the chain's Yuma consensus is printed after each weight setting\n"
      "  --organic-burst N  organic users: N requests at once through the gateway every --organic-every-s\n"
      "                   seconds (default 1); 0 (default): synthetic load only\n"
      "  behaviours: honest, quantized, wrong-model, lazy, slow, flaky, full, offline\n"
      "  validator behaviours: honest; favour (copies the first validator's weights and gives its colluding\n"
      "  miner, the first wrong-model one, the largest weight)";
  DevnetOptions options;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) throw std::invalid_argument("option " + a + " needs a value\nusage: " + usage);
      return args[++i];
    };
    try {
      if (a == "--help" || a == "-h") {
        std::cout << "usage: " << usage << "\n";
        return 0;
      } else if (a == "--dir") {
        options.dir = value();
      } else if (a == "--miners") {
        options.miners.clear();
        std::stringstream list(value());
        for (std::string b; std::getline(list, b, ',');) {
          if (!b.empty()) options.miners.push_back(b);
        }
      } else if (a == "--periods") {
        options.periods = std::stoi(value());
      } else if (a == "--period-s") {
        options.period_s = std::stod(value());
      } else if (a == "--exit") {
        options.exit_after = true;
      } else if (a == "--no-llm") {
        options.llm = false;
      } else if (a == "--check-backend") {
        options.check_backend = true;
      } else if (a == "--organic-burst") {
        options.organic_burst = std::stoi(value());
      } else if (a == "--organic-every-s") {
        options.organic_every_s = std::stod(value());
      } else if (a == "--validators") {
        options.validators = parse_validator_specs(value());
      } else if (a == "--synthetic-multiplier") {
        options.synthetic_multiplier = std::stod(value());
      } else {
        std::cerr << "unknown option " << a << "\nusage: " << usage << "\n";
        return 2;
      }
    } catch (const std::invalid_argument& e) {
      std::cerr << e.what() << "\n";
      return 2;
    }
  }
  if (options.exit_after && options.periods <= 0) {
    std::cerr << "--exit needs --periods K\nusage: " << usage << "\n";
    return 2;
  }
  const auto started = std::chrono::steady_clock::now();
  Devnet devnet(options);
  net::StopSignals signals([&](int) { devnet.stop(); });
  devnet.start();
  {
    LiveCounter counter(options.period_s, options.periods);
    devnet.run([&](const std::string& text) { counter.print(text); });
  }
  devnet.stop();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("devnet stopped after %.0f s\n", seconds);
  return 0;
}

}  // namespace nineteen::devnet
