// The error a plugin call returned, carried on the host side with its nt_code.
#pragma once

#include <stdexcept>
#include <string>

#include "nineteen/plugin_api.h"

namespace nineteen::plugin_host {

class TaskCallError : public std::runtime_error {
 public:
  TaskCallError(int32_t code, const std::string& message) : std::runtime_error(message), code_(code) {}
  int32_t code() const { return code_; }

 private:
  int32_t code_;
};

// A library or task that could not be loaded; the message names the file, versions and paths searched.
class PluginError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Takes ownership of a non-NULL status returned by a plugin: its message (`if_empty` when it has none),
// the status released. Every place that turns a plugin's status into an error goes through here.
std::string take_status_message(nt_status* status, const char* if_empty = "(no message)");

// Takes ownership of a status returned by a plugin and throws it as TaskCallError (no-op for NULL).
void throw_if_error(nt_status* status, const std::string& context);

const char* code_name(int32_t code);

}  // namespace nineteen::plugin_host
