// What to do after one contender's attempt at an organic request (MECHANISM.md §9): the answer
// stands, the next contender is tried, the miner's refusal of the request itself goes to the user,
// or a stream that already reached the user is cut.
#pragma once

#include <cstddef>

#include "nineteen/validator/miner_query.hpp"

namespace nineteen::gateway {

enum class AttemptVerdict {
  answered,      // a full answer
  try_next,      // 429, 5xx, timeout, connection error, a refused signature, a malformed answer:
                 // nothing reached the user, so another contender may serve
  refused,       // the miner judged the request itself bad (400, 413, 422): another would too
  stream_cut,    // it failed after chunks reached the user; never join a second miner's chunks
  dropped,       // the miner took the request and closed the connection without answering: the
                 // request may be what broke it, so it goes to no other miner (the request's
                 // fault, not the miner's)
};

// `chunks_to_user`: how many chunks of this attempt were already relayed to the user.
AttemptVerdict judge_attempt(const validator::QueryResult& result, std::size_t chunks_to_user);

}  // namespace nineteen::gateway
