// The attempt loop of an organic request over its task's contenders (MECHANISM.md §9).
#include "nineteen/gateway/organic_dispatch.hpp"

#include "nineteen/gateway/after_answer_queue.hpp"
#include "nineteen/gateway/attempt_verdict.hpp"

namespace nineteen::gateway {
namespace {

std::string short_hotkey(const std::string& hotkey) { return hotkey.size() > 10 ? hotkey.substr(0, 8) + "…" : hotkey; }

// The whole answer of a non-streamed success: response_json is "[<body>]".
std::string whole_answer(const std::string& response_json) {
  if (response_json.size() >= 2 && response_json.front() == '[' && response_json.back() == ']') {
    return response_json.substr(1, response_json.size() - 2);
  }
  return response_json;
}

}  // namespace

OrganicDispatch::OrganicDispatch(validator::OrganicRouting& routing, net::HttpClient& client, AfterAnswerQueue& reports,
                                 int max_attempts)
    : routing_(routing), client_(client), reports_(reports), max_attempts_(max_attempts < 1 ? 1 : max_attempts) {}

DispatchResult OrganicDispatch::serve(const validator::OrganicTask& task, const std::string& body,
                                      const UserChunkSink& sink, std::shared_ptr<const std::atomic<bool>> user_left,
                                      AnswerBilling bill) {
  DispatchResult out;
  std::vector<validator::OrganicCandidate> candidates = routing_.organic_candidates(task.name);
  if (candidates.empty()) {
    out.status = 503;
    out.code = "no_miner_available";
    out.body = "no miner can serve task \"" + task.name +
               "\" now: no contender is healthy with capacity left this period; retry later";
    return out;
  }
  const bool streamed = static_cast<bool>(sink);
  const keys::Hotkey& signer = routing_.signing_key();
  bool user_gone = false;
  for (size_t i = 0; i < candidates.size() && static_cast<int>(i) < max_attempts_; ++i) {
    const validator::OrganicCandidate& c = candidates[i];
    if (i > 0) out.retries++;
    size_t chunks_to_user = 0;
    validator::ChunkObserver observer;
    if (streamed) {
      observer = [&](std::string_view chunk) {
        // Once the user has gone, reading stops: the connection to the miner closes, which cancels
        // the call there, so the miner's slot is free and the user pays only for what was produced.
        if (!sink(chunk)) user_gone = true;
        chunks_to_user++;
        return !user_gone;
      };
    }
    routing_.organic_started(task.name, c.miner.hotkey);
    // A whole answer asked of a task that streams arrives at once: its first byte has the whole
    // answer's time (QueryTimeouts::for_request).
    validator::QueryTimeouts timeouts = c.timeouts;
    if (task.stream && !streamed) timeouts.first_byte = timeouts.total;
    validator::QueryResult r = validator::query_miner(client_, signer, c.miner, c.endpoint, body, streamed, timeouts,
                                                      observer, streamed ? user_left : nullptr);
    user_gone = user_gone || r.stopped_by_caller;
    if (user_gone) {  // cut by us: reported to end its count in flight, for or against the miner neither
      out.status = 499;
      out.stream_cut = true;
      out.code = "client_gone";
      out.body = "the user closed the connection after " + std::to_string(chunks_to_user) + " chunks";
      out.response_json = r.response_json;  // the chunks produced: what the user is billed for
      out.attempts.push_back(AttemptRecord{c.uid, c.miner.hotkey, r.status, out.body});
      if (r.response_json.size() <= 2) bill = nullptr;  // nothing was produced: nothing to bill
      reports_.post([&routing = routing_, task = task.name, hotkey = c.miner.hotkey, body, r = std::move(r), bill] {
        const double work = routing.organic_finished(task, hotkey, body, r);
        if (bill) bill(work);
      });
      return out;
    }
    AttemptVerdict verdict = judge_attempt(r, chunks_to_user);
    out.attempts.push_back(AttemptRecord{c.uid, c.miner.hotkey, r.status,
                                         verdict == AttemptVerdict::answered ? "" : r.error});
    if (verdict == AttemptVerdict::answered) {
      out.status = 200;
      out.response_json = r.response_json;
      if (!streamed) out.body = whole_answer(r.response_json);
    }
    const std::string refusal_text = r.miner_message;
    // The outcome (and the answer, to be checked) goes to the validator off the user's path; the
    // answered attempt is billed with the work the validator read from it.
    AnswerBilling bill_this = verdict == AttemptVerdict::answered ? bill : nullptr;
    reports_.post([&routing = routing_, task = task.name, hotkey = c.miner.hotkey, body, r = std::move(r),
                   bill_this = std::move(bill_this)] {
      const double work = routing.organic_finished(task, hotkey, body, r);
      if (bill_this) bill_this(work);
    });
    switch (verdict) {
      case AttemptVerdict::answered:
        return out;
      case AttemptVerdict::try_next:
        continue;
      case AttemptVerdict::refused:  // the miner's word on the request goes to the user, as text
        out.status = out.attempts.back().status;
        out.code = "invalid_request";
        out.body = "the miner refused the request: " + refusal_text;
        return out;
      case AttemptVerdict::dropped:
        out.status = 502;
        out.code = "request_dropped";
        out.body = "the miner closed the connection without answering this request (uid " + std::to_string(c.uid) +
                   "); it was not sent to another miner, as a request that breaks one might break the next. "
                   "Check the request, or retry it once if it is well-formed";
        return out;
      case AttemptVerdict::stream_cut:
        out.status = 502;
        out.stream_cut = true;
        out.code = "miner_stream_failed";
        out.body = "the miner's stream failed after " + std::to_string(chunks_to_user) +
                   " chunks (uid " + std::to_string(c.uid) + "): " + out.attempts.back().error;
        return out;
    }
  }
  out.status = 503;
  out.code = "no_miner_available";
  out.body = "no miner could serve task \"" + task.name + "\":";
  for (const AttemptRecord& a : out.attempts) {
    out.body += " uid " + std::to_string(a.uid) + " (" + short_hotkey(a.miner_hotkey) + "): " + a.error + ";";
  }
  out.body.pop_back();
  if (candidates.size() > out.attempts.size()) {
    out.body += " (tried " + std::to_string(out.attempts.size()) + " of " + std::to_string(candidates.size()) +
                " contenders: the gateway's max_attempts)";
  }
  return out;
}

}  // namespace nineteen::gateway
