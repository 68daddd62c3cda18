// inspect_model_dir: identify a model folder's family and check its files against what the
// loaders read, reporting every difference instead of stopping at the first.
#include "nineteen/models/model_inspection.hpp"

#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "nineteen/models/bert_sentence_layout.hpp"
#include "nineteen/models/diffusion_clip_tokenizer.hpp"
#include "nineteen/models/diffusion_config.hpp"
#include "nineteen/models/diffusion_weight_layout.hpp"
#include "nineteen/models/safetensors.hpp"
#include "nineteen/sdk/error.hpp"
#include "nineteen/sdk/json.hpp"
#include "nineteen/text/bpe_tokenizer.hpp"
#include "nineteen/text/special_token_frame.hpp"
#include "nineteen/text/chat_template.hpp"
#include "nineteen/text/wordpiece_tokenizer.hpp"

namespace nineteen::models {

namespace fs = std::filesystem;
using sdk::Error;

std::vector<ExpectedTensor> llama_expected_tensors(const LlamaConfig& c) {
  const int64_t h = c.hidden_size, I = c.intermediate_size;
  const int64_t q = c.num_attention_heads * c.head_dim, kv = c.num_key_value_heads * c.head_dim;
  std::vector<ExpectedTensor> out;
  out.push_back({"model.embed_tokens.weight", {c.vocab_size, h}});
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    const std::string p = "model.layers." + std::to_string(l) + ".";
    out.push_back({p + "input_layernorm.weight", {h}});
    if (c.fused_projections) {
      out.push_back({p + "self_attn.qkv_proj.weight", {q + 2 * kv, h}});
    } else {
      out.push_back({p + "self_attn.q_proj.weight", {q, h}});
      out.push_back({p + "self_attn.k_proj.weight", {kv, h}});
      out.push_back({p + "self_attn.v_proj.weight", {kv, h}});
    }
    if (c.qkv_bias) {
      out.push_back({p + "self_attn.q_proj.bias", {q}});
      out.push_back({p + "self_attn.k_proj.bias", {kv}});
      out.push_back({p + "self_attn.v_proj.bias", {kv}});
    }
    out.push_back({p + "self_attn.o_proj.weight", {h, q}});
    if (c.o_bias) out.push_back({p + "self_attn.o_proj.bias", {h}});
    out.push_back({p + "post_attention_layernorm.weight", {h}});
    if (c.fused_projections) {
      out.push_back({p + "mlp.gate_up_proj.weight", {2 * I, h}});
    } else {
      out.push_back({p + "mlp.gate_proj.weight", {I, h}});
      out.push_back({p + "mlp.up_proj.weight", {I, h}});
    }
    out.push_back({p + "mlp.down_proj.weight", {h, I}});
  }
  out.push_back({"model.norm.weight", {h}});
  if (!c.tie_word_embeddings) out.push_back({"lm_head.weight", {c.vocab_size, h}});
  return out;
}

std::vector<ExpectedTensor> bert_expected_tensors(const BertConfig& c, const std::string& prefix) {
  const int64_t h = c.hidden_size, I = c.intermediate_size;
  std::vector<ExpectedTensor> out;
  auto norm = [&](const std::string& name) {
    out.push_back({prefix + name + ".weight", {h}});
    out.push_back({prefix + name + ".bias", {h}});
  };
  auto dense = [&](const std::string& name, int64_t rows, int64_t cols) {
    out.push_back({prefix + name + ".weight", {rows, cols}});
    out.push_back({prefix + name + ".bias", {rows}});
  };
  out.push_back({prefix + "embeddings.word_embeddings.weight", {c.vocab_size, h}});
  out.push_back({prefix + "embeddings.position_embeddings.weight", {c.max_position_embeddings, h}});
  out.push_back({prefix + "embeddings.token_type_embeddings.weight", {c.type_vocab_size, h}});
  norm("embeddings.LayerNorm");
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    const std::string p = "encoder.layer." + std::to_string(l) + ".";
    dense(p + "attention.self.query", h, h);
    dense(p + "attention.self.key", h, h);
    dense(p + "attention.self.value", h, h);
    dense(p + "attention.output.dense", h, h);
    norm(p + "attention.output.LayerNorm");
    dense(p + "intermediate.dense", I, h);
    dense(p + "output.dense", h, I);
    norm(p + "output.LayerNorm");
  }
  return out;
}

namespace {

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(NT_NOT_FOUND, "cannot read " + path.string());
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Counts every tensor of `files` and compares them with `expected`; `find` looks a name up.
void compare(ModelInspection& r, const std::vector<ExpectedTensor>& expected,
             const std::vector<const SafetensorsFile*>& files, const std::string& where = "") {
  std::map<std::string, std::pair<const TensorView*, std::string>> present;
  for (const SafetensorsFile* f : files) {
    ++r.files;
    for (const TensorView& t : f->tensors()) {
      ++r.tensors;
      r.bytes += t.byte_size;
      ++r.dtypes[dtype_name(t.dtype)];
      present[t.name] = {&t, fs::path(f->path()).filename().string()};
    }
  }
  std::set<std::string> wanted;
  for (const ExpectedTensor& e : expected) {
    wanted.insert(e.name);
    auto it = present.find(e.name);
    if (it == present.end()) {
      r.missing.push_back(where + e.name + " (expected " + shape_text(e.shape) + ")");
    } else if (it->second.first->shape != e.shape) {
      r.wrong_shape.push_back(where + e.name + ": " + it->second.first->shape_text() + " in " + it->second.second +
                              ", expected " + shape_text(e.shape) + " from the config");
    }
  }
  for (const auto& [name, view] : present) {
    if (!wanted.count(name)) r.unexpected.push_back(where + name);
  }
}

void inspect_llm(ModelInspection& r, const std::string& dir) {
  LlamaConfig c = LlamaConfig::from_model_dir(dir);
  r.task = "llm";
  r.family = c.model_type + " (" + c.architecture() + ")";
  std::ostringstream sizes;
  sizes << "vocab " << c.vocab_size << ", hidden " << c.hidden_size << ", layers " << c.num_hidden_layers << ", heads "
        << c.num_attention_heads << "/" << c.num_key_value_heads << " (head_dim " << c.head_dim << "), intermediate "
        << c.intermediate_size << ", " << c.parameter_count() << " parameters";
  r.facts.push_back(sizes.str());
  std::ostringstream settings;
  settings << "rope_theta " << c.rope_theta;
  if (c.rope_scaling && c.rope_scaling->rope_type == "longrope") {
    settings << ", rope_scaling longrope (served within the original " << c.rope_scaling->original_max_position_embeddings
             << " positions with short_factor; config.json declares " << c.rope_scaling->declared_max_positions
             << ", whose long_factor is not implemented)";
  } else if (c.rope_scaling) {
    settings << ", rope_scaling " << c.rope_scaling->rope_type << " x" << c.rope_scaling->factor;
  }
  settings << ", max positions " << c.max_position_embeddings << ", tied embeddings "
           << (c.tie_word_embeddings ? "yes" : "no");
  if (c.qkv_bias) settings << ", q/k/v biases" << (c.o_bias ? " and o bias" : "");
  if (c.fused_projections) settings << ", fused qkv_proj/gate_up_proj";
  if (c.sliding_window > 0) {
    int64_t windowed = 0;
    for (int64_t l = 0; l < c.num_hidden_layers; ++l) windowed += c.layer_window(l) > 0;
    settings << ", sliding window " << c.sliding_window << " on " << windowed << " of " << c.num_hidden_layers
             << " layers";
  }
  settings << ", config torch_dtype " << c.torch_dtype;
  r.facts.push_back(settings.str());

  try {
    SafetensorsSet set = SafetensorsSet::open_dir(dir);
    std::vector<const SafetensorsFile*> files;
    for (const SafetensorsFile& f : set.files()) files.push_back(&f);
    compare(r, llama_expected_tensors(c), files);
  } catch (const Error& e) {
    r.problems.push_back(std::string("weights: ") + e.what());
  }

  const fs::path tokenizer = fs::path(dir) / "tokenizer.json";
  if (!fs::exists(tokenizer)) {
    r.problems.push_back("tokenizer.json is missing: the llm task encodes prompts with the Hugging Face tokenizer.json "
                         "(byte-level BPE) in the model folder");
  } else {
    try {
      text::BpeTokenizer t = text::BpeTokenizer::from_file(tokenizer.string());
      r.facts.push_back(std::string("tokenizer.json: ") +
                        (t.sentencepiece_style() ? "SentencePiece-style BPE (byte fallback), " : "byte-level BPE, ") +
                        std::to_string(t.vocab_size()) + " ids");
      if (static_cast<int64_t>(t.vocab_size()) > c.vocab_size) {
        r.problems.push_back("tokenizer.json assigns ids up to " + std::to_string(t.vocab_size() - 1) +
                             " but config.json's vocab_size is " + std::to_string(c.vocab_size) +
                             ": the tokenizer does not belong to this model");
      }
      const text::SpecialTokenFrame frame = text::SpecialTokenFrame::from_model_dir(dir, t);
      std::string added;
      for (int32_t id : frame.prefix) added += t.token_string(id) + " ";
      added += "text";
      for (int32_t id : frame.suffix) added += " " + t.token_string(id);
      r.facts.push_back("completions prompt: " + added + " (" + frame.rule + ")");
    } catch (const Error& e) {
      r.problems.push_back(std::string("tokenizer: ") + e.what());
    }
  }
  bool has_template = false;
  try {
    text::ChatTemplate::from_model_dir(dir);
    has_template = true;
    r.facts.push_back("chat template: recognised");
  } catch (const Error& e) {
    r.notes.push_back(std::string("no chat completions (completions only): ") + e.what());
  }
  if (c.eos_token_ids.empty() && !has_template) {
    r.problems.push_back("no eos_token_id in config.json or generation_config.json and no chat template: "
                         "generation could never stop");
  }
}

void inspect_embeddings(ModelInspection& r, const std::string& dir) {
  SentenceEmbeddingLayout layout = SentenceEmbeddingLayout::from_model_dir(dir);
  BertConfig c = BertConfig::from_model_dir(layout.transformer_dir);
  r.task = "embeddings";
  r.family = std::string("bert (") + (layout.from_modules_json ? "sentence-transformers" : "plain Hugging Face") +
             ", " + pooling_name(layout.pooling) + " pooling" + (layout.normalize ? ", normalised" : "") + ")";
  r.facts.push_back("vocab " + std::to_string(c.vocab_size) + ", hidden " + std::to_string(c.hidden_size) +
                    ", layers " + std::to_string(c.num_hidden_layers) + ", heads " +
                    std::to_string(c.num_attention_heads) + ", intermediate " + std::to_string(c.intermediate_size) +
                    ", max positions " + std::to_string(c.max_position_embeddings) +
                    (layout.max_seq_length ? ", max_seq_length " + std::to_string(layout.max_seq_length) : ""));
  try {
    SafetensorsSet set = SafetensorsSet::open_dir(layout.transformer_dir);
    const std::string prefix =
        !set.find("embeddings.word_embeddings.weight") && set.find("bert.embeddings.word_embeddings.weight") ? "bert."
                                                                                                              : "";
    std::vector<const SafetensorsFile*> files;
    for (const SafetensorsFile& f : set.files()) files.push_back(&f);
    compare(r, bert_expected_tensors(c, prefix), files);
  } catch (const Error& e) {
    r.problems.push_back(std::string("weights: ") + e.what());
  }
  const fs::path tokenizer = fs::path(layout.transformer_dir) / "tokenizer.json";
  if (!fs::exists(tokenizer)) {
    r.problems.push_back(tokenizer.string() + " is missing: the embeddings task reads the WordPiece tokenizer.json");
    return;
  }
  try {
    text::WordPieceTokenizer t = text::WordPieceTokenizer::from_file(tokenizer.string());
    r.facts.push_back("tokenizer.json: WordPiece, " + std::to_string(t.vocab_size()) + " tokens");
    if (static_cast<int64_t>(t.vocab_size()) > c.vocab_size) {
      r.problems.push_back("tokenizer.json has " + std::to_string(t.vocab_size()) +
                           " tokens but config.json's vocab_size is " + std::to_string(c.vocab_size));
    }
  } catch (const Error& e) {
    r.problems.push_back(std::string("tokenizer: ") + e.what());
  }
}

void inspect_diffusion(ModelInspection& r, const std::string& dir) {
  r.task = "image";
  r.family = "latent diffusion (diffusers StableDiffusionPipeline: CLIPTextModel, UNet2DConditionModel, AutoencoderKL)";
  const fs::path root(dir);
  DiffusionConfig c;
  try {
    c = DiffusionConfig::from_model_dir(dir);
  } catch (const Error& e) {
    r.problems.push_back(std::string("config: ") + e.what());
    return;
  }
  auto list = [](const std::vector<int64_t>& v) {
    std::string s;
    for (int64_t x : v) s += (s.empty() ? "" : ", ") + std::to_string(x);
    return "[" + s + "]";
  };
  r.facts.push_back("text_encoder: CLIPTextModel, hidden " + std::to_string(c.text.hidden_size) + ", " +
                    std::to_string(c.text.num_hidden_layers) + " layers, " + (c.text.quick_gelu ? "quick_gelu" : "gelu") +
                    ", prompt length " + std::to_string(c.text.max_position_embeddings));
  std::string blocks;
  for (bool attn : c.unet.cross_attention_blocks) blocks += std::string(blocks.empty() ? "" : ", ") + (attn ? "CrossAttnDownBlock2D" : "DownBlock2D");
  r.facts.push_back("unet: block_out_channels " + list(c.unet.block_out_channels) + " (" + blocks + "), heads " +
                    list(c.unet.attention_heads) + ", " + std::to_string(c.unet.layers_per_block) + " layers per block, " +
                    (c.unet.use_linear_projection ? "linear" : "1x1-convolution") + " projections, cross-attention dim " +
                    std::to_string(c.unet.cross_attention_dim));
  r.facts.push_back("vae: block_out_channels " + list(c.vae.block_out_channels) + ", latent channels " +
                    std::to_string(c.vae.latent_channels) + ", scaling factor " + std::to_string(c.vae.scaling_factor) +
                    (c.vae.mid_block_attention ? ", mid-block attention" : ", no mid-block attention") +
                    "; images are multiples of " +
                    std::to_string(c.vae.downscale() * (int64_t(1) << (c.unet.block_out_channels.size() - 1))) + " pixels");
  {
    const std::string runs = scheduler_class_name(c.scheduler.kind);
    r.facts.push_back("scheduler: " + c.scheduler.class_name + " (" + (c.scheduler.scaled_linear ? "scaled_linear" : "linear") +
                      " betas " + std::to_string(c.scheduler.beta_start) + ".." + std::to_string(c.scheduler.beta_end) +
                      ", " + c.scheduler.spacing() + " spacing); served with " + runs +
                      (runs == c.scheduler.class_name ? "" : " over the same betas") +
                      " unless the task's `scheduler` key picks ddim or euler-ancestral");
  }
  const std::vector<std::pair<const char*, std::vector<LaidOutTensor>>> parts = {
      {kTextEncoderWeights, text_encoder_layout(c.text)}, {kUNetWeights, unet_layout(c.unet)},
      {kVaeWeights, vae_layout(c.vae)}};
  bool legacy_names = false;
  for (const auto& [file, layout] : parts) {
    const fs::path path = root / file;
    if (!fs::exists(path)) {
      std::string also;
      const fs::path folder = path.parent_path();
      for (const char* other : {"diffusion_pytorch_model.bin", "pytorch_model.bin", "diffusion_pytorch_model.fp16.safetensors",
                                "model.fp16.safetensors"}) {
        if (fs::exists(folder / other)) also += std::string(also.empty() ? "" : ", ") + other;
      }
      r.problems.push_back(std::string(file) + " is missing" +
                           (also.empty() ? std::string()
                                         : " (the folder has " + also + "; the image task reads only " +
                                               fs::path(file).filename().string() + ": download that file or rename an fp16 .safetensors variant to it)"));
      continue;
    }
    try {
      SafetensorsFile f = SafetensorsFile::open(path.string());
      std::vector<ExpectedTensor> expected;
      for (const LaidOutTensor& t : layout) {
        const std::string legacy = legacy_vae_attention_name(t.name);
        if (!f.find(t.name) && !legacy.empty() && f.find(legacy)) {
          legacy_names = true;
          const std::vector<int64_t>& shape = f.find(legacy)->shape;
          const bool conv = shape.size() == 4 && t.shape.size() == 2 && shape[0] == t.shape[0] && shape[1] == t.shape[1] &&
                            shape[2] == 1 && shape[3] == 1;
          expected.push_back({legacy, conv ? shape : t.shape});
        } else {
          expected.push_back({t.name, t.shape});
        }
      }
      compare(r, expected, {&f}, fs::path(file).parent_path().string() + "/");
    } catch (const Error& e) {
      r.problems.push_back(e.what());
    }
  }
  if (legacy_names) {
    r.facts.push_back("vae mid-block attention under the pre-0.15 names (query, key, value, proj_attn), read as to_q, "
                      "to_k, to_v, to_out.0");
  }
  try {
    ClipTokenizer t = ClipTokenizer::from_dir((root / "tokenizer").string());
    r.facts.push_back("tokenizer: CLIP BPE, " + std::to_string(t.vocab_size()) + " ids, " +
                      std::to_string(t.merge_count()) + " merges; start " + std::to_string(t.bos_id()) + ", end " +
                      std::to_string(t.eos_id()) + ", pad " + std::to_string(t.pad_id()));
    if (int64_t(t.vocab_size()) > c.text.vocab_size) {
      r.problems.push_back("tokenizer/vocab.json has ids up to " + std::to_string(t.vocab_size() - 1) +
                           " but text_encoder/config.json's vocab_size is " + std::to_string(c.text.vocab_size) +
                           ": the tokenizer does not belong to this model");
    }
  } catch (const Error& e) {
    r.problems.push_back(std::string("tokenizer: ") + e.what());
  }
  for (const char* part : {"safety_checker", "feature_extractor"}) {
    if (fs::exists(root / part)) r.notes.push_back(std::string(part) + "/ is present and not used (no safety filter runs)");
  }
}

}  // namespace

ModelInspection inspect_model_dir(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw Error(NT_NOT_FOUND, dir + " is not a directory");
  ModelInspection r;
  r.dir = dir;
  const fs::path root(dir);
  if (fs::exists(root / "model_index.json")) {
    inspect_diffusion(r, dir);
  } else if (fs::exists(root / "modules.json")) {
    inspect_embeddings(r, dir);
  } else if (fs::exists(root / "config.json")) {
    const std::string path = (root / "config.json").string();
    rapidjson::Document doc = sdk::parse_json(read_text(root / "config.json"), path);
    sdk::JsonObject o(doc, path);
    const std::string type = o.string_or("model_type", "llama");
    if (type == "bert") inspect_embeddings(r, dir);
    else inspect_llm(r, dir);
  } else {
    throw Error(NT_NOT_FOUND, dir + " has no config.json (a Hugging Face model: llm or embeddings) and no "
                                    "model_index.json (a diffusers pipeline): not a model folder");
  }
  std::sort(r.unexpected.begin(), r.unexpected.end());
  return r;
}

std::string ModelInspection::text() const {
  std::ostringstream out;
  out << dir << "\n  family: " << family << "\n  task: " << task << "\n";
  for (const std::string& f : facts) out << "  " << f << "\n";
  out << "  weights: " << tensors << " tensors in " << files << " file(s), " << bytes << " bytes (";
  bool first = true;
  for (const auto& [name, n] : dtypes) {
    out << (first ? "" : ", ") << n << " " << name;
    first = false;
  }
  out << ")" << (dtypes.size() > 0 && !dtypes.count("F32") ? ", converted to the compute dtype at load" : "") << "\n";
  auto list = [&](const char* title, const std::vector<std::string>& items) {
    if (items.empty()) return;
    out << "  " << title << " (" << items.size() << "):\n";
    for (const std::string& i : items) out << "    " << i << "\n";
  };
  list("missing tensors", missing);
  list("tensors with the wrong shape", wrong_shape);
  list("unexpected tensors, ignored", unexpected);
  list("problems", problems);
  list("notes", notes);
  out << "  servable: " << (servable() ? "yes, by the " + task + " task" : std::string("no")) << "\n";
  return out.str();
}

}  // namespace nineteen::models
