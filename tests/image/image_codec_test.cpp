// The image toolkit: PNG and JPEG round trips, base64, bad bytes refused with the message, resizing, SSIM.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include <zlib.h>

#include "nineteen/image/base64.hpp"
#include "nineteen/image/image_decoding.hpp"
#include "nineteen/image/image_resize.hpp"
#include "nineteen/image/image_similarity.hpp"
#include "nineteen/image/jpeg_codec.hpp"
#include "nineteen/image/png_codec.hpp"
#include "nineteen/sdk/error.hpp"

namespace nineteen::image {
namespace {

RgbImage gradient(int w, int h, int phase = 0) {
  RgbImage image(w, h);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      uint8_t* p = image.at(x, y);
      p[0] = uint8_t((x * 255) / (w - 1));
      p[1] = uint8_t((y * 255) / (h - 1));
      p[2] = uint8_t(128 + 100 * std::sin((x + y + phase) * 0.3));
    }
  }
  return image;
}

std::string error_of(const std::function<void()>& body) {
  try {
    body();
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.code(), NT_INVALID_ARGUMENT) << e.what();
    return e.what();
  }
  return "no error";
}

TEST(Base64, KnownAnswersAndRoundTrip) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_decode("Zm9v\nYmE=", "x"), "fooba");
  EXPECT_EQ(base64_decode("data:image/png;base64,Zg==", "x"), "f");
  std::string all;
  for (int i = 0; i < 256; ++i) all += char(i);
  EXPECT_EQ(base64_decode(base64_encode(all), "x"), all);
}

TEST(Base64, BadTextIsRefusedWithTheOffset) {
  EXPECT_EQ(error_of([] { base64_decode("Zm9v!mFy", "init_image"); }),
            "init_image: not base64: '!' at offset 4 (expected A-Z a-z 0-9 + / and '=' padding)");
  EXPECT_EQ(error_of([] { base64_decode("Zm9vY", "init_image"); }),
            "init_image: base64 is truncated (5 symbols; expected a multiple of 4 with at most two '=')");
  EXPECT_EQ(error_of([] { base64_decode("", "init_image"); }), "init_image: empty base64");
  EXPECT_EQ(error_of([] { base64_decode("Zg==Zg==", "init_image"); }),
            "init_image: not base64: 'Z' at offset 4 after '=' padding (expected A-Z a-z 0-9 + / and '=' padding)");
}

TEST(PngCodec, RoundTripIsExactAndDeterministic) {
  RgbImage image = gradient(37, 21);
  std::string png = encode_png(image);
  EXPECT_TRUE(looks_like_png(png));
  EXPECT_EQ(png, encode_png(image));
  RgbImage back = decode_png(png, "test");
  EXPECT_EQ(back.width, 37);
  EXPECT_EQ(back.height, 21);
  EXPECT_EQ(back.pixels, image.pixels);
}

TEST(PngCodec, DamagedAndForeignBytesAreRefused) {
  std::string png = encode_png(gradient(16, 16));
  EXPECT_EQ(error_of([] { decode_png("hello world", "b64_json"); }), "b64_json: not a PNG (no PNG signature)");
  std::string cut = png.substr(0, png.size() / 2);
  EXPECT_NE(error_of([&] { decode_png(cut, "b64_json"); }).find("b64_json: damaged PNG"), std::string::npos);
}

TEST(JpegCodec, RoundTripIsClose) {
  RgbImage image = gradient(48, 40);
  std::string jpeg = encode_jpeg(image, 95);
  EXPECT_TRUE(looks_like_jpeg(jpeg));
  RgbImage back = decode_jpeg(jpeg, "test");
  ASSERT_EQ(back.width, 48);
  ASSERT_EQ(back.height, 40);
  double error = 0;
  for (size_t i = 0; i < image.pixels.size(); ++i) error += std::abs(int(image.pixels[i]) - int(back.pixels[i]));
  EXPECT_LT(error / double(image.pixels.size()), 4.0);
  std::string cut = jpeg.substr(0, 40);
  EXPECT_NE(error_of([&] { decode_jpeg(cut, "init_image"); }).find("init_image: damaged JPEG"), std::string::npos);
}

TEST(ImageDecoding, FormatsAndLimits) {
  RgbImage image = gradient(32, 16);
  EXPECT_EQ(decode_image_base64(base64_encode(encode_png(image)), "init_image").pixels, image.pixels);
  EXPECT_EQ(decode_image_base64(base64_encode(encode_jpeg(image, 90)), "init_image").width, 32);
  EXPECT_EQ(error_of([] { decode_image_base64(base64_encode("GIF89a......"), "init_image"); }),
            "init_image: not a PNG or JPEG image (12 bytes without either signature)");
  ImageLimits small;
  small.max_side = 20;
  EXPECT_EQ(error_of([&] { decode_image_bytes(encode_png(image), "init_image", small); }),
            "init_image: 32x16 pixels; each side may be at most 20");
  small.max_bytes = 10;
  EXPECT_NE(error_of([&] { decode_image_bytes(encode_png(image), "init_image", small); }).find("the limit is 10"),
            std::string::npos);
}

// A header may declare any size: the limit is checked on it, before the pixels are allocated. Before,
// a PNG of 81 bytes declaring 65535x65535 made the decoder zero 12.9 GB first, and a JPEG of a few
// hundred bytes (fuzz_image_decode's find, in its replayed corpus) made libjpeg take 1.5 GB.
TEST(ImageDecoding, ASizeDeclaredOverTheLimitIsRefusedOnTheHeader) {
  std::string png = encode_png(gradient(2, 2));
  // IHDR's width and height (bytes 16..23), then its CRC over type and data (bytes 12..28).
  for (int at : {16, 20}) {
    png[at] = '\0';
    png[at + 1] = '\0';
    png[at + 2] = '\xff';
    png[at + 3] = '\xff';
  }
  const uLong crc = crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(png.data() + 12), 17);
  for (int k = 0; k < 4; ++k) png[29 + k] = static_cast<char>((crc >> (24 - 8 * k)) & 0xff);
  EXPECT_EQ(error_of([&] { decode_image_bytes(png, "init_image"); }),
            "init_image: 65535x65535 pixels; each side may be at most 2048");
  EXPECT_EQ(error_of([&] { decode_png(png, "image", 1000); }), "image: 65535x65535 pixels; each side may be at most 1000");
  const std::string jpeg = encode_jpeg(gradient(64, 48), 90);
  EXPECT_EQ(error_of([&] { decode_jpeg(jpeg, "init_image", 50); }),
            "init_image: 64x48 pixels; each side may be at most 50");
  EXPECT_EQ(decode_jpeg(jpeg, "init_image", 64).width, 64);
}

TEST(ImageResize, AveragesWhenShrinkingAndKeepsFlatImagesFlat) {
  RgbImage checker(4, 4);
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x) checker.at(x, y)[0] = ((x + y) % 2) ? 200 : 0;
  RgbImage half = resize_image(checker, 2, 2);
  for (int y = 0; y < 2; ++y)
    for (int x = 0; x < 2; ++x) EXPECT_EQ(half.at(x, y)[0], 100);
  RgbImage flat(3, 5);
  for (auto& v : flat.pixels) v = 77;
  for (uint8_t v : resize_image(flat, 11, 7).pixels) EXPECT_EQ(v, 77);
  EXPECT_EQ(error_of([&] { resize_image(flat, 0, 3); }), "resize_image: target size 0x3 must be at least 1x1");
}

TEST(ImageSimilarity, SsimSeparatesSameFromDifferent) {
  RgbImage a = gradient(64, 64);
  EXPECT_NEAR(luminance_ssim(a, a), 1.0, 1e-12);
  EXPECT_GT(luminance_ssim(a, decode_jpeg(encode_jpeg(a, 90), "x")), 0.9);
  RgbImage noise(64, 64);
  uint32_t state = 1;
  for (auto& v : noise.pixels) v = uint8_t((state = state * 1664525u + 1013904223u) >> 24);
  EXPECT_LT(luminance_ssim(a, noise), 0.3);
  RgbImage blank(64, 64);
  EXPECT_LT(luminance_ssim(noise, blank), 0.05);
  EXPECT_EQ(luminance_spread(blank), 0.0);
  EXPECT_GT(luminance_spread(noise), 30.0);
}

TEST(ImageSimilarity, FeatureCosine) {
  EXPECT_NEAR(feature_cosine({1, 2, 3}, {2, 4, 6}), 1.0, 1e-12);
  EXPECT_NEAR(feature_cosine({1, 0}, {0, 1}), 0.0, 1e-12);
  EXPECT_EQ(feature_cosine({0, 0}, {1, 1}), 0.0);
  EXPECT_THROW(feature_cosine({1}, {1, 2}), sdk::Error);
}

}  // namespace
}  // namespace nineteen::image
