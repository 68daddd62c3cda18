// The machine a benchmark ran on, for the first lines of its table: the CPU model, the hardware
// threads and the load average (a loaded machine is named, so a slow figure can be read as such).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

namespace bench {

// The CPU's model name from /proc/cpuinfo, or "unknown CPU".
inline std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      const auto start = line.find_first_not_of(' ', colon == std::string::npos ? line.size() : colon + 1);
      return start == std::string::npos ? "unknown CPU" : line.substr(start);
    }
  }
  return "unknown CPU";
}

// The one-minute load average, or -1 when it cannot be read.
inline double load_average() {
  double load[1] = {0};
  return ::getloadavg(load, 1) == 1 ? load[0] : -1;
}

// The same as text for a table: "1.70", or "unknown".
inline std::string load_average_text() {
  const double load = load_average();
  if (load < 0) return "unknown";
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", load);
  return text;
}

inline unsigned hardware_threads() { return std::thread::hardware_concurrency(); }

}  // namespace bench
