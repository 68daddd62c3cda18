// The retry rule of MECHANISM.md §9 for one attempt's result.
#include "nineteen/gateway/attempt_verdict.hpp"

namespace nineteen::gateway {

AttemptVerdict judge_attempt(const validator::QueryResult& result, std::size_t chunks_to_user) {
  if (result.outcome == scoring::Outcome::success) return AttemptVerdict::answered;
  if (chunks_to_user > 0) return AttemptVerdict::stream_cut;
  // Sent, then closed with no response byte: a request that crashes a miner would otherwise be
  // sent to the next one, and the next (issue 24). A refused or timed-out connection is not this.
  if (result.status == 0 && result.transport == net::ClientErrorKind::connection_closed) return AttemptVerdict::dropped;
  switch (result.status) {
    case 400:  // the request itself is bad (its keys or values): every miner would say so
    case 413:
    case 422:
      return AttemptVerdict::refused;
  }
  // 0 (no answer: refused connection, timeout), 401/403 (the miner does not accept our signature
  // or stake yet), 404 (the miner does not serve the task it declared), 408, 429, 5xx, or a 200
  // whose body was malformed.
  return AttemptVerdict::try_next;
}

}  // namespace nineteen::gateway
