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

struct CheckableRequest {
  std::string body;                       // the request as miners get it
  std::vector<HiddenAnswerPart> hidden;   // what to hide from this user's answer chunks
};

// `check_needs` is the descriptor's JSON (empty = none). A request key counts as asked for by the
// user when present and not false, null or 0. Throws std::invalid_argument for a malformed
// check_needs (a plugin bug, named).
CheckableRequest make_checkable(const std::string& body, const std::string& check_needs);

// `chunk` with the hidden parts hidden; unchanged when there are none or it is not a JSON object.
std::string shape_for_user(const std::string& chunk, const std::vector<HiddenAnswerPart>& hidden);

}  // namespace nineteen::gateway
