// Signed validator → miner requests and their classification (MECHANISM.md §4).
#include "nineteen/validator/miner_query.hpp"

#include <cmath>

#include <rapidjson/document.h>

#include "nineteen/keys/signed_request_guard.hpp"
#include "nineteen/sdk/json.hpp"

namespace nineteen::validator {
namespace {

double seconds(std::chrono::microseconds us) { return us.count() < 0 ? 0 : static_cast<double>(us.count()) / 1e6; }

}  // namespace

QueryResult query_miner(net::HttpClient& client, const keys::Hotkey& validator, const MinerAddress& miner,
                        const std::string& endpoint, const std::string& body, bool stream,
                        const QueryTimeouts& timeouts, const ChunkObserver& observer,
                        std::shared_ptr<const std::atomic<bool>> stop) {
  net::ClientRequest request;
  request.method = "POST";
  request.url = miner.base_url + endpoint;
  request.body = body;
  request.headers.set("Content-Type", "application/json");
  // One User-Agent for every request a validator sends a miner, whichever client sends it (the
  // validator's synthetic ones, its gateway's organic ones): a miner must not tell them apart.
  request.headers.set("User-Agent", "nineteen-validator");
  keys::add_signature_headers(request.headers, validator, miner.hotkey, body);
  net::ClientTimeouts t;
  t.connect = std::min(timeouts.first_byte, std::chrono::milliseconds(5000));
  t.first_byte = timeouts.first_byte;
  t.total = timeouts.total;
  request.timeouts = t;
  request.stop = std::move(stop);

  QueryResult result;
  net::ClientResult r;
  std::string chunks = "[";
  if (stream) {
    r = client.stream(request, [&](const net::SseEvent& event) {
      chunks += (result.chunks ? "," : "") + event.data;
      result.chunks++;
      return observer ? observer(event.data) : true;
    });
  } else {
    r = client.send(request);
  }
  result.status = r.status;
  result.first_byte_s = seconds(r.first_byte_after);
  result.total_s = seconds(r.total);

  if (r.error == net::ClientErrorKind::stopped_by_caller) {
    result.stopped_by_caller = true;
    result.error = "the reader stopped after " + std::to_string(result.chunks) + " chunks";
    result.response_json = chunks + "]";
    return result;
  }
  if (r.status == 429) {  // an honest "full", streamed or not
    result.outcome = scoring::Outcome::rate_limited;
    result.error = "429 from the miner";
    return result;
  }
  if (!r.ok()) {
    result.transport = r.error;
    result.error = std::string(net::client_error_kind_name(r.error)) + ": " + r.error_message;
    return result;
  }
  if (r.status != 200) {
    result.miner_message = r.body.substr(0, 200);
    rapidjson::Document doc;
    if (sdk::parse_json_bounded(doc, r.body).empty() && doc.IsObject() && doc.HasMember("error") &&
        doc["error"].IsObject() && doc["error"].HasMember("message") && doc["error"]["message"].IsString()) {
      result.miner_message = std::string(doc["error"]["message"].GetString(), doc["error"]["message"].GetStringLength());
      if (result.miner_message.size() > 500) result.miner_message = result.miner_message.substr(0, 497) + "...";
    }
    result.error = "status " + std::to_string(r.status) + ": " + r.body.substr(0, 200);
    return result;
  }
  if (stream) {
    if (!r.done_seen) {
      result.error = "the stream ended without [DONE]";
      return result;
    }
    if (result.chunks == 0) {
      result.error = "the stream had no chunk";
      return result;
    }
    result.response_json = chunks + "]";
  } else {
    rapidjson::Document doc;
    if (!sdk::parse_json_bounded(doc, r.body).empty() || !doc.IsObject()) {
      result.error = "the answer is not a JSON object";
      return result;
    }
    result.chunks = 1;
    result.response_json = "[" + r.body + "]";
  }
  result.outcome = scoring::Outcome::success;
  return result;
}

CapacityAnswer query_capacity(net::HttpClient& client, const keys::Hotkey& validator, const MinerAddress& miner,
                              std::chrono::milliseconds timeout) {
  net::ClientRequest request;
  request.url = miner.base_url + "/capacity";
  keys::add_signature_headers(request.headers, validator, miner.hotkey, "");
  net::ClientTimeouts t;
  t.connect = timeout;
  t.first_byte = timeout;
  t.total = timeout;
  request.timeouts = t;
  net::ClientResult r = client.send(request);
  CapacityAnswer answer;
  if (!r.ok()) {
    answer.error = r.error_message;
    return answer;
  }
  if (r.status != 200) {
    answer.error = "status " + std::to_string(r.status) + ": " + r.body.substr(0, 200);
    return answer;
  }
  rapidjson::Document doc;
  if (!sdk::parse_json_bounded(doc, r.body).empty() || !doc.IsObject() || !doc.HasMember("capacities") || !doc["capacities"].IsObject()) {
    answer.error = "GET /capacity: expected {\"capacities\":{task: volume}}";
    return answer;
  }
  for (const auto& m : doc["capacities"].GetObject()) {
    if (m.value.IsNumber() && std::isfinite(m.value.GetDouble())) {
      answer.capacities[m.name.GetString()] = m.value.GetDouble();
    }
  }
  answer.ok = true;
  return answer;
}

}  // namespace nineteen::validator
