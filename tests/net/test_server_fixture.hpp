// Shared bits of the net tests: a JSON field reader and a raw loopback socket.
#pragma once

#include <sys/socket.h>
#include <sys/time.h>

#include <string>

#include <boost/asio.hpp>
#include <rapidjson/document.h>

namespace nineteen::net::testing {

// The value of error.<field> in an OpenAI-shaped error body ("<null>" for null, "<missing>" otherwise).
inline std::string error_field(const std::string& body, const char* field) {
  rapidjson::Document doc;
  doc.Parse(body.c_str(), body.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("error") || !doc["error"].IsObject()) {
    return "<not an error body>";
  }
  const auto& error = doc["error"];
  if (!error.HasMember(field)) return "<missing>";
  if (error[field].IsNull()) return "<null>";
  if (!error[field].IsString()) return "<not a string>";
  return error[field].GetString();
}

// Sends `bytes` on a fresh connection to 127.0.0.1:port and returns all the server sends back
// until it closes (or 5 s pass).
inline std::string raw_exchange(uint16_t port, const std::string& bytes) {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::socket socket(ioc);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  timeval tv{5, 0};
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  boost::asio::write(socket, boost::asio::buffer(bytes));
  std::string out;
  char buf[4096];
  boost::system::error_code ec;
  while (true) {
    std::size_t n = socket.read_some(boost::asio::buffer(buf), ec);
    if (ec) break;
    out.append(buf, n);
  }
  return out;
}

}  // namespace nineteen::net::testing
