// Formats a key's limit states as x-ratelimit-* headers.
#include "nineteen/gateway/rate_limit_headers.hpp"

#include <cmath>
#include <cstdio>

namespace nineteen::gateway {
namespace {

std::string whole_number(double v) {
  if (!std::isfinite(v) || v < 0) v = 0;
  char text[32];
  std::snprintf(text, sizeof text, "%.0f", std::floor(v));
  return text;
}

}  // namespace

std::string reset_duration_text(double seconds) {
  if (!std::isfinite(seconds) || seconds <= 0) return "0s";
  const long long ms = static_cast<long long>(std::ceil(seconds * 1000));
  if (ms < 1000) return std::to_string(ms) + "ms";
  const long long hours = ms / 3'600'000, minutes = ms / 60'000 % 60, whole_s = ms / 1000 % 60, rest_ms = ms % 1000;
  std::string out;
  if (hours > 0) out += std::to_string(hours) + "h";
  if (hours > 0 || minutes > 0) out += std::to_string(minutes) + "m";
  out += std::to_string(whole_s);
  if (rest_ms > 0) {  // "1.5s", "20.001s": the fraction without trailing zeros
    char fraction[8];
    std::snprintf(fraction, sizeof fraction, ".%03lld", rest_ms);
    std::string f = fraction;
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out + "s";
}

std::vector<std::pair<std::string, std::string>> rate_limit_headers(const std::vector<KeyLimitState>& limits) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const KeyLimitState& l : limits) {
    out.emplace_back("x-ratelimit-limit-" + l.name, whole_number(l.limit));
    out.emplace_back("x-ratelimit-remaining-" + l.name, whole_number(l.remaining));
    out.emplace_back("x-ratelimit-reset-" + l.name, reset_duration_text(l.reset_s));
  }
  return out;
}

}  // namespace nineteen::gateway
