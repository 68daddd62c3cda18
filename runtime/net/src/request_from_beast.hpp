// Turns a request Beast has parsed into the plain net::Request handlers see (path and query split).
#pragma once

#include <string>
#include <utility>

#include <boost/beast/http.hpp>

#include "nineteen/net/http_message.hpp"

namespace nineteen::net {

// Moves the body out of `message`. Also used by tests/fuzz/fuzz_http_request.cpp.
inline Request request_from_beast(boost::beast::http::request<boost::beast::http::string_body>& message,
                                  std::string remote_address) {
  Request request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  const std::size_t q = request.target.find('?');
  request.path = request.target.substr(0, q);
  if (q != std::string::npos) request.query = request.target.substr(q + 1);
  for (const auto& field : message) request.headers.add(std::string(field.name_string()), std::string(field.value()));
  request.body = std::move(message.body());
  request.remote_address = std::move(remote_address);
  return request;
}

}  // namespace nineteen::net
