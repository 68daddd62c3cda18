// Plain HTTP request and response structs that handlers and callers see (no Beast types).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nineteen::net {

// Header fields in arrival order; names compare case-insensitively, as HTTP requires.
class Headers {
 public:
  using Field = std::pair<std::string, std::string>;

  // The first value of `name`, or nullopt when absent.
  std::optional<std::string> get(std::string_view name) const;
  bool has(std::string_view name) const { return get(name).has_value(); }
  // Replaces every field called `name` with one field.
  void set(std::string name, std::string value);
  // Appends a field, keeping any existing ones (e.g. several Set-Cookie).
  void add(std::string name, std::string value);
  void remove(std::string_view name);

  const std::vector<Field>& fields() const { return fields_; }
  bool empty() const { return fields_.empty(); }

 private:
  std::vector<Field> fields_;
};

bool header_name_equals(std::string_view a, std::string_view b);

struct Request {
  std::string method;  // upper case as sent: "GET", "POST", ...
  std::string target;  // as sent: "/v1/chat/completions?x=1"
  std::string path;    // target without the query: "/v1/chat/completions"
  std::string query;   // after '?', without it; empty when none
  Headers headers;
  std::string body;
  std::string remote_address;  // "127.0.0.1:53412"
};

struct Response {
  int status = 200;
  Headers headers;  // Content-Type defaults to application/json when not set here
  std::string body;
};

// A JSON response with the given status.
Response json_response(int status, std::string body);

// The standard reason phrase ("Not Found"), or "Unknown".
const char* status_reason(int status);

}  // namespace nineteen::net
