// Request ids: validation of a client's, and fresh ones from a per-thread generator.
#include "nineteen/net/request_id.hpp"

#include <random>

namespace nineteen::net {

bool well_formed_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                         c == '_' || c == ':' || c == '-';
    if (!allowed) return false;
  }
  return true;
}

std::string new_request_id() {
  // Ids need to be unique, not secret: a generator per thread, seeded once from the system.
  thread_local std::mt19937_64 generator{(static_cast<std::uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}()};
  static const char* hex = "0123456789abcdef";
  std::string id = "req_";
  for (int half = 0; half < 2; ++half) {
    std::uint64_t bits = generator();
    for (int i = 0; i < 16; ++i, bits >>= 4) id += hex[bits & 15];
  }
  return id;
}

std::string request_id_for(const std::optional<std::string>& sent) {
  return sent && well_formed_request_id(*sent) ? *sent : new_request_id();
}

}  // namespace nineteen::net
