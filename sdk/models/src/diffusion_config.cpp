// Reading and writing the diffusers config files of a latent-diffusion folder (the supported subset).
#include "nineteen/models/diffusion_config.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <tuple>

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include "nineteen/sdk/error.hpp"
#include "nineteen/sdk/json.hpp"

namespace nineteen::models {

namespace fs = std::filesystem;
using sdk::Error;
using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(NT_NOT_FOUND, "cannot read " + path.string() +
                                  "; a latent-diffusion folder needs the diffusers layout (make one with "
                                  "`nineteen models make tiny-diffusion --out DIR`)");
  }
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_file(const fs::path& path, const rapidjson::StringBuffer& buffer) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << std::string(buffer.GetString(), buffer.GetSize()) << "\n";
  out.close();
  if (!out) throw Error(NT_INVALID_ARGUMENT, "cannot write " + path.string());
}

std::vector<int64_t> int_list(const sdk::JsonObject& o, const char* key) {
  std::vector<int64_t> out;
  for (const auto& v : o.array(key).GetArray()) {
    if (!v.IsInt64() || v.GetInt64() < 1) throw o.bad(key, "a list of positive integers", o.require(key));
    out.push_back(v.GetInt64());
  }
  if (out.empty()) throw o.bad(key, "a non-empty list", o.require(key));
  return out;
}

void key_list(Writer& w, const char* key, const std::vector<int64_t>& values) {
  w.Key(key);
  w.StartArray();
  for (int64_t v : values) w.Int64(v);
  w.EndArray();
}

void expect_string(const sdk::JsonObject& o, const char* key, const std::string& wanted, const char* fallback) {
  if (o.string_or(key, fallback) != wanted) {
    throw o.bad(key, "\"" + wanted + "\" (the only kind this toolkit runs)", o.require(key));
  }
}

// A key of a diffusers variant this toolkit does not run: absent, null, or its default value.
void expect_default(const sdk::JsonObject& o, const char* key, const rapidjson::Value& default_value,
                    const std::string& meaning) {
  const rapidjson::Value* v = o.find(key);
  if (v && *v != default_value) throw o.bad(key, meaning + " (the only kind this toolkit runs)", *v);
}
void expect_default(const sdk::JsonObject& o, const char* key, bool value, const std::string& meaning) {
  expect_default(o, key, rapidjson::Value(value), meaning);
}
void expect_default(const sdk::JsonObject& o, const char* key, int value, const std::string& meaning) {
  const rapidjson::Value* v = o.find(key);
  if (v && !(v->IsNumber() && v->GetDouble() == double(value))) {
    throw o.bad(key, meaning + " (the only kind this toolkit runs)", *v);
  }
}
void expect_null(const sdk::JsonObject& o, const char* key, const std::string& meaning) {
  if (const rapidjson::Value* v = o.find(key)) throw o.bad(key, "null: " + meaning + " is not supported", *v);
}

// A block-type list: each entry one of `known` (true for the first, false for the second).
std::vector<bool> block_types(const sdk::JsonObject& o, const char* key, const char* with_attention,
                              const char* without_attention) {
  std::vector<bool> out;
  const auto& types = o.array(key);
  for (rapidjson::SizeType i = 0; i < types.Size(); ++i) {
    const std::string name = types[i].IsString() ? types[i].GetString() : "";
    if (name == with_attention) out.push_back(true);
    else if (without_attention && name == without_attention) out.push_back(false);
    else {
      throw Error(NT_INVALID_ARGUMENT,
                  o.what() + " key \"" + key + "\": block " + std::to_string(i) + " is " +
                      (types[i].IsString() ? "\"" + name + "\"" : sdk::json_preview(types[i], 40)) +
                      ", which this toolkit does not run; supported: \"" + with_attention + "\"" +
                      (without_attention ? std::string(" and \"") + without_attention + "\"" : std::string()));
    }
  }
  if (out.empty()) throw o.bad(key, "a non-empty list of block types", types);
  return out;
}

std::vector<int64_t> int_or_list(const sdk::JsonObject& o, const char* key, size_t blocks) {
  const rapidjson::Value& v = o.require(key);
  if (v.IsArray()) {
    std::vector<int64_t> out = int_list(o, key);
    if (out.size() != blocks) {
      throw o.bad(key, "one number or a list of " + std::to_string(blocks) + " (one per block)", v);
    }
    return out;
  }
  return std::vector<int64_t>(blocks, o.integer(key, 1, 4096));
}

ClipTextConfig read_text_config(const sdk::JsonObject& o) {
  ClipTextConfig t;
  const std::string act = o.string_or("hidden_act", "quick_gelu");
  if (act != "quick_gelu" && act != "gelu") {
    throw o.bad("hidden_act", "\"quick_gelu\" (CLIP ViT-L/14, SD 1.x) or \"gelu\" (OpenCLIP, SD 2.x)", o.require("hidden_act"));
  }
  t.quick_gelu = act == "quick_gelu";
  t.vocab_size = o.integer("vocab_size", 1, 1 << 22);
  t.hidden_size = o.integer("hidden_size", 1, 1 << 16);
  t.intermediate_size = o.integer("intermediate_size", 1, 1 << 18);
  t.num_hidden_layers = o.integer("num_hidden_layers", 1, 256);
  t.num_attention_heads = o.integer("num_attention_heads", 1, 1024);
  t.max_position_embeddings = o.integer("max_position_embeddings", 3, 4096);
  t.layer_norm_eps = o.number_in("layer_norm_eps", 1e-5, 0, 1);
  t.bos_token_id = o.integer_or("bos_token_id", 0, 0, t.vocab_size - 1);
  t.eos_token_id = o.integer_or("eos_token_id", 2, 0, t.vocab_size - 1);
  return t;
}

UNetConfig read_unet_config(const sdk::JsonObject& o, const std::string& path) {
  UNetConfig u;
  const std::string cls = o.string_or("_class_name", "UNet2DConditionModel");
  if (cls != "UNet2DConditionModel") throw o.bad("_class_name", "\"UNet2DConditionModel\"", o.require("_class_name"));
  u.in_channels = o.integer_or("in_channels", 4, 1, 64);
  u.out_channels = o.integer_or("out_channels", 4, 1, 64);
  u.block_out_channels = int_list(o, "block_out_channels");
  if (o.has("layers_per_block") && o.require("layers_per_block").IsArray()) {
    throw o.bad("layers_per_block", "one number (a list per block is not supported)", o.require("layers_per_block"));
  }
  u.layers_per_block = o.integer_or("layers_per_block", 2, 1, 8);
  u.cross_attention_dim = o.integer_or("cross_attention_dim", 1280, 1, 1 << 16);
  u.norm_num_groups = o.integer_or("norm_num_groups", 32, 1, 1024);
  u.norm_eps = o.number_in("norm_eps", 1e-5, 0, 1);
  u.use_linear_projection = o.boolean_or("use_linear_projection", false);
  u.flip_sin_to_cos = o.boolean_or("flip_sin_to_cos", true);
  u.freq_shift = o.number_in("freq_shift", 0, 0, 1);
  const size_t blocks = u.block_out_channels.size();
  u.cross_attention_blocks = block_types(o, "down_block_types", "CrossAttnDownBlock2D", "DownBlock2D");
  if (u.cross_attention_blocks.size() != blocks) {
    throw Error(NT_INVALID_ARGUMENT, path + ": down_block_types has " + std::to_string(u.cross_attention_blocks.size()) +
                                         " entries but block_out_channels has " + std::to_string(blocks));
  }
  std::vector<bool> up = block_types(o, "up_block_types", "CrossAttnUpBlock2D", "UpBlock2D");
  if (std::vector<bool>(u.cross_attention_blocks.rbegin(), u.cross_attention_blocks.rend()) != up) {
    throw o.bad("up_block_types", "the down blocks mirrored (CrossAttnUpBlock2D for CrossAttnDownBlock2D, UpBlock2D "
                                  "for DownBlock2D, in reverse order)", o.require("up_block_types"));
  }
  {
    const std::string mid = o.string_or("mid_block_type", "UNetMidBlock2DCrossAttn");
    if (mid != "UNetMidBlock2DCrossAttn") {
      throw Error(NT_INVALID_ARGUMENT, path + " key \"mid_block_type\": \"" + mid +
                                           "\" is not run by this toolkit; supported: \"UNetMidBlock2DCrossAttn\"");
    }
  }
  // num_attention_heads, when given, is the head count; else attention_head_dim is (diffusers' naming).
  u.attention_heads = o.has("num_attention_heads") ? int_or_list(o, "num_attention_heads", blocks)
                                                    : int_or_list(o, "attention_head_dim", blocks);
  // Keys of UNet variants (SDXL, ControlNet-style extras, class conditioning) this toolkit does not run.
  expect_string(o, "act_fn", "silu", "silu");
  expect_string(o, "time_embedding_type", "positional", "positional");
  expect_string(o, "resnet_time_scale_shift", "default", "default");
  expect_default(o, "center_input_sample", false, "false");
  expect_default(o, "only_cross_attention", false, "false");
  expect_default(o, "dual_cross_attention", false, "false");
  expect_default(o, "transformer_layers_per_block", 1, "1");
  expect_default(o, "downsample_padding", 1, "1");
  expect_default(o, "mid_block_scale_factor", 1, "1");
  expect_default(o, "conv_in_kernel", 3, "3");
  expect_default(o, "conv_out_kernel", 3, "3");
  expect_default(o, "resnet_out_scale_factor", 1, "1");
  expect_default(o, "resnet_skip_time_act", false, "false");
  for (const char* key : {"class_embed_type", "num_class_embeds", "addition_embed_type", "addition_time_embed_dim",
                          "encoder_hid_dim", "encoder_hid_dim_type", "time_cond_proj_dim", "timestep_post_act",
                          "projection_class_embeddings_input_dim", "cross_attention_norm",
                          "reverse_transformer_layers_per_block", "class_embeddings_concat"}) {
    if (std::string(key) == "class_embeddings_concat") expect_default(o, key, false, "false");
    else expect_null(o, key, std::string("\"") + key + "\" (SDXL-style or class conditioning)");
  }
  if (o.has("attention_type")) expect_string(o, "attention_type", "default", "default");
  return u;
}

VaeConfig read_vae_config(const sdk::JsonObject& o, const std::string& path) {
  VaeConfig v;
  const std::string cls = o.string_or("_class_name", "AutoencoderKL");
  if (cls != "AutoencoderKL") throw o.bad("_class_name", "\"AutoencoderKL\"", o.require("_class_name"));
  v.in_channels = o.integer_or("in_channels", 3, 1, 16);
  v.out_channels = o.integer_or("out_channels", 3, 1, 16);
  v.latent_channels = o.integer_or("latent_channels", 4, 1, 64);
  v.block_out_channels = int_list(o, "block_out_channels");
  v.layers_per_block = o.integer_or("layers_per_block", 1, 1, 8);
  v.norm_num_groups = o.integer_or("norm_num_groups", 32, 1, 1024);
  v.scaling_factor = o.number_in("scaling_factor", 0.18215, 1e-6, 1e6);
  v.mid_block_attention = o.boolean_or("mid_block_add_attention", true);
  const size_t blocks = v.block_out_channels.size();
  if (block_types(o, "down_block_types", "DownEncoderBlock2D", nullptr).size() != blocks ||
      block_types(o, "up_block_types", "UpDecoderBlock2D", nullptr).size() != blocks) {
    throw Error(NT_INVALID_ARGUMENT, path + ": down_block_types and up_block_types need one entry per "
                                            "block_out_channels entry (" + std::to_string(blocks) + ")");
  }
  expect_string(o, "act_fn", "silu", "silu");
  expect_default(o, "use_quant_conv", true, "true");
  expect_default(o, "use_post_quant_conv", true, "true");
  expect_null(o, "shift_factor", "a latent shift (SD 3 / Flux VAEs)");
  expect_null(o, "latents_mean", "per-channel latent statistics (SDXL-refiner-style VAEs)");
  expect_null(o, "latents_std", "per-channel latent statistics (SDXL-refiner-style VAEs)");
  if (v.in_channels != 3 || v.out_channels != 3) {
    throw Error(NT_INVALID_ARGUMENT, path + ": in_channels and out_channels must be 3 (RGB)");
  }
  return v;
}

SchedulerConfig read_scheduler_config(const sdk::JsonObject& o) {
  SchedulerConfig s;
  s.class_name = o.string_or("_class_name", "DDIMScheduler");
  s.kind = s.class_name == "EulerAncestralDiscreteScheduler" ? SchedulerKind::EulerAncestral : SchedulerKind::Ddim;
  const std::string schedule = o.string_or("beta_schedule", "linear");
  if (schedule != "scaled_linear" && schedule != "linear") {
    throw o.bad("beta_schedule", "\"scaled_linear\" (Stable Diffusion) or \"linear\"", o.require("beta_schedule"));
  }
  s.scaled_linear = schedule == "scaled_linear";
  expect_null(o, "trained_betas", "an explicit beta list");
  expect_string(o, "prediction_type", "epsilon", "epsilon");
  expect_default(o, "rescale_betas_zero_snr", false, "false");
  expect_default(o, "clip_sample", false, "false (Stable Diffusion's files say false; x0 is never clipped here)");
  expect_default(o, "thresholding", false, "false");
  expect_default(o, "use_karras_sigmas", false, "false");
  if (o.has("timestep_spacing")) {
    s.timestep_spacing = o.string("timestep_spacing");
    if (s.timestep_spacing != "leading" && s.timestep_spacing != "linspace" && s.timestep_spacing != "trailing") {
      throw o.bad("timestep_spacing", "\"leading\", \"linspace\" or \"trailing\"", o.require("timestep_spacing"));
    }
  }
  s.num_train_timesteps = o.integer_or("num_train_timesteps", 1000, 2, 100000);
  s.beta_start = o.number_in("beta_start", 0.0001, 0, 1);
  s.beta_end = o.number_in("beta_end", 0.02, 0, 1);
  s.steps_offset = o.integer_or("steps_offset", 0, 0, 1000);
  s.set_alpha_to_one = o.boolean_or("set_alpha_to_one", true);
  return s;
}

template <typename Read>
auto read_config(const fs::path& path, Read read) {
  auto doc = sdk::parse_json(read_file(path), path.string());
  sdk::JsonObject o(doc, path.string());
  return read(o);
}

}  // namespace

const char* scheduler_class_name(SchedulerKind kind) {
  return kind == SchedulerKind::Ddim ? "DDIMScheduler" : "EulerAncestralDiscreteScheduler";
}

DiffusionConfig DiffusionConfig::from_model_dir(const std::string& dir) {
  DiffusionConfig c;
  const fs::path root(dir);
  read_file(root / "model_index.json");  // the folder's marker: refuse a folder that is not a pipeline
  c.text = read_config(root / "text_encoder/config.json", read_text_config);
  const fs::path unet = root / "unet/config.json", vae = root / "vae/config.json";
  c.unet = read_config(unet, [&](const sdk::JsonObject& o) { return read_unet_config(o, unet.string()); });
  c.vae = read_config(vae, [&](const sdk::JsonObject& o) { return read_vae_config(o, vae.string()); });
  c.scheduler = read_config(root / "scheduler/scheduler_config.json", read_scheduler_config);
  c.validate(dir);
  return c;
}

void DiffusionConfig::validate(const std::string& where) const {
  auto fail = [&](const std::string& what) { throw Error(NT_INVALID_ARGUMENT, where + ": " + what); };
  if (text.hidden_size % text.num_attention_heads) fail("text_encoder hidden_size must be a multiple of num_attention_heads");
  if (unet.cross_attention_dim != text.hidden_size) {
    fail("unet cross_attention_dim " + std::to_string(unet.cross_attention_dim) +
         " must equal the text encoder's hidden_size " + std::to_string(text.hidden_size));
  }
  for (size_t i = 0; i < unet.block_out_channels.size(); ++i) {
    const int64_t ch = unet.block_out_channels[i];
    if (ch % unet.norm_num_groups) fail("unet block_out_channels must be multiples of norm_num_groups");
    if (ch % unet.heads(i)) {
      fail("unet block_out_channels[" + std::to_string(i) + "] " + std::to_string(ch) +
           " must be a multiple of its head count " + std::to_string(unet.heads(i)) + " (attention_head_dim)");
    }
  }
  for (int64_t ch : vae.block_out_channels) {
    if (ch % vae.norm_num_groups) fail("vae block_out_channels must be multiples of norm_num_groups");
  }
  if (unet.in_channels != vae.latent_channels || unet.out_channels != vae.latent_channels) {
    fail("unet in_channels/out_channels must equal the vae's latent_channels");
  }
}

namespace {

void write_json(const fs::path& path, const std::function<void(Writer&)>& body) {
  rapidjson::StringBuffer b;
  Writer w(b);
  w.SetIndent(' ', 2);
  w.StartObject();
  body(w);
  w.EndObject();
  write_file(path, b);
}

void strings(Writer& w, const char* key, const std::vector<std::string>& values) {
  w.Key(key);
  w.StartArray();
  for (const std::string& v : values) w.String(v.c_str());
  w.EndArray();
}

}  // namespace

// The keys (and order) of runwayml/stable-diffusion-v1-5's files, with this config's values.
void DiffusionConfig::write(const std::string& dir) const {
  const fs::path root(dir);
  write_json(root / "model_index.json", [&](Writer& w) {
    w.Key("_class_name"); w.String("StableDiffusionPipeline");
    w.Key("_diffusers_version"); w.String("0.6.0");
    for (auto [key, library, cls] : {std::tuple<const char*, const char*, const char*>{"feature_extractor", nullptr, nullptr},
                                     {"safety_checker", nullptr, nullptr},
                                     {"scheduler", "diffusers", nullptr},
                                     {"text_encoder", "transformers", "CLIPTextModel"},
                                     {"tokenizer", "transformers", "CLIPTokenizer"},
                                     {"unet", "diffusers", "UNet2DConditionModel"},
                                     {"vae", "diffusers", "AutoencoderKL"}}) {
      w.Key(key);
      // No safety_checker/ or feature_extractor/ folder: [null, null], as diffusers saves a
      // pipeline made with safety_checker=None.
      w.StartArray();
      if (library) w.String(library); else w.Null();
      if (std::string(key) == "scheduler") w.String(scheduler.class_name.c_str());
      else if (cls) w.String(cls);
      else w.Null();
      w.EndArray();
    }
  });
  write_json(root / "text_encoder/config.json", [&](Writer& w) {
    w.Key("_name_or_path"); w.String("nineteen/tiny-diffusion");
    w.Key("architectures"); w.StartArray(); w.String("CLIPTextModel"); w.EndArray();
    w.Key("attention_dropout"); w.Double(0.0);
    w.Key("bos_token_id"); w.Int64(text.bos_token_id);
    w.Key("dropout"); w.Double(0.0);
    w.Key("eos_token_id"); w.Int64(text.eos_token_id);
    w.Key("hidden_act"); w.String(text.quick_gelu ? "quick_gelu" : "gelu");
    w.Key("hidden_size"); w.Int64(text.hidden_size);
    w.Key("initializer_factor"); w.Double(1.0);
    w.Key("initializer_range"); w.Double(0.02);
    w.Key("intermediate_size"); w.Int64(text.intermediate_size);
    w.Key("layer_norm_eps"); w.Double(text.layer_norm_eps);
    w.Key("max_position_embeddings"); w.Int64(text.max_position_embeddings);
    w.Key("model_type"); w.String("clip_text_model");
    w.Key("num_attention_heads"); w.Int64(text.num_attention_heads);
    w.Key("num_hidden_layers"); w.Int64(text.num_hidden_layers);
    w.Key("pad_token_id"); w.Int64(1);
    w.Key("projection_dim"); w.Int64(text.hidden_size);
    w.Key("torch_dtype"); w.String("float32");
    w.Key("transformers_version"); w.String("4.22.0.dev0");
    w.Key("vocab_size"); w.Int64(text.vocab_size);
  });
  write_json(root / "unet/config.json", [&](Writer& w) {
    w.Key("_class_name"); w.String("UNet2DConditionModel");
    w.Key("_diffusers_version"); w.String("0.6.0");
    w.Key("act_fn"); w.String("silu");
    const bool same_heads = std::all_of(unet.attention_heads.begin(), unet.attention_heads.end(),
                                        [&](int64_t h) { return h == unet.attention_heads.front(); });
    if (same_heads) { w.Key("attention_head_dim"); w.Int64(unet.attention_heads.front()); }
    else key_list(w, "attention_head_dim", unet.attention_heads);
    key_list(w, "block_out_channels", unet.block_out_channels);
    w.Key("center_input_sample"); w.Bool(false);
    w.Key("cross_attention_dim"); w.Int64(unet.cross_attention_dim);
    std::vector<std::string> down, up;
    for (bool attn : unet.cross_attention_blocks) down.push_back(attn ? "CrossAttnDownBlock2D" : "DownBlock2D");
    for (auto it = unet.cross_attention_blocks.rbegin(); it != unet.cross_attention_blocks.rend(); ++it) {
      up.push_back(*it ? "CrossAttnUpBlock2D" : "UpBlock2D");
    }
    strings(w, "down_block_types", down);
    w.Key("downsample_padding"); w.Int64(1);
    w.Key("flip_sin_to_cos"); w.Bool(unet.flip_sin_to_cos);
    w.Key("freq_shift"); w.Double(unet.freq_shift);
    w.Key("in_channels"); w.Int64(unet.in_channels);
    w.Key("layers_per_block"); w.Int64(unet.layers_per_block);
    w.Key("mid_block_scale_factor"); w.Int64(1);
    w.Key("norm_eps"); w.Double(unet.norm_eps);
    w.Key("norm_num_groups"); w.Int64(unet.norm_num_groups);
    w.Key("out_channels"); w.Int64(unet.out_channels);
    w.Key("sample_size"); w.Int64(64);
    strings(w, "up_block_types", up);
    if (unet.use_linear_projection) { w.Key("use_linear_projection"); w.Bool(true); }
  });
  write_json(root / "vae/config.json", [&](Writer& w) {
    w.Key("_class_name"); w.String("AutoencoderKL");
    w.Key("_diffusers_version"); w.String("0.6.0");
    w.Key("act_fn"); w.String("silu");
    key_list(w, "block_out_channels", vae.block_out_channels);
    strings(w, "down_block_types", std::vector<std::string>(vae.block_out_channels.size(), "DownEncoderBlock2D"));
    w.Key("in_channels"); w.Int64(vae.in_channels);
    w.Key("latent_channels"); w.Int64(vae.latent_channels);
    w.Key("layers_per_block"); w.Int64(vae.layers_per_block);
    if (!vae.mid_block_attention) { w.Key("mid_block_add_attention"); w.Bool(false); }
    w.Key("norm_num_groups"); w.Int64(vae.norm_num_groups);
    w.Key("out_channels"); w.Int64(vae.out_channels);
    w.Key("sample_size"); w.Int64(512);
    if (vae.scaling_factor != 0.18215) { w.Key("scaling_factor"); w.Double(vae.scaling_factor); }
    strings(w, "up_block_types", std::vector<std::string>(vae.block_out_channels.size(), "UpDecoderBlock2D"));
  });
  write_json(root / "scheduler/scheduler_config.json", [&](Writer& w) {
    w.Key("_class_name"); w.String(scheduler.class_name.c_str());
    w.Key("_diffusers_version"); w.String("0.6.0");
    w.Key("beta_end"); w.Double(scheduler.beta_end);
    w.Key("beta_schedule"); w.String(scheduler.scaled_linear ? "scaled_linear" : "linear");
    w.Key("beta_start"); w.Double(scheduler.beta_start);
    w.Key("clip_sample"); w.Bool(false);
    w.Key("num_train_timesteps"); w.Int64(scheduler.num_train_timesteps);
    if (scheduler.class_name != "EulerAncestralDiscreteScheduler") {
      w.Key("set_alpha_to_one"); w.Bool(scheduler.set_alpha_to_one);
    }
    if (scheduler.class_name == "PNDMScheduler") { w.Key("skip_prk_steps"); w.Bool(true); }
    w.Key("steps_offset"); w.Int64(scheduler.steps_offset);
    if (!scheduler.timestep_spacing.empty()) { w.Key("timestep_spacing"); w.String(scheduler.timestep_spacing.c_str()); }
    w.Key("trained_betas"); w.Null();
  });
}

}  // namespace nineteen::models
