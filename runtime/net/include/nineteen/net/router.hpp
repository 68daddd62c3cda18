// Chooses a handler by method and exact path; unknown path → 404, known path, wrong method → 405.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "nineteen/net/handler.hpp"

namespace nineteen::net {

class Router {
 public:
  // Registers `handler` for `method` ("GET", "POST", ...) on `path` ("/v1/completions").
  // Registering the same method and path twice throws std::invalid_argument.
  Router& add(const std::string& method, const std::string& path, Handler handler);

  // The reply for `request`: the handler's, or a 404/405 error in OpenAI's shape.
  // Does not catch the handler's exceptions (the server turns them into a 500).
  Reply dispatch(const Request& request) const;

  // Methods registered for `path`, sorted; empty when the path is unknown.
  std::vector<std::string> methods_for(const std::string& path) const;

 private:
  std::map<std::string, std::map<std::string, Handler>> routes_;  // path → method → handler
};

}  // namespace nineteen::net
