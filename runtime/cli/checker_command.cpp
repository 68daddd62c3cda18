// The `nineteen checker` subcommand: parse the command line, start the server, stop on a signal.
#include "nineteen/cli/commands.hpp"

#include <cstdlib>
#include <iostream>

#include <spdlog/spdlog.h>

#include "nineteen/checker/checker_server.hpp"
#include "nineteen/net/stop_signals.hpp"

namespace nineteen::checker {

int checker_command(const std::vector<std::string>& args) {
  const std::string usage = "nineteen checker --config FILE [--port N]";
  std::string config_file, port;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if ((a == "--config" || a == "--port") && i + 1 < args.size()) {
      (a == "--config" ? config_file : port) = args[++i];
    } else if (a == "--help" || a == "-h") {
      std::cout << "usage: " << usage << "\n";
      return 0;
    } else {
      std::cerr << (a == "--config" || a == "--port" ? "option " + a + " needs a value" : "unexpected argument \"" + a + "\"")
                << "\nusage: " << usage << "\n";
      return 2;
    }
  }
  if (config_file.empty()) {
    std::cerr << "missing --config FILE\nusage: " << usage << "\n";
    return 2;
  }
  CheckerConfig config = load_checker_config(config_file);
  if (!port.empty()) {
    char* end = nullptr;
    long value = std::strtol(port.c_str(), &end, 10);
    if (port.empty() || *end != '\0' || value < 0 || value > 65535) {
      std::cerr << "--port: expected a number from 0 to 65535, got \"" << port << "\"\n";
      return 2;
    }
    config.port = static_cast<uint16_t>(value);
  }
  CheckerServer server(config);
  std::string tasks;
  for (const auto& t : server.tasks()) tasks += (tasks.empty() ? "" : ", ") + t;
  // Tests and scripts read this line to learn the port.
  std::cout << "checker listening on " << server.base_url() << std::endl;
  std::cout << "checking " << tasks << std::endl;
  for (const auto& failure : server.load_failures()) std::cout << "not checking " << failure << std::endl;
  net::StopSignals signals([&](int signal_number) {
    spdlog::info("signal {}: stopping, letting requests and check calls in flight finish", signal_number);
    server.stop(std::chrono::milliseconds(5000));
  });
  server.wait();
  std::cout << "checker stopped" << std::endl;
  return 0;
}

}  // namespace nineteen::checker
