// The diffusion task's request reading and answer reading: limits and broken answers, with the messages.
#include <gtest/gtest.h>

#include <set>

#include <nineteen/image/base64.hpp>
#include <nineteen/image/png_codec.hpp>

#include "image_answer.hpp"
#include "image_request.hpp"
#include "image_request_synthesizer.hpp"

namespace nineteen::diffusion {
namespace {

std::string error_of(std::string_view request, ImageTaskType type = ImageTaskType::TextToImage) {
  try {
    read_image_request(request, type, ImageRequestLimits{});
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.code(), NT_INVALID_ARGUMENT);
    return e.what();
  }
  return "accepted";
}

TEST(ImageRequest, DefaultsAndLimits) {
  GenerationSettings s = read_image_request(R"({"prompt":"a cat","seed":5})", ImageTaskType::TextToImage, {});
  EXPECT_EQ(s.width, 64);
  EXPECT_EQ(s.steps, 8);
  EXPECT_EQ(s.seed, 5u);
  EXPECT_FALSE(s.init_image);
  EXPECT_EQ(error_of("{}"), "request: missing key \"prompt\"");
  EXPECT_EQ(error_of("[]"), "request: expected a JSON object, got an array");
  EXPECT_EQ(error_of(R"({"prompt":"a","width":65})"), "request key \"width\": expected a multiple of 8, got 65");
  EXPECT_EQ(error_of(R"({"prompt":"a","height":1024})"), "request key \"height\": expected an integer from 8 to 512, got 1024");
  EXPECT_EQ(error_of(R"({"prompt":"a","steps":0})"), "request key \"steps\": expected an integer from 1 to 50, got 0");
  EXPECT_EQ(error_of(R"({"prompt":"a","n":2})"), "request key \"n\": expected an integer from 1 to 1, got 2");
  EXPECT_EQ(error_of(R"({"prompt":"","n":1})"), "request key \"prompt\": expected a non-empty text of at most 4000 bytes, got \"\"");
}

TEST(ImageRequest, ImageToImageNeedsADecodableInitImage) {
  EXPECT_EQ(error_of(R"({"prompt":"a"})", ImageTaskType::ImageToImage), "request: missing key \"init_image\"");
  EXPECT_EQ(error_of(R"({"prompt":"a","init_image":"aGVsbG8gd29ybGQ="})", ImageTaskType::ImageToImage),
            "request key \"init_image\": not a PNG or JPEG image (11 bytes without either signature)");
  EXPECT_EQ(error_of(R"({"prompt":"a","init_image":"%%%"})", ImageTaskType::ImageToImage),
            "request key \"init_image\": not base64: '%' at offset 0 (expected A-Z a-z 0-9 + / and '=' padding)");
  std::string png = image::base64_encode(image::encode_png(procedural_image(3, 40, 30)));
  GenerationSettings s = read_image_request(R"({"prompt":"a","strength":0.4,"init_image":")" + png + "\"}",
                                            ImageTaskType::ImageToImage, {});
  ASSERT_TRUE(s.init_image);
  EXPECT_EQ(s.init_image->width, 40);
  EXPECT_DOUBLE_EQ(s.strength, 0.4);
  EXPECT_EQ(error_of(R"({"prompt":"a","init_image":")" + png + "\"}"),
            "request key \"init_image\": text-to-image takes no init image; send it to the image-to-image task "
            "(/v1/images/edits)");
}

TEST(ImageRequest, SynthesizedRequestsAreValidAndVaried) {
  std::set<std::string> distinct;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    for (ImageTaskType type : {ImageTaskType::TextToImage, ImageTaskType::ImageToImage}) {
      std::string request = synthesize_image_request(seed, type, ImageRequestLimits{});
      EXPECT_EQ(request, synthesize_image_request(seed, type, ImageRequestLimits{}));
      EXPECT_NO_THROW(read_image_request(request, type, ImageRequestLimits{})) << request.substr(0, 200);
      distinct.insert(request);
    }
  }
  EXPECT_EQ(distinct.size(), 40u);
}

// Issue 25, item 1: OpenAI's `size` is honoured (not replaced by the default), its other image keys
// refused by name.
TEST(ImageRequest, OpenAiSizeIsHonouredAndOtherKeysAreRefusedByName) {
  ImageRequestLimits limits;
  limits.max_side = 128;
  GenerationSettings s = read_image_request(R"({"prompt":"a cat","size":"128x64"})", ImageTaskType::TextToImage, limits);
  EXPECT_EQ(s.width, 128);
  EXPECT_EQ(s.height, 64);
  for (const char* bad : {R"({"prompt":"a","size":"1024x1024"})", R"({"prompt":"a","size":"64"})",
                          R"({"prompt":"a","size":"64x60"})", R"({"prompt":"a","size":"64x64x"})"}) {
    try {
      read_image_request(bad, ImageTaskType::TextToImage, limits);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const sdk::Error& e) {
      EXPECT_NE(std::string(e.what()).find("\"size\""), std::string::npos) << e.what();
    }
  }
  for (const char* key : {"quality", "style", "background", "output_format"}) {
    try {
      read_image_request(std::string(R"({"prompt":"a",")") + key + R"(":"x"})", ImageTaskType::TextToImage, limits);
      ADD_FAILURE() << key << " was accepted";
    } catch (const sdk::Error& e) {
      EXPECT_EQ(e.code(), NT_UNIMPLEMENTED) << key;
      EXPECT_NE(std::string(e.what()).find(std::string("\"") + key + "\": not supported"), std::string::npos) << e.what();
    }
  }
}

TEST(ImageAnswer, RoundTripAndBrokenAnswers) {
  image::RgbImage img = procedural_image(9, 16, 8);
  std::string chunk = write_image_answer(img, 1700000000);
  EXPECT_EQ(read_answer_image("[" + chunk + "]").pixels, img.pixels);
  auto error = [](std::string_view answer) {
    try {
      read_answer_image(answer);
    } catch (const sdk::Error& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(error("[]"), "answer: expected a JSON array holding one chunk, got an array (empty)");
  EXPECT_EQ(error(R"([{"data":[]}])"), "answer chunk 0 key \"data\": expected one image, got none");
  EXPECT_EQ(error(R"([{"data":[{"url":"http://x"}]}])"), "answer data[0]: missing key \"b64_json\"");
  EXPECT_EQ(error(R"([{"data":[{"b64_json":"AAAA"}]}])"),
            "answer data[0].b64_json: not a PNG or JPEG image (3 bytes without either signature)");
}

}  // namespace
}  // namespace nineteen::diffusion
