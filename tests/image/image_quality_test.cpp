// The §6 image rule with worked numbers, and the DDIM schedule against diffusers' values.
#include <gtest/gtest.h>

#include "ddim_schedule.hpp"
#include "image_quality.hpp"

namespace nineteen::diffusion {
namespace {

TEST(ImageQuality, WorkedNumbers) {
  EXPECT_DOUBLE_EQ(image_quality(0.99, 0.94).quality, 1.0);    // s 0.965 > 0.95
  EXPECT_NEAR(image_quality(0.96, 0.90).quality, 0.93 * 0.93, 1e-12);
  EXPECT_NEAR(image_quality(0.1, 0.1).quality, 0.01, 1e-12);
  EXPECT_DOUBLE_EQ(image_quality(0.0, -0.3).quality, 0.0);     // clamped at 0, never negative
  EXPECT_DOUBLE_EQ(image_quality(0.95, 0.95).quality, 0.95 * 0.95);  // exactly 0.95 is not above
  EXPECT_EQ(image_quality(1, 1).reason, "s 1.000 (ssim 1.000, cosine 1.000) > 0.95");
}

TEST(DdimSchedule, LeadingSpacingAsDiffusers) {
  DdimSchedule schedule{models::DdimConfig{}};
  // diffusers DDIMScheduler(steps_offset=1).set_timesteps(4): [751, 501, 251, 1]
  std::vector<DdimStep> steps = schedule.steps(4);
  ASSERT_EQ(steps.size(), 4u);
  EXPECT_EQ(steps[0].timestep, 751);
  EXPECT_EQ(steps[3].timestep, 1);
  EXPECT_DOUBLE_EQ(steps[0].alpha_cumprod_prev, schedule.alpha_cumprod(501));
  EXPECT_DOUBLE_EQ(steps[3].alpha_cumprod_prev, schedule.alpha_cumprod(0));  // set_alpha_to_one false
  EXPECT_NEAR(schedule.alpha_cumprod(0), 1 - 0.00085, 1e-7);
  EXPECT_NEAR(schedule.alpha_cumprod(999), 0.0047, 1e-4);  // scaled_linear's last ᾱ
  // img2img: strength 0.5 of 4 steps keeps the last two.
  std::vector<DdimStep> half = schedule.steps(4, 0.5);
  ASSERT_EQ(half.size(), 2u);
  EXPECT_EQ(half[0].timestep, 251);
  EXPECT_TRUE(schedule.steps(4, 0.2).empty());
}

}  // namespace
}  // namespace nineteen::diffusion
