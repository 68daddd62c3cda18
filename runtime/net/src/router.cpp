// Exact-path routing with OpenAI-shaped 404 and 405 answers.
#include "nineteen/net/router.hpp"

#include <stdexcept>

#include "nineteen/net/openai_error.hpp"

namespace nineteen::net {

Reply::Reply(Response response) : response_(std::move(response)) {}

Reply Reply::stream(StreamProducer producer, Headers headers) {
  if (!producer) throw std::invalid_argument("Reply::stream: the producer is empty");
  Reply r;
  r.producer_ = std::move(producer);
  r.response_.status = 200;
  r.response_.headers = std::move(headers);
  return r;
}

Router& Router::add(const std::string& method, const std::string& path, Handler handler) {
  if (!handler) throw std::invalid_argument("Router::add " + method + " " + path + ": the handler is empty");
  if (path.empty() || path[0] != '/') {
    throw std::invalid_argument("Router::add " + method + " \"" + path + "\": a path must start with '/'");
  }
  auto& methods = routes_[path];
  if (!methods.emplace(method, std::move(handler)).second) {
    throw std::invalid_argument("Router::add: " + method + " " + path + " is already registered");
  }
  return *this;
}

std::vector<std::string> Router::methods_for(const std::string& path) const {
  std::vector<std::string> out;
  auto it = routes_.find(path);
  if (it == routes_.end()) return out;
  for (const auto& entry : it->second) out.push_back(entry.first);
  return out;
}

Reply Router::dispatch(const Request& request) const {
  auto path_it = routes_.find(request.path);
  if (path_it == routes_.end()) {
    return error_response(404, "no route for " + request.method + " " + request.path, std::string("not_found"));
  }
  auto method_it = path_it->second.find(request.method);
  if (method_it == path_it->second.end()) {
    std::string allow;
    for (const auto& entry : path_it->second) allow += (allow.empty() ? "" : ", ") + entry.first;
    Response r = error_response(405, request.path + " does not accept " + request.method + "; use " + allow,
                                std::string("method_not_allowed"));
    r.headers.set("Allow", allow);
    return r;
  }
  return method_it->second(request);
}

}  // namespace nineteen::net
