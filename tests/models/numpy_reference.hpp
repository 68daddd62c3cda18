// Helpers for tests that compare a model with an independent NumPy implementation: finding a Python
// that has numpy, and reading the little-endian f32 values it writes.
#pragma once

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace nineteen::models::testing_support {

// The first interpreter that can import numpy: $NINETEEN_PYTHON, Debian's, then PATH's (which may
// be a virtual environment without numpy). "" when there is none (the test skips).
inline std::string python_with_numpy() {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("NINETEEN_PYTHON")) candidates.push_back(env);
  candidates.push_back("/usr/bin/python3");
  candidates.push_back("python3");
  for (const std::string& py : candidates) {
    std::string probe = "'" + py + "' -c 'import numpy' >/dev/null 2>&1";
    if (std::system(probe.c_str()) == 0) return py;
  }
  return "";
}

inline std::vector<float> read_floats(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<float> out(bytes.size() / 4);
  std::memcpy(out.data(), bytes.data(), out.size() * 4);
  return out;
}

}  // namespace nineteen::models::testing_support
