// Upstream forwarding: plain request/response, or SSE relayed event by event.
#include "upstream_forwarder.hpp"

#include "nineteen/net/openai_error.hpp"

namespace nineteen::miner {

net::Reply forward_to_upstream(net::HttpClient& client, const UpstreamTarget& target, const std::string& body,
                               bool stream, net::RelayDone on_done, std::shared_ptr<void> keep_alive) {
  net::ClientRequest request;
  request.method = "POST";
  request.url = target.url;
  request.body = body;
  request.headers.set("Content-Type", "application/json");
  net::ClientTimeouts timeouts;
  timeouts.total = target.total_timeout;
  timeouts.first_byte = target.total_timeout;
  request.timeouts = timeouts;

  if (!stream) {
    net::ClientResult result = client.send(request);
    if (!result.ok()) {
      on_done(502, "[]");
      return net::error_response(502, "upstream " + target.url + ": " + result.error_message, std::string("upstream_error"));
    }
    on_done(result.status, result.status == 200 ? "[" + result.body + "]" : "[]");
    net::Response response;
    response.status = result.status;
    response.body = result.body;
    if (auto type = result.headers.get("Content-Type")) response.headers.set("Content-Type", *type);
    if (auto retry = result.headers.get("Retry-After")) response.headers.set("Retry-After", *retry);
    return net::Reply(response);
  }

  return net::relay_stream(
      [&client, request](const net::ChunkPush& push) {
        net::ClientResult result = client.stream(request, [&](const net::SseEvent& event) { return push(event.data); });
        if (result.status != 0 && result.status != 200) {
          // The upstream said no before streaming (e.g. 429 full, 400 bad request): pass it on.
          return net::RelayOutcome{result.status, "upstream " + request.url + " answered " + std::to_string(result.status) +
                                                 (result.body.empty() ? "" : ": " + result.body.substr(0, 300)),
                              "upstream_status", {}};
        }
        if (!result.ok() && result.error != net::ClientErrorKind::stopped_by_caller) {
          return net::RelayOutcome{502, "upstream " + request.url + ": " + result.error_message, "upstream_error", {}};
        }
        if (result.ok() && !result.done_seen) {
          return net::RelayOutcome{502, "upstream " + request.url + ": the stream ended without [DONE]", "upstream_error", {}};
        }
        return net::RelayOutcome{};
      },
      std::move(on_done), std::move(keep_alive));
}

}  // namespace nineteen::miner
