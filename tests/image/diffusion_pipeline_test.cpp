// The reference pipeline on the tiny model: determinism, seeds, strength 0, the wrong model, and
// how the check's similarity treats a JPEG re-encode and a blank image.
#include <gtest/gtest.h>

#include <nineteen/image/image_similarity.hpp>
#include <nineteen/image/jpeg_codec.hpp>

#include "diffusion_pipeline.hpp"
#include "image_quality.hpp"
#include "tiny_diffusion_model.hpp"

namespace nineteen::diffusion {
namespace {

class DiffusionPipelineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    at::set_num_threads(1);
    pipeline = new DiffusionPipeline(testing::tiny_diffusion_dir(0));
  }
  static void TearDownTestSuite() { delete pipeline; }

  static GenerationSettings settings() {
    GenerationSettings s;
    s.prompt = "a red fox in the snow, oil painting";
    s.steps = 6;
    s.seed = 42;
    return s;
  }
  static double quality(const image::RgbImage& reference, const image::RgbImage& answered) {
    return image_quality(image::luminance_ssim(reference, answered),
                         image::feature_cosine(pipeline->features(reference), pipeline->features(answered)))
        .quality;
  }
  static DiffusionPipeline* pipeline;
};
DiffusionPipeline* DiffusionPipelineTest::pipeline = nullptr;

TEST_F(DiffusionPipelineTest, SameSettingsGiveTheSameImageBitForBit) {
  GenerationSettings s = settings();
  s.width = 96;
  s.height = 64;
  image::RgbImage a = pipeline->generate(s), b = pipeline->generate(s);
  EXPECT_EQ(a.width, 96);
  EXPECT_EQ(a.height, 64);
  EXPECT_EQ(a.pixels, b.pixels);
  EXPECT_GT(image::luminance_spread(a), 5.0);  // an image, not a flat field
  EXPECT_DOUBLE_EQ(quality(a, b), 1.0);
}

TEST_F(DiffusionPipelineTest, AnotherSeedScoresBelowHalf) {
  GenerationSettings s = settings();
  image::RgbImage a = pipeline->generate(s);
  s.seed = 43;
  EXPECT_LT(quality(a, pipeline->generate(s)), 0.5);
}

TEST_F(DiffusionPipelineTest, JpegReencodeStillScoresAtLeastPointNine) {
  image::RgbImage a = pipeline->generate(settings());
  image::RgbImage jpeg = image::decode_jpeg(image::encode_jpeg(a, 90), "jpeg");
  EXPECT_GE(quality(a, jpeg), 0.9);
}

TEST_F(DiffusionPipelineTest, BlankImageScoresZero) {
  image::RgbImage a = pipeline->generate(settings());
  image::RgbImage black(a.width, a.height), grey(a.width, a.height);
  for (auto& v : grey.pixels) v = 128;
  EXPECT_LT(quality(a, black), 0.01);
  EXPECT_LT(quality(a, grey), 0.01);
}

TEST_F(DiffusionPipelineTest, WrongModelScoresLow) {
  DiffusionPipeline wrong(testing::tiny_diffusion_dir(1));
  image::RgbImage a = pipeline->generate(settings());
  EXPECT_LT(quality(a, wrong.generate(settings())), 0.25);
}

TEST_F(DiffusionPipelineTest, ImageToImageStrengthZeroReturnsTheInputAndMoreStrengthDeparts) {
  GenerationSettings s = settings();
  s.init_image = pipeline->generate(settings());
  s.strength = 0.0;
  EXPECT_EQ(pipeline->denoising_steps(s), 0);
  EXPECT_EQ(pipeline->generate(s).pixels, s.init_image->pixels);
  s.strength = 0.5;
  EXPECT_EQ(pipeline->denoising_steps(s), 3);
  image::RgbImage edited = pipeline->generate(s);
  EXPECT_EQ(edited.pixels, pipeline->generate(s).pixels);
  EXPECT_NE(edited.pixels, s.init_image->pixels);
}

TEST_F(DiffusionPipelineTest, AMissingFolderIsRefused) {
  EXPECT_THROW(DiffusionPipeline("/nonexistent/diffusion"), sdk::Error);
}

}  // namespace
}  // namespace nineteen::diffusion
