// The exception plugin code throws; the SDK turns it into an nt_status at the boundary.
#pragma once

#include <stdexcept>
#include <string>

#include "nineteen/plugin_api.h"

namespace nineteen::sdk {

class Error : public std::runtime_error {
 public:
  Error(nt_code code, const std::string& message) : std::runtime_error(message), code_(code) {}
  nt_code code() const { return code_; }

 private:
  nt_code code_;
};

inline const char* code_name(int32_t code) {
  switch (code) {
    case NT_OK: return "ok";
    case NT_INVALID_ARGUMENT: return "invalid_argument";
    case NT_NOT_FOUND: return "not_found";
    case NT_UNAVAILABLE: return "unavailable";
    case NT_RESOURCE_EXHAUSTED: return "resource_exhausted";
    case NT_CANCELLED: return "cancelled";
    case NT_UNIMPLEMENTED: return "unimplemented";
    case NT_INTERNAL: return "internal";
    case NT_ABI_MISMATCH: return "abi_mismatch";
  }
  return "unknown";
}

}  // namespace nineteen::sdk
