// Reading a JSON file into a RapidJSON document, with errors that name the file.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <string_view>

namespace nineteen::text::detail {

// Throws sdk::Error(NT_NOT_FOUND) naming the path when it cannot be opened or read.
std::string read_text_file(const std::string& path);
// Throws sdk::Error(NT_INVALID_ARGUMENT) naming source_name and the offset when json is malformed,
// or when its top level is not an object.
rapidjson::Document parse_json_object(std::string_view json, const std::string& source_name);

}  // namespace nineteen::text::detail
