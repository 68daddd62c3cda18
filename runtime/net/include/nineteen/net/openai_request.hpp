// Small edits and reads of OpenAI-shaped request bodies that every hop (validator, gateway, miner) needs.
#pragma once

#include <string>

namespace nineteen::net {

// Sets (or replaces) the "model" member of a JSON object; returns the text unchanged when it is not one.
std::string with_model(const std::string& request_json, const std::string& model);
// Whether the JSON object has "stream": true.
bool wants_stream(const std::string& request_json);

}  // namespace nineteen::net
