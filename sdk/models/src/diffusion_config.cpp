// Reading and writing the diffusers config files of a latent-diffusion folder (the supported subset).
#include "nineteen/models/diffusion_config.hpp"

#include <filesystem>
#include <fstream>

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

}  // namespace

DiffusionConfig DiffusionConfig::from_model_dir(const std::string& dir) {
  DiffusionConfig c;
  const fs::path root(dir);
  {
    const std::string path = (root / "text_encoder/config.json").string();
    auto doc = sdk::parse_json(read_file(path), path);
    sdk::JsonObject o(doc, path);
    expect_string(o, "hidden_act", "quick_gelu", "quick_gelu");
    c.text.vocab_size = o.integer("vocab_size", 1, 1 << 22);
    c.text.hidden_size = o.integer("hidden_size", 1, 1 << 16);
    c.text.intermediate_size = o.integer("intermediate_size", 1, 1 << 18);
    c.text.num_hidden_layers = o.integer("num_hidden_layers", 1, 256);
    c.text.num_attention_heads = o.integer("num_attention_heads", 1, 1024);
    c.text.max_position_embeddings = o.integer("max_position_embeddings", 3, 4096);
    c.text.layer_norm_eps = o.number_in("layer_norm_eps", 1e-5, 0, 1);
    c.text.bos_token_id = o.integer("bos_token_id", 0, c.text.vocab_size - 1);
    c.text.eos_token_id = o.integer("eos_token_id", 0, c.text.vocab_size - 1);
  }
  {
    const std::string path = (root / "unet/config.json").string();
    auto doc = sdk::parse_json(read_file(path), path);
    sdk::JsonObject o(doc, path);
    c.unet.in_channels = o.integer("in_channels", 1, 64);
    c.unet.out_channels = o.integer("out_channels", 1, 64);
    c.unet.block_out_channels = int_list(o, "block_out_channels");
    c.unet.layers_per_block = o.integer("layers_per_block", 1, 8);
    c.unet.cross_attention_dim = o.integer("cross_attention_dim", 1, 1 << 16);
    c.unet.attention_heads = o.integer("attention_head_dim", 1, 1024);
    c.unet.norm_num_groups = o.integer("norm_num_groups", 1, 1024);
    if (!o.boolean_or("use_linear_projection", false)) {
      throw o.bad("use_linear_projection", "true (Linear proj_in/proj_out, as in Stable Diffusion 2)",
                  o.require("use_linear_projection"));
    }
    c.unet.cross_attention_blocks.clear();
    const auto& types = o.array("down_block_types");
    for (const auto& t : types.GetArray()) {
      std::string name = t.IsString() ? t.GetString() : "";
      if (name == "CrossAttnDownBlock2D") c.unet.cross_attention_blocks.push_back(true);
      else if (name == "DownBlock2D") c.unet.cross_attention_blocks.push_back(false);
      else throw o.bad("down_block_types", "a list of \"CrossAttnDownBlock2D\" and \"DownBlock2D\"", types);
    }
    if (c.unet.cross_attention_blocks.size() != c.unet.block_out_channels.size()) {
      throw Error(NT_INVALID_ARGUMENT, path + ": down_block_types has " + std::to_string(types.Size()) +
                                           " entries but block_out_channels has " +
                                           std::to_string(c.unet.block_out_channels.size()));
    }
    expect_string(o, "mid_block_type", "UNetMidBlock2DCrossAttn", "UNetMidBlock2DCrossAttn");
  }
  {
    const std::string path = (root / "vae/config.json").string();
    auto doc = sdk::parse_json(read_file(path), path);
    sdk::JsonObject o(doc, path);
    c.vae.in_channels = o.integer("in_channels", 1, 16);
    c.vae.out_channels = o.integer("out_channels", 1, 16);
    c.vae.latent_channels = o.integer("latent_channels", 1, 64);
    c.vae.block_out_channels = int_list(o, "block_out_channels");
    c.vae.layers_per_block = o.integer("layers_per_block", 1, 8);
    c.vae.norm_num_groups = o.integer("norm_num_groups", 1, 1024);
    c.vae.scaling_factor = o.number_in("scaling_factor", 0.18215, 1e-6, 1e6);
    if (o.boolean_or("mid_block_add_attention", true)) {
      throw o.bad("mid_block_add_attention", "false (the VAE mid-block attention is not supported)",
                  o.require("mid_block_add_attention"));
    }
    if (c.vae.in_channels != 3 || c.vae.out_channels != 3) {
      throw Error(NT_INVALID_ARGUMENT, path + ": in_channels and out_channels must be 3 (RGB)");
    }
  }
  {
    const std::string path = (root / "scheduler/scheduler_config.json").string();
    auto doc = sdk::parse_json(read_file(path), path);
    sdk::JsonObject o(doc, path);
    expect_string(o, "beta_schedule", "scaled_linear", "scaled_linear");
    expect_string(o, "prediction_type", "epsilon", "epsilon");
    expect_string(o, "timestep_spacing", "leading", "leading");
    c.scheduler.num_train_timesteps = o.integer_or("num_train_timesteps", 1000, 2, 100000);
    c.scheduler.beta_start = o.number_in("beta_start", 0.00085, 0, 1);
    c.scheduler.beta_end = o.number_in("beta_end", 0.012, 0, 1);
    c.scheduler.steps_offset = o.integer_or("steps_offset", 1, 0, 1000);
    c.scheduler.set_alpha_to_one = o.boolean_or("set_alpha_to_one", false);
  }
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
  for (int64_t ch : unet.block_out_channels) {
    if (ch % unet.norm_num_groups) fail("unet block_out_channels must be multiples of norm_num_groups");
    if (ch % unet.attention_heads) fail("unet block_out_channels must be multiples of attention_head_dim (heads)");
  }
  for (int64_t ch : vae.block_out_channels) {
    if (ch % vae.norm_num_groups) fail("vae block_out_channels must be multiples of norm_num_groups");
  }
  if (unet.in_channels != vae.latent_channels || unet.out_channels != vae.latent_channels) {
    fail("unet in_channels/out_channels must equal the vae's latent_channels");
  }
}

void DiffusionConfig::write(const std::string& dir) const {
  const fs::path root(dir);
  auto start = [](rapidjson::StringBuffer& b) {
    auto w = std::make_unique<Writer>(b);
    w->SetIndent(' ', 2);
    w->StartObject();
    return w;
  };
  {
    rapidjson::StringBuffer b;
    auto w = start(b);
    for (auto [key, value] : {std::pair<const char*, const char*>{"_class_name", "StableDiffusionPipeline"},
                              {"_diffusers_version", "0.30.0"}}) {
      w->Key(key);
      w->String(value);
    }
    for (auto [key, library, cls] : {std::tuple<const char*, const char*, const char*>{"scheduler", "diffusers", "DDIMScheduler"},
                                     {"text_encoder", "transformers", "CLIPTextModel"},
                                     {"tokenizer", "transformers", "PreTrainedTokenizerFast"},
                                     {"unet", "diffusers", "UNet2DConditionModel"},
                                     {"vae", "diffusers", "AutoencoderKL"}}) {
      w->Key(key);
      w->StartArray();
      w->String(library);
      w->String(cls);
      w->EndArray();
    }
    w->EndObject();
    write_file(root / "model_index.json", b);
  }
  {
    rapidjson::StringBuffer b;
    auto w = start(b);
    w->Key("architectures"); w->StartArray(); w->String("CLIPTextModel"); w->EndArray();
    w->Key("bos_token_id"); w->Int64(text.bos_token_id);
    w->Key("eos_token_id"); w->Int64(text.eos_token_id);
    w->Key("hidden_act"); w->String("quick_gelu");
    w->Key("hidden_size"); w->Int64(text.hidden_size);
    w->Key("intermediate_size"); w->Int64(text.intermediate_size);
    w->Key("layer_norm_eps"); w->Double(text.layer_norm_eps);
    w->Key("max_position_embeddings"); w->Int64(text.max_position_embeddings);
    w->Key("model_type"); w->String("clip_text_model");
    w->Key("num_attention_heads"); w->Int64(text.num_attention_heads);
    w->Key("num_hidden_layers"); w->Int64(text.num_hidden_layers);
    w->Key("vocab_size"); w->Int64(text.vocab_size);
    w->EndObject();
    write_file(root / "text_encoder/config.json", b);
  }
  {
    rapidjson::StringBuffer b;
    auto w = start(b);
    w->Key("_class_name"); w->String("UNet2DConditionModel");
    w->Key("attention_head_dim"); w->Int64(unet.attention_heads);
    key_list(*w, "block_out_channels", unet.block_out_channels);
    w->Key("cross_attention_dim"); w->Int64(unet.cross_attention_dim);
    w->Key("down_block_types");
    w->StartArray();
    for (bool attn : unet.cross_attention_blocks) w->String(attn ? "CrossAttnDownBlock2D" : "DownBlock2D");
    w->EndArray();
    w->Key("in_channels"); w->Int64(unet.in_channels);
    w->Key("layers_per_block"); w->Int64(unet.layers_per_block);
    w->Key("mid_block_type"); w->String("UNetMidBlock2DCrossAttn");
    w->Key("norm_eps"); w->Double(1e-5);
    w->Key("norm_num_groups"); w->Int64(unet.norm_num_groups);
    w->Key("out_channels"); w->Int64(unet.out_channels);
    w->Key("up_block_types");
    w->StartArray();
    for (auto it = unet.cross_attention_blocks.rbegin(); it != unet.cross_attention_blocks.rend(); ++it) {
      w->String(*it ? "CrossAttnUpBlock2D" : "UpBlock2D");
    }
    w->EndArray();
    w->Key("use_linear_projection"); w->Bool(true);
    w->EndObject();
    write_file(root / "unet/config.json", b);
  }
  {
    rapidjson::StringBuffer b;
    auto w = start(b);
    w->Key("_class_name"); w->String("AutoencoderKL");
    key_list(*w, "block_out_channels", vae.block_out_channels);
    w->Key("down_block_types");
    w->StartArray();
    for (size_t i = 0; i < vae.block_out_channels.size(); ++i) w->String("DownEncoderBlock2D");
    w->EndArray();
    w->Key("in_channels"); w->Int64(vae.in_channels);
    w->Key("latent_channels"); w->Int64(vae.latent_channels);
    w->Key("layers_per_block"); w->Int64(vae.layers_per_block);
    w->Key("mid_block_add_attention"); w->Bool(false);
    w->Key("norm_num_groups"); w->Int64(vae.norm_num_groups);
    w->Key("out_channels"); w->Int64(vae.out_channels);
    w->Key("scaling_factor"); w->Double(vae.scaling_factor);
    w->Key("up_block_types");
    w->StartArray();
    for (size_t i = 0; i < vae.block_out_channels.size(); ++i) w->String("UpDecoderBlock2D");
    w->EndArray();
    w->EndObject();
    write_file(root / "vae/config.json", b);
  }
  {
    rapidjson::StringBuffer b;
    auto w = start(b);
    w->Key("_class_name"); w->String("DDIMScheduler");
    w->Key("beta_end"); w->Double(scheduler.beta_end);
    w->Key("beta_schedule"); w->String("scaled_linear");
    w->Key("beta_start"); w->Double(scheduler.beta_start);
    w->Key("clip_sample"); w->Bool(false);
    w->Key("num_train_timesteps"); w->Int64(scheduler.num_train_timesteps);
    w->Key("prediction_type"); w->String("epsilon");
    w->Key("set_alpha_to_one"); w->Bool(scheduler.set_alpha_to_one);
    w->Key("steps_offset"); w->Int64(scheduler.steps_offset);
    w->Key("timestep_spacing"); w->String("leading");
    w->EndObject();
    write_file(root / "scheduler/scheduler_config.json", b);
  }
}

}  // namespace nineteen::models
