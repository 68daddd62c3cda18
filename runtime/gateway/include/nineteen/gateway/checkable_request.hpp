// Every organic answer stays checkable (issue 22): the request sent to miners asks for what the
// task's check needs (its descriptor's "check_needs"), and the user's copy of each answer chunk
// hides what the user did not ask for. Pure functions over JSON text.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nineteen::gateway {

// One part of an answer hidden from a user who did not ask for it.
struct HiddenAnswerPart {
  std::string path;                      // "choices[].logprobs": member logprobs of each element of choices
  std::optional<std::string> user_sees;  // JSON put in its place; nullopt: the member is removed
};

// How a user's copy of each answer chunk differs from the miner's.
struct AnswerShaping {
  std::vector<HiddenAnswerPart> hidden;  // what the check needed and the user did not ask for
  std::string model;                     // the name the user asked for: the answer's "model" says it
  bool stream = false;
  bool include_usage = false;  // stream_options.include_usage: usage in a final chunk of its own
};

struct CheckableRequest {
  std::string body;       // the request as miners get it
  AnswerShaping shaping;  // how this user's answer chunks are shaped
};

// `check_needs` is the descriptor's JSON (empty = none). A request key counts as asked for by the
// user when present and not false, null or 0. Throws std::invalid_argument for a malformed
// check_needs (a plugin bug, named).
CheckableRequest make_checkable(const std::string& body, const std::string& check_needs);

// `chunk` as the user gets it, as OpenAI sends it: hidden parts hidden, "model" the name asked for
// (not the checkpoint's folder), and in a stream "usage" only when include_usage asked for it, then
// in a final chunk of its own with empty "choices". Usually one chunk, two for that final one; the
// chunk unchanged when it is not a JSON object.
std::vector<std::string> shape_for_user(const std::string& chunk, const AnswerShaping& shaping);

}  // namespace nineteen::gateway
