// File and JSON reading for the tokenizer and chat template loaders.
#include "json_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "nineteen/sdk/error.hpp"
#include "nineteen/sdk/json.hpp"

namespace nineteen::text::detail {

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw sdk::Error(NT_NOT_FOUND, path + ": cannot open (" + std::strerror(errno) +
                                       "); check the path and that the file is readable");
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) throw sdk::Error(NT_NOT_FOUND, path + ": read error");
  return content.str();
}

rapidjson::Document parse_json_object(std::string_view json, const std::string& source_name) {
  rapidjson::Document document = sdk::parse_json(json, source_name);
  if (!document.IsObject()) {
    throw sdk::Error(NT_INVALID_ARGUMENT, source_name + ": expected a JSON object at the top level, got " +
                                              sdk::json_type_name(document));
  }
  return document;
}

}  // namespace nineteen::text::detail
