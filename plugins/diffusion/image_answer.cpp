// Writing and reading the images answer.
#include "image_answer.hpp"

#include <nineteen/image/base64.hpp>
#include <nineteen/image/image_decoding.hpp>
#include <nineteen/image/png_codec.hpp>
#include <nineteen/sdk/json.hpp>

namespace nineteen::diffusion {

std::string write_image_answer(const image::RgbImage& img, int64_t created) {
  return "{\"created\":" + std::to_string(created) + ",\"data\":[{\"b64_json\":\"" +
         image::base64_encode(image::encode_png(img)) + "\"}]}";
}

image::RgbImage read_answer_image(std::string_view response_chunks) {
  rapidjson::Document doc = sdk::parse_json(response_chunks, "answer");
  if (!doc.IsArray() || doc.Empty()) {
    throw sdk::Error(NT_INVALID_ARGUMENT, "answer: expected a JSON array holding one chunk, got " +
                                              std::string(sdk::json_type_name(doc)) + (doc.IsArray() ? " (empty)" : ""));
  }
  sdk::JsonObject chunk(doc[0], "answer chunk 0");
  const rapidjson::Value& data = chunk.array("data");
  if (data.Empty()) throw sdk::Error(NT_INVALID_ARGUMENT, "answer chunk 0 key \"data\": expected one image, got none");
  sdk::JsonObject first(data[0], "answer data[0]");
  return image::decode_image_base64(first.string("b64_json"), "answer data[0].b64_json");
}

}  // namespace nineteen::diffusion
