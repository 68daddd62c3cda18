// Reading an OpenAI embeddings request.
#include "embeddings_request.hpp"

#include <nineteen/sdk/json.hpp>

namespace nineteen::embeddings {

using sdk::Error;

EmbeddingsRequest EmbeddingsRequest::parse(std::string_view json, int64_t max_inputs, int64_t dimension) {
  rapidjson::Document doc = sdk::parse_json(json, "request");
  sdk::JsonObject o(doc, "request");
  // OpenAI's embeddings keys, each honoured below or refused by name.
  o.allow_only_request_keys({"model", "input", "encoding_format", "dimensions", "user", "stream"}, {"input_type"});
  EmbeddingsRequest r;
  const std::string expected_input =
      "a non-empty string or a list of 1 to " + std::to_string(max_inputs) + " non-empty strings";
  const rapidjson::Value& input = o.require("input");
  if (input.IsString()) {
    if (input.GetStringLength() == 0) throw o.bad("input", expected_input, input);
    r.inputs.emplace_back(input.GetString(), input.GetStringLength());
    r.single_string = true;
  } else if (input.IsArray()) {
    if (input.Empty() || static_cast<int64_t>(input.Size()) > max_inputs) {
      throw Error(NT_INVALID_ARGUMENT, "request key \"input\": expected " + expected_input + ", got a list of " +
                                           std::to_string(input.Size()));
    }
    for (rapidjson::SizeType i = 0; i < input.Size(); ++i) {
      const rapidjson::Value& item = input[i];
      if (!item.IsString() || item.GetStringLength() == 0) {
        std::string got = item.IsNumber() || item.IsArray() ? "token ids, which this model does not take (send text)"
                                                            : sdk::to_json(item).substr(0, 40);
        throw Error(NT_INVALID_ARGUMENT, "request key \"input\": item " + std::to_string(i) +
                                             ": expected a non-empty string, got " + got);
      }
      r.inputs.emplace_back(item.GetString(), item.GetStringLength());
    }
  } else {
    throw o.bad("input", expected_input, input);
  }
  const std::string format = o.string_or("encoding_format", "float");
  if (format == "float") {
    r.format = EncodingFormat::Float;
  } else if (format == "base64") {
    r.format = EncodingFormat::Base64;
  } else {
    throw o.bad("encoding_format", "\"float\" or \"base64\"", o.require("encoding_format"));
  }
  r.model = o.string_or("model", "");
  if (o.has("dimensions")) {
    o.integer("dimensions", dimension, dimension);  // this model has one size; anything else is refused
  }
  if (o.has("user")) o.string("user");
  return r;
}

}  // namespace nineteen::embeddings
