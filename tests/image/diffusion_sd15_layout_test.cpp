// Stable Diffusion 1.5's diffusers layout: the tiny model is written with SD 1.5's file names,
// config keys, block types and tensor names (small channels), and loads, generates and checks with
// the code a real runwayml/stable-diffusion-v1-5 folder goes through. Also: the VAE attention under
// either spelling, Euler ancestral, the refusals of what is not run, and the CLIP tokenizer.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include <nineteen/image/image_similarity.hpp>
#include <nineteen/models/diffusion_clip_tokenizer.hpp>
#include <nineteen/models/model_inspection.hpp>
#include <nineteen/models/safetensors.hpp>
#include <nineteen/sdk/json.hpp>

#include "diffusion_pipeline.hpp"
#include "diffusion_task.hpp"
#include "image_answer.hpp"
#include "tiny_diffusion_model.hpp"

namespace nineteen::diffusion {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
void spit(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::set<std::string> json_keys(const fs::path& path) {
  rapidjson::Document doc = sdk::parse_json(slurp(path), path.string());
  std::set<std::string> keys;
  for (const auto& m : doc.GetObject()) keys.insert(m.name.GetString());
  return keys;
}

// Every file of `dir`, relative, sorted.
std::set<std::string> files_of(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out.insert(fs::relative(e.path(), dir).generic_string());
  }
  return out;
}

// A fresh copy of the tiny model to edit.
fs::path copy_of(const std::string& dir, const std::string& name) {
  const fs::path to = fs::path(dir).parent_path() / name;
  fs::remove_all(to);
  fs::copy(dir, to, fs::copy_options::recursive);
  return to;
}

void replace_in(const fs::path& path, const std::string& from, const std::string& to) {
  std::string text = slurp(path);
  const size_t at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from << " not in " << path;
  text.replace(at, from.size(), to);
  spit(path, text);
}

std::string load_error(const fs::path& dir) {
  try {
    DiffusionPipeline p(dir.string());
  } catch (const sdk::Error& e) {
    return e.what();
  }
  return "loaded";
}

GenerationSettings settings() {
  GenerationSettings s;
  s.prompt = "a lighthouse on a cliff at dusk, watercolour";
  s.negative_prompt = "blurry";
  s.steps = 5;
  s.seed = 7;
  return s;
}

// The check as a validator runs it: the answer a miner would send, scored against a recomputation.
double check_quality(const std::shared_ptr<const DiffusionPipeline>& pipeline, const image::RgbImage& answered,
                     const std::string& request) {
  DiffusionTaskConfig config;
  config.model_dir = "unused";
  DiffusionTask task("t2i", config, pipeline);
  const std::string response = "[" + write_image_answer(answered, 0) + "]";
  return task.check({request}, {response}).at(0).quality;
}

const char* kRequest = R"({"prompt":"a lighthouse on a cliff at dusk, watercolour","negative_prompt":"blurry","steps":5,"seed":7})";

// runwayml/stable-diffusion-v1-5 (diffusers 0.6.0 files) has these files (weights as .safetensors)
// and these config keys; safety_checker/ and feature_extractor/ are left out (model_index.json says
// [null, null] for them, as diffusers writes a pipeline saved with safety_checker=None).
TEST(Sd15Layout, FilesAndConfigKeysAreStableDiffusion15s) {
  const fs::path dir = testing::tiny_diffusion_dir(0);
  EXPECT_EQ(files_of(dir), (std::set<std::string>{
                               "model_index.json", "scheduler/scheduler_config.json", "text_encoder/config.json",
                               "text_encoder/model.safetensors", "tokenizer/merges.txt",
                               "tokenizer/special_tokens_map.json", "tokenizer/tokenizer_config.json",
                               "tokenizer/vocab.json", "unet/config.json", "unet/diffusion_pytorch_model.safetensors",
                               "vae/config.json", "vae/diffusion_pytorch_model.safetensors"}));
  EXPECT_EQ(json_keys(dir / "model_index.json"),
            (std::set<std::string>{"_class_name", "_diffusers_version", "feature_extractor", "safety_checker", "scheduler",
                                   "text_encoder", "tokenizer", "unet", "vae"}));
  EXPECT_EQ(json_keys(dir / "unet/config.json"),
            (std::set<std::string>{"_class_name", "_diffusers_version", "act_fn", "attention_head_dim",
                                   "block_out_channels", "center_input_sample", "cross_attention_dim",
                                   "down_block_types", "downsample_padding", "flip_sin_to_cos", "freq_shift",
                                   "in_channels", "layers_per_block", "mid_block_scale_factor", "norm_eps",
                                   "norm_num_groups", "out_channels", "sample_size", "up_block_types"}));
  EXPECT_EQ(json_keys(dir / "vae/config.json"),
            (std::set<std::string>{"_class_name", "_diffusers_version", "act_fn", "block_out_channels",
                                   "down_block_types", "in_channels", "latent_channels", "layers_per_block",
                                   "norm_num_groups", "out_channels", "sample_size", "up_block_types"}));
  EXPECT_EQ(json_keys(dir / "text_encoder/config.json"),
            (std::set<std::string>{"_name_or_path", "architectures", "attention_dropout", "bos_token_id", "dropout",
                                   "eos_token_id", "hidden_act", "hidden_size", "initializer_factor",
                                   "initializer_range", "intermediate_size", "layer_norm_eps",
                                   "max_position_embeddings", "model_type", "num_attention_heads",
                                   "num_hidden_layers", "pad_token_id", "projection_dim", "torch_dtype",
                                   "transformers_version", "vocab_size"}));
  EXPECT_EQ(json_keys(dir / "scheduler/scheduler_config.json"),
            (std::set<std::string>{"_class_name", "_diffusers_version", "beta_end", "beta_schedule", "beta_start",
                                   "clip_sample", "num_train_timesteps", "set_alpha_to_one", "skip_prk_steps",
                                   "steps_offset", "trained_betas"}));
  const std::string unet = slurp(dir / "unet/config.json");
  EXPECT_NE(unet.find("\"CrossAttnDownBlock2D\""), std::string::npos);
  EXPECT_NE(unet.find("\"DownBlock2D\""), std::string::npos);
  EXPECT_NE(unet.find("\"UpBlock2D\""), std::string::npos);
  EXPECT_NE(unet.find("\"CrossAttnUpBlock2D\""), std::string::npos);
  EXPECT_NE(slurp(dir / "scheduler/scheduler_config.json").find("\"PNDMScheduler\""), std::string::npos);
  // SD 1.5's text_encoder config says bos 0 / eos 2 (not the tokenizer's ids): the loader must
  // take the ids from tokenizer/.
  EXPECT_NE(slurp(dir / "text_encoder/config.json").find("\"eos_token_id\": 2"), std::string::npos);
}

// Tensor names as SD 1.5's safetensors files spell them (a sample from each part), with the shapes
// the small config implies: 1x1-convolution proj_in (use_linear_projection false), the VAE
// attention's pre-0.15 names, no attention in DownBlock2D. (The tiny UNet's blocks are
// DownBlock2D then CrossAttnDownBlock2D; SD 1.5's are three CrossAttnDownBlock2D then a DownBlock2D:
// the same two block types and names, attending at the lower resolution to keep CPU tests fast.)
TEST(Sd15Layout, TensorNamesAreStableDiffusion15s) {
  const fs::path dir = testing::tiny_diffusion_dir(0);
  auto shape = [&](const char* file, const std::string& name) {
    models::SafetensorsFile f = models::SafetensorsFile::open((dir / file).string());
    const models::TensorView* t = f.find(name);
    return t ? t->shape : std::vector<int64_t>{-1};
  };
  const char* unet = "unet/diffusion_pytorch_model.safetensors";
  const char* vae = "vae/diffusion_pytorch_model.safetensors";
  const char* text = "text_encoder/model.safetensors";
  EXPECT_EQ(shape(unet, "conv_in.weight"), (std::vector<int64_t>{32, 4, 3, 3}));
  EXPECT_EQ(shape(unet, "time_embedding.linear_1.weight"), (std::vector<int64_t>{128, 32}));
  EXPECT_EQ(shape(unet, "down_blocks.1.attentions.0.proj_in.weight"), (std::vector<int64_t>{64, 64, 1, 1}));
  EXPECT_EQ(shape(unet, "down_blocks.1.attentions.0.transformer_blocks.0.attn2.to_k.weight"), (std::vector<int64_t>{64, 32}));
  EXPECT_EQ(shape(unet, "down_blocks.1.attentions.0.transformer_blocks.0.ff.net.0.proj.weight"), (std::vector<int64_t>{512, 64}));
  EXPECT_EQ(shape(unet, "down_blocks.0.downsamplers.0.conv.weight"), (std::vector<int64_t>{32, 32, 3, 3}));
  EXPECT_EQ(shape(unet, "down_blocks.1.resnets.0.conv_shortcut.weight"), (std::vector<int64_t>{64, 32, 1, 1}));
  EXPECT_EQ(shape(unet, "down_blocks.0.attentions.0.proj_in.weight"), (std::vector<int64_t>{-1}));  // DownBlock2D
  EXPECT_EQ(shape(unet, "mid_block.attentions.0.proj_out.weight"), (std::vector<int64_t>{64, 64, 1, 1}));
  EXPECT_EQ(shape(unet, "up_blocks.0.resnets.1.conv1.weight"), (std::vector<int64_t>{64, 96, 3, 3}));
  EXPECT_EQ(shape(unet, "up_blocks.0.upsamplers.0.conv.weight"), (std::vector<int64_t>{64, 64, 3, 3}));
  EXPECT_EQ(shape(unet, "up_blocks.0.attentions.1.transformer_blocks.0.norm3.weight"), (std::vector<int64_t>{64}));
  EXPECT_EQ(shape(unet, "up_blocks.1.attentions.0.norm.weight"), (std::vector<int64_t>{-1}));  // UpBlock2D
  EXPECT_EQ(shape(unet, "conv_norm_out.weight"), (std::vector<int64_t>{32}));
  EXPECT_EQ(shape(vae, "encoder.mid_block.attentions.0.query.weight"), (std::vector<int64_t>{32, 32}));
  EXPECT_EQ(shape(vae, "decoder.mid_block.attentions.0.proj_attn.bias"), (std::vector<int64_t>{32}));
  EXPECT_EQ(shape(vae, "decoder.mid_block.attentions.0.group_norm.weight"), (std::vector<int64_t>{32}));
  EXPECT_EQ(shape(vae, "encoder.mid_block.attentions.0.to_q.weight"), (std::vector<int64_t>{-1}));
  EXPECT_EQ(shape(vae, "quant_conv.weight"), (std::vector<int64_t>{8, 8, 1, 1}));
  EXPECT_EQ(shape(vae, "decoder.up_blocks.0.resnets.1.conv2.weight"), (std::vector<int64_t>{32, 32, 3, 3}));
  EXPECT_EQ(shape(text, "text_model.embeddings.token_embedding.weight"), (std::vector<int64_t>{1024, 32}));
  EXPECT_EQ(shape(text, "text_model.encoder.layers.1.self_attn.out_proj.bias"), (std::vector<int64_t>{32}));
  EXPECT_EQ(shape(text, "text_model.final_layer_norm.weight"), (std::vector<int64_t>{32}));
}

TEST(Sd15Layout, LoadsGeneratesAndChecksWithEitherVaeAttentionSpelling) {
  auto legacy = std::make_shared<const DiffusionPipeline>(testing::tiny_diffusion_dir(0));
  const fs::path current = fs::path(testing::tiny_diffusion_dir(0)).parent_path() / "current-vae-names";
  if (!fs::exists(current / "model_index.json")) {
    const std::string command = std::string(NINETEEN_MODELS_PROGRAM) + " make tiny-diffusion --current-vae-names --out " +
                                current.string() + " > /dev/null 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0);
  }
  models::SafetensorsFile vae = models::SafetensorsFile::open((current / models::kVaeWeights).string());
  ASSERT_TRUE(vae.find("encoder.mid_block.attentions.0.to_q.weight"));
  EXPECT_FALSE(vae.find("encoder.mid_block.attentions.0.query.weight"));
  DiffusionPipeline renamed(current.string());

  at::set_num_threads(1);
  const image::RgbImage a = legacy->generate(settings());
  EXPECT_EQ(a.pixels, renamed.generate(settings()).pixels);  // the same weights under either name
  EXPECT_GT(image::luminance_spread(a), 5.0);
  EXPECT_DOUBLE_EQ(check_quality(legacy, a, kRequest), 1.0);
  GenerationSettings other = settings();
  other.seed = 8;
  EXPECT_LT(check_quality(legacy, legacy->generate(other), kRequest), 0.5);
}

TEST(Sd15Layout, EulerAncestralIsSeededAndChecks) {
  at::set_num_threads(1);
  auto euler = std::make_shared<const DiffusionPipeline>(testing::tiny_diffusion_dir(0), models::SchedulerKind::EulerAncestral);
  DiffusionPipeline ddim(testing::tiny_diffusion_dir(0));
  EXPECT_EQ(euler->config().scheduler.kind, models::SchedulerKind::EulerAncestral);
  EXPECT_EQ(ddim.config().scheduler.kind, models::SchedulerKind::Ddim);  // SD 1.5's PNDMScheduler runs as DDIM
  const image::RgbImage a = euler->generate(settings()), b = euler->generate(settings());
  EXPECT_EQ(a.pixels, b.pixels);
  EXPECT_NE(a.pixels, ddim.generate(settings()).pixels);
  EXPECT_DOUBLE_EQ(check_quality(euler, a, kRequest), 1.0);
  GenerationSettings other = settings();
  other.seed = 8;
  EXPECT_LT(check_quality(euler, euler->generate(other), kRequest), 0.5);
  // Image-to-image: the last int(steps · strength) steps, from the init image noised to that σ.
  GenerationSettings edit = settings();
  edit.init_image = a;
  edit.strength = 0.6;
  EXPECT_EQ(euler->denoising_steps(edit), 3);
  const image::RgbImage edited = euler->generate(edit);
  EXPECT_EQ(edited.pixels, euler->generate(edit).pixels);
  EXPECT_NE(edited.pixels, a.pixels);
}

TEST(Sd15Layout, SchedulerClassInTheFolderPicksTheSampler) {
  const fs::path dir = copy_of(testing::tiny_diffusion_dir(0), "euler-folder");
  replace_in(dir / "scheduler/scheduler_config.json", "\"PNDMScheduler\"", "\"EulerAncestralDiscreteScheduler\"");
  DiffusionPipeline p(dir.string());
  EXPECT_EQ(p.config().scheduler.kind, models::SchedulerKind::EulerAncestral);
  EXPECT_EQ(p.config().scheduler.spacing(), "linspace");  // the class default, as from_config gives it
  replace_in(dir / "scheduler/scheduler_config.json", "\"EulerAncestralDiscreteScheduler\"", "\"DDIMScheduler\"");
  EXPECT_EQ(DiffusionPipeline(dir.string()).config().scheduler.kind, models::SchedulerKind::Ddim);
}

TEST(Sd15Layout, WhatIsNotRunIsRefusedByName) {
  const std::string tiny = testing::tiny_diffusion_dir(0);
  {
    const fs::path dir = copy_of(tiny, "bad-down-block");
    replace_in(dir / "unet/config.json", "\"DownBlock2D\"", "\"SimpleCrossAttnDownBlock2D\"");
    const std::string e = load_error(dir);
    EXPECT_NE(e.find("\"down_block_types\": block 0 is \"SimpleCrossAttnDownBlock2D\""), std::string::npos) << e;
    EXPECT_NE(e.find("supported: \"CrossAttnDownBlock2D\" and \"DownBlock2D\""), std::string::npos) << e;
  }
  {
    const fs::path dir = copy_of(tiny, "bad-up-block");
    replace_in(dir / "unet/config.json", "\"UpBlock2D\"", "\"AttnUpBlock2D\"");
    const std::string e = load_error(dir);
    EXPECT_NE(e.find("block 1 is \"AttnUpBlock2D\""), std::string::npos) << e;
  }
  {
    const fs::path dir = copy_of(tiny, "sdxl-keys");
    replace_in(dir / "unet/config.json", "\"act_fn\"", "\"addition_embed_type\": \"text_time\",\n  \"act_fn\"");
    const std::string e = load_error(dir);
    EXPECT_NE(e.find("\"addition_embed_type\": expected null"), std::string::npos) << e;
  }
  {
    const fs::path dir = copy_of(tiny, "mid-block");
    replace_in(dir / "unet/config.json", "\"act_fn\"", "\"mid_block_type\": \"UNetMidBlock2DSimpleCrossAttn\",\n  \"act_fn\"");
    const std::string e = load_error(dir);
    EXPECT_NE(e.find("\"mid_block_type\": \"UNetMidBlock2DSimpleCrossAttn\" is not run"), std::string::npos) << e;
  }
  {
    const fs::path dir = copy_of(tiny, "v-prediction");
    replace_in(dir / "scheduler/scheduler_config.json", "\"clip_sample\"", "\"prediction_type\": \"v_prediction\",\n  \"clip_sample\"");
    const std::string e = load_error(dir);
    EXPECT_NE(e.find("\"prediction_type\": expected \"epsilon\""), std::string::npos) << e;
  }
  {
    const fs::path dir = copy_of(tiny, "no-merges");
    fs::remove(dir / "tokenizer/merges.txt");
    const std::string e = load_error(dir);
    EXPECT_NE(e.find("tokenizer/merges.txt"), std::string::npos) << e;
  }
  {
    const fs::path dir = copy_of(tiny, "linear-projection");
    replace_in(dir / "unet/config.json", "\"act_fn\"", "\"use_linear_projection\": true,\n  \"act_fn\"");
    const std::string e = load_error(dir);  // SD 2's Linear projections, but this file has 1x1 convolutions
    EXPECT_NE(e.find("down_blocks.1.attentions.0.proj_in.weight\" has shape [64, 64, 1, 1], the config implies [64, 64]"),
              std::string::npos)
        << e;
  }
}

TEST(Sd15Layout, InspectSaysWhatItFoundAndWhetherItIsServable) {
  const std::string tiny = testing::tiny_diffusion_dir(0);
  models::ModelInspection r = models::inspect_model_dir(tiny);
  const std::string text = r.text();
  EXPECT_TRUE(r.servable()) << text;
  EXPECT_TRUE(r.unexpected.empty()) << text;
  for (const char* fact : {"(DownBlock2D, CrossAttnDownBlock2D)", "1x1-convolution projections", "mid-block attention",
                           "scheduler: PNDMScheduler", "served with DDIMScheduler over the same betas",
                           "pre-0.15 names (query, key, value, proj_attn)", "tokenizer: CLIP BPE, 1024 ids, 510 merges",
                           "servable: yes, by the image task"}) {
    EXPECT_NE(text.find(fact), std::string::npos) << fact << "\n" << text;
  }
  const fs::path bad = copy_of(tiny, "inspect-bad-block");
  replace_in(bad / "unet/config.json", "\"DownBlock2D\"", "\"KDownBlock2D\"");
  fs::remove(bad / "tokenizer/vocab.json");
  r = models::inspect_model_dir(bad.string());
  EXPECT_FALSE(r.servable());
  EXPECT_NE(r.text().find("\"KDownBlock2D\", which this toolkit does not run"), std::string::npos) << r.text();
  const fs::path no_vocab = copy_of(tiny, "inspect-no-vocab");
  fs::remove(no_vocab / "tokenizer/vocab.json");
  r = models::inspect_model_dir(no_vocab.string());
  EXPECT_FALSE(r.servable());
  EXPECT_NE(r.text().find("tokenizer/vocab.json"), std::string::npos) << r.text();
}

// diffusers' EulerAncestralDiscreteScheduler (scheduling_euler_ancestral_discrete.py), for SD's
// scaled_linear betas (0.00085 .. 0.012, 1000 steps):
//   betas = linspace(√β0, √β1, 1000)²; ᾱ = cumprod(1 − betas); σ(t) = √((1 − ᾱ_t)/ᾱ_t)
//   "linspace": timesteps = linspace(0, 999, n)[::-1]; sigmas = interp(timesteps, arange(1000), σ) + [0]
//   "leading":  timesteps = arange(n)·(1000 // n) reversed + steps_offset
//   init_noise_sigma = max σ ("linspace"), √(max σ² + 1) ("leading")
// The expected values are recomputed here in double from those formulas, plus the two widely quoted
// ends of SD's σ range: σ(999) ≈ 14.6146 and σ(0) ≈ 0.0292.
TEST(EulerAncestralSchedule, SigmasAndTimestepsFollowDiffusersFormulas) {
  models::SchedulerConfig c;  // SD 1.5's betas
  c.kind = models::SchedulerKind::EulerAncestral;
  std::vector<double> sigma(1000);
  double product = 1;
  for (int i = 0; i < 1000; ++i) {
    const double root = std::sqrt(0.00085) + (std::sqrt(0.012) - std::sqrt(0.00085)) * i / 999.0;
    product *= 1 - root * root;
    sigma[size_t(i)] = std::sqrt((1 - product) / product);
  }
  EXPECT_NEAR(sigma[999], 14.6146, 1e-3);
  EXPECT_NEAR(sigma[0], 0.0292, 1e-4);

  EulerAncestralSchedule linspace(c);
  const std::vector<double> t = linspace.timesteps(10), s = linspace.sigmas(10);
  ASSERT_EQ(t.size(), 10u);
  ASSERT_EQ(s.size(), 11u);
  for (int i = 0; i < 10; ++i) {
    const double expected_t = 999.0 * (9 - i) / 9.0;  // 999, 888, ..., 111, 0
    EXPECT_NEAR(t[size_t(i)], expected_t, 1e-4) << i;
    const size_t lo = size_t(std::floor(expected_t));
    const double frac = expected_t - double(lo);
    const double expected_s = lo + 1 < 1000 ? sigma[lo] + (sigma[lo + 1] - sigma[lo]) * frac : sigma[lo];
    EXPECT_NEAR(s[size_t(i)], expected_s, 2e-4 * expected_s) << i;
  }
  EXPECT_EQ(s.back(), 0.0);
  EXPECT_NEAR(linspace.init_noise_sigma(10), 14.6146, 2e-3);

  c.timestep_spacing = "leading";
  EulerAncestralSchedule leading(c);
  const std::vector<double> tl = leading.timesteps(10), sl = leading.sigmas(10);
  EXPECT_EQ(tl.front(), 901.0);
  EXPECT_EQ(tl.back(), 1.0);
  EXPECT_NEAR(sl.front(), sigma[901], 2e-4 * sigma[901]);
  EXPECT_NEAR(leading.init_noise_sigma(10), std::sqrt(sigma[901] * sigma[901] + 1), 2e-3);

  // Image-to-image keeps the last int(n · strength) steps, each σ followed by the next.
  const std::vector<EulerStep> steps = linspace.steps(10, 0.35);
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_NEAR(steps[0].timestep, 222.0, 1e-3);
  EXPECT_EQ(steps[2].sigma_next, 0.0);
  EXPECT_EQ(steps[0].sigma_next, steps[1].sigma);
}

TEST(DdimSchedule, SpacingsFollowDiffusers) {
  models::SchedulerConfig c;  // SD 1.5: leading, steps_offset 1
  DdimSchedule leading(c);
  std::vector<DdimStep> s = leading.steps(4);
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s[0].timestep, 751);
  EXPECT_EQ(s[3].timestep, 1);
  EXPECT_DOUBLE_EQ(s[0].alpha_cumprod_prev, leading.alpha_cumprod(501));
  c.timestep_spacing = "trailing";
  s = DdimSchedule(c).steps(4);
  EXPECT_EQ(s[0].timestep, 999);
  EXPECT_EQ(s[3].timestep, 249);
  c.timestep_spacing = "linspace";
  s = DdimSchedule(c).steps(4);
  EXPECT_EQ(s[0].timestep, 999);
  EXPECT_EQ(s[1].timestep, 666);
  EXPECT_EQ(s[3].timestep, 0);
}

TEST(ClipTokenizer, SplitsAndNormalisesAsClip) {
  using models::ClipTokenizer;
  EXPECT_EQ(ClipTokenizer::normalize("  A  Photo\tof\r\nÉCOLE  "), " a photo of école ");
  EXPECT_EQ(ClipTokenizer::pre_tokenize(ClipTokenizer::normalize("A CAT's toy!!  costs 12€, <|endoftext|>ok")),
            (std::vector<std::string>{"a", "cat", "'s", "toy", "!!", "costs", "1", "2", "€,", "<|endoftext|>", "ok"}));
  EXPECT_TRUE(ClipTokenizer::pre_tokenize(ClipTokenizer::normalize(" \t\n")).empty());
}

TEST(ClipTokenizer, BpeWithEndOfWordOverAHandMadeVocabulary) {
  const fs::path dir = fs::temp_directory_path() / ("nineteen-clip-tok-" + std::to_string(getpid()));
  fs::create_directories(dir);
  spit(dir / "vocab.json",
       R"({"h": 0, "e": 1, "l": 2, "o": 3, "o</w>": 4, "he": 5, "ll": 6, "hell": 7, "hello</w>": 8, "l</w>": 9,)"
       R"( "!</w>": 10, "<|startoftext|>": 11, "<|endoftext|>": 12})");
  spit(dir / "merges.txt", "#version: 0.2\nh e\nl l\nhe ll\nhell o</w>\n");
  models::ClipTokenizer t = models::ClipTokenizer::from_dir(dir.string());
  EXPECT_EQ(t.encode("Hello"), (std::vector<int32_t>{8}));
  EXPECT_EQ(t.encode("hell"), (std::vector<int32_t>{5, 2, 9}));  // "l l</w>" is no merge: h+e, then l, l</w>
  EXPECT_EQ(t.encode("hello !"), (std::vector<int32_t>{8, 10}));
  EXPECT_EQ(t.encode("x"), (std::vector<int32_t>{12}));  // unknown → <|endoftext|>, as CLIP's unk
  EXPECT_EQ(t.encode_padded("hello", 5), (std::vector<int64_t>{11, 8, 12, 12, 12}));
  EXPECT_EQ(t.encode_padded("hello hello hello", 4), (std::vector<int64_t>{11, 8, 8, 12}));
  spit(dir / "tokenizer_config.json", R"({"pad_token": "!</w>"})");
  EXPECT_EQ(models::ClipTokenizer::from_dir(dir.string()).pad_id(), 10);
  fs::remove_all(dir);
}

TEST(ClipTokenizer, TinyModelsTokenizerCoversItsText) {
  models::ClipTokenizer t = models::ClipTokenizer::from_dir((fs::path(testing::tiny_diffusion_dir(0)) / "tokenizer").string());
  EXPECT_EQ(t.vocab_size(), 1024u);
  EXPECT_EQ(t.bos_id(), 1022);
  EXPECT_EQ(t.eos_id(), 1023);
  EXPECT_EQ(t.pad_id(), 1023);
  const std::vector<int32_t> ids = t.encode("the quick brown fox, 2024 — naïve café 😀");
  EXPECT_GT(ids.size(), 5u);
  for (int32_t id : ids) EXPECT_LT(id, 1022);  // bytes always spell: no unknowns
}

}  // namespace
}  // namespace nineteen::diffusion
