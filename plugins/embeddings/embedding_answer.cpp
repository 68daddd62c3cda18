// Writing and reading the OpenAI embeddings answer object.
#include "embedding_answer.hpp"

#include <charconv>
#include <cmath>

#include <nineteen/sdk/json.hpp>

#include "float_base64.hpp"

namespace nineteen::embeddings {

std::string write_embeddings_answer(const std::vector<float>& values, size_t dimension, EncodingFormat format,
                                    const std::string& model, int64_t prompt_tokens) {
  const size_t count = dimension ? values.size() / dimension : 0;
  std::string out = "{\"object\":\"list\",\"data\":[";
  out.reserve(64 + values.size() * (format == EncodingFormat::Float ? 12 : 6));
  char number[32];
  for (size_t i = 0; i < count; ++i) {
    const float* row = values.data() + i * dimension;
    out += i ? ",{" : "{";
    out += "\"object\":\"embedding\",\"index\":" + std::to_string(i) + ",\"embedding\":";
    if (format == EncodingFormat::Base64) {
      out += '"' + floats_to_base64(row, dimension) + '"';
    } else {
      out += '[';
      for (size_t k = 0; k < dimension; ++k) {
        if (!std::isfinite(row[k])) {
          throw sdk::Error(NT_INTERNAL, "the model produced a non-finite value in vector " + std::to_string(i));
        }
        if (k) out += ',';
        auto [end, error] = std::to_chars(number, number + sizeof number, row[k]);
        (void)error;  // 32 bytes always hold a float's shortest form
        out.append(number, end);
      }
      out += ']';
    }
    out += '}';
  }
  out += "],\"model\":" + sdk::json_quote(model) + ",\"usage\":{\"prompt_tokens\":" + std::to_string(prompt_tokens) +
         ",\"total_tokens\":" + std::to_string(prompt_tokens) + "}}";
  return out;
}

MinerEmbeddings read_embeddings_answer(std::string_view chunks_json, size_t count, size_t dimension,
                                       EncodingFormat format) {
  MinerEmbeddings out;
  auto refuse = [&](std::string why) {
    out.values.clear();
    out.problem = std::move(why);
    return out;
  };
  rapidjson::Document doc;
  const std::string problem = sdk::parse_json_bounded(doc, chunks_json);
  if (!problem.empty()) return refuse("the answer is not JSON within bounds: " + problem);
  if (!doc.IsArray() || doc.Size() != 1) {
    return refuse("expected the answer as a list of exactly one chunk (a non-streamed response object)");
  }
  const rapidjson::Value& answer = doc[0];
  if (!answer.IsObject()) return refuse("the answer chunk is not a JSON object");
  auto data = answer.FindMember("data");
  if (data == answer.MemberEnd() || !data->value.IsArray()) return refuse("the answer has no \"data\" list");
  if (data->value.Size() != count) {
    return refuse("the answer has " + std::to_string(data->value.Size()) + " vectors for " + std::to_string(count) +
                  " inputs");
  }
  out.values.assign(count * dimension, 0.0f);
  std::vector<bool> seen(count, false);
  for (rapidjson::SizeType i = 0; i < data->value.Size(); ++i) {
    const rapidjson::Value& item = data->value[i];
    const std::string where = "data[" + std::to_string(i) + "]";
    if (!item.IsObject()) return refuse(where + " is not an object");
    auto index = item.FindMember("index");
    if (index == item.MemberEnd() || !index->value.IsUint64() || index->value.GetUint64() >= count ||
        seen[index->value.GetUint64()]) {
      return refuse(where + ".index must be a distinct integer from 0 to " + std::to_string(count - 1));
    }
    const size_t at = static_cast<size_t>(index->value.GetUint64());
    seen[at] = true;
    auto embedding = item.FindMember("embedding");
    if (embedding == item.MemberEnd()) return refuse(where + " has no \"embedding\"");
    float* row = out.values.data() + at * dimension;
    if (format == EncodingFormat::Base64) {
      if (!embedding->value.IsString()) return refuse(where + ".embedding must be a base64 string, as the request asked");
      auto floats = base64_to_floats(std::string_view(embedding->value.GetString(), embedding->value.GetStringLength()));
      if (!floats) return refuse(where + ".embedding is not base64 of little-endian float32 values");
      if (floats->size() != dimension) {
        return refuse(where + ".embedding has " + std::to_string(floats->size()) + " values, expected " +
                      std::to_string(dimension));
      }
      std::copy(floats->begin(), floats->end(), row);
    } else {
      const rapidjson::Value& list = embedding->value;
      if (!list.IsArray()) return refuse(where + ".embedding must be a list of numbers, as the request asked");
      if (list.Size() != dimension) {
        return refuse(where + ".embedding has " + std::to_string(list.Size()) + " values, expected " +
                      std::to_string(dimension));
      }
      for (rapidjson::SizeType k = 0; k < list.Size(); ++k) {
        if (!list[k].IsNumber()) return refuse(where + ".embedding[" + std::to_string(k) + "] is not a number");
        row[k] = static_cast<float>(list[k].GetDouble());
      }
    }
    for (size_t k = 0; k < dimension; ++k) {
      if (!std::isfinite(row[k])) return refuse(where + ".embedding holds a non-finite value");
    }
  }
  return out;
}

}  // namespace nineteen::embeddings
