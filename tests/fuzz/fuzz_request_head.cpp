// Fuzz target: net::read_request_head, what the gateway, validator and miner read of every request
// body before choosing a task, and the body edits each hop makes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "nineteen/net/openai_request.hpp"

namespace net = nineteen::net;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  const net::RequestHeadRead read = net::read_request_head(body);
  if (read.head.has_value() == read.error.has_value()) std::abort();  // exactly one is set
  if (read.head && read.head->model && read.head->model->size() > 256) std::abort();
  const std::string renamed = net::with_model(body, "chat-tiny");
  net::wants_stream(body);
  if (read.head) {
    // A body read as a request keeps its "stream" through the model rewrite.
    const net::RequestHeadRead again = net::read_request_head(renamed);
    if (!again.head || again.head->model != std::string("chat-tiny") || again.head->stream != read.head->stream) {
      std::abort();
    }
  }
  return 0;
}
