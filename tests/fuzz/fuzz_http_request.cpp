// Fuzz target: the HTTP server's reading of a request, off the socket: Beast's parser with the
// server's limits, request_from_beast (path and query split, header fields), the router's choice
// (404/405 answers), the header reads the nodes make, and read_request_head on the body.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "nineteen/net/http_server.hpp"
#include "nineteen/net/openai_request.hpp"
#include "nineteen/net/router.hpp"
#include "request_from_beast.hpp"

namespace net = nineteen::net;
namespace http = boost::beast::http;

namespace {

const net::Router& router() {
  static const net::Router routes = [] {
    net::Router r;
    auto echo = [](const net::Request& request) {
      const net::RequestHeadRead head = net::read_request_head(request.body);
      return net::json_response(head.head ? 200 : 400, "{}");
    };
    r.add("POST", "/v1/chat/completions", echo);
    r.add("POST", "/v1/completions", echo);
    r.add("GET", "/v1/models", echo);
    return r;
  }();
  return routes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const net::ServerOptions limits;
  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
  parser.body_limit(limits.max_body_bytes);
  parser.eager(true);
  boost::system::error_code ec;
  // Fed in two pieces, as a socket may deliver it.
  const std::size_t first = size / 2;
  std::size_t used = parser.put(boost::asio::buffer(data, first), ec);
  if (ec == http::error::need_more) ec = {};
  if (!ec) {
    used += parser.put(boost::asio::buffer(data + used, size - used), ec);
  }
  if (ec == http::error::need_more && !parser.is_done()) parser.put_eof(ec);
  if (ec || !parser.is_done()) return 0;

  net::Request request = net::request_from_beast(parser.get(), "127.0.0.1:1");
  if (request.path.find('?') != std::string::npos) std::abort();
  if (request.target != request.path + (request.query.empty() && request.target.find('?') == std::string::npos
                                            ? ""
                                            : "?" + request.query)) {
    std::abort();
  }
  request.headers.get("authorization");
  request.headers.get("content-type");
  request.headers.get("signature");
  const net::Reply reply = router().dispatch(request);
  const int status = reply.response().status;
  if (status != 200 && status != 400 && status != 404 && status != 405) std::abort();
  return 0;
}
