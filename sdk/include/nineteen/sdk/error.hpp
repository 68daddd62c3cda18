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

inline const char* code_name(int32_t code) { return nt_code_name(code); }

}  // namespace nineteen::sdk
