// The `nineteen-models` program: make the project's small models, and describe a model directory.
#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "nineteen/models/bert_tiny_maker.hpp"
#include "nineteen/models/diffusion_tiny_maker.hpp"
#include "nineteen/models/gguf_writer.hpp"
#include "nineteen/models/llama_config.hpp"
#include "nineteen/models/model_inspection.hpp"
#include "nineteen/models/safetensors.hpp"
#include "nineteen/models/tiny_llama_maker.hpp"
#include "nineteen/sdk/error.hpp"

namespace {

using namespace nineteen::models;

const char* const kUsage =
    "usage:\n"
    "  nineteen-models make tiny-llama --out DIR [--variant N] [--hidden N] [--layers N] [--heads N]\n"
    "                                  [--kv-heads N] [--intermediate N] [--vocab N] [--max-positions N]\n"
    "                                  [--dtype f32|bf16|f16] [--shards N]\n"
    "                                  [--family llama|llama3|qwen2|mistral|phi3]\n"
    "      writes a deterministic Llama model in the Hugging Face layout (defaults: hidden 64,\n"
    "      layers 2, heads 4, kv-heads 2, intermediate 176, vocab 512). The yardstick model:\n"
    "      --hidden 512 --layers 8 --heads 8 --kv-heads 4 --intermediate 1408\n"
    "      --family writes that family's config keys and tensor names (llama3: rope_scaling llama3 and\n"
    "      tied embeddings; qwen2: q/k/v biases, tied; mistral, phi3: sliding_window; phi3: fused\n"
    "      qkv_proj and gate_up_proj); --shards N splits the weights as Hugging Face does, with\n"
    "      model.safetensors.index.json\n"
    "  nineteen-models make tiny-bert --out DIR [--variant N] [--hidden N] [--layers N] [--heads N]\n"
    "                                 [--intermediate N] [--vocab N] [--max-positions N]\n"
    "                                 [--max-seq-length N] [--pooling mean|cls|max|lasttoken] [--no-normalize]\n"
    "                                 [--cased] [--dtype f32|bf16]\n"
    "      writes a deterministic BERT sentence-embedding model (Hugging Face + sentence-transformers\n"
    "      layout; defaults: hidden 64, layers 2, heads 4, intermediate 256, vocab 1024, mean pooling,\n"
    "      normalised, uncased). MiniLM-L6 shaped: --hidden 384 --layers 6 --heads 12 --intermediate 1536\n"
    "  nineteen-models make tiny-diffusion --out DIR [--variant N] [--scheduler CLASS] [--current-vae-names]\n"
    "      writes a deterministic latent-diffusion model in Stable Diffusion 1.5's diffusers layout (same\n"
    "      files, config keys, block types and tensor names, small channels): CLIP tokenizer and text\n"
    "      encoder, UNet2DConditionModel, AutoencoderKL, scheduler CLASS (PNDMScheduler as SD 1.5,\n"
    "      DDIMScheduler or EulerAncestralDiscreteScheduler)\n"
    "  nineteen-models info DIR\n"
    "      prints a model directory's config and weights\n"
    "  nineteen-models inspect DIR\n"
    "      identifies a model folder (llm: llama, mistral, qwen2, phi3; embeddings: BERT /\n"
    "      sentence-transformers; image: diffusers), checks every tensor against its config (missing,\n"
    "      wrong shape, unexpected), counts dtypes and bytes, checks the tokenizer and chat template,\n"
    "      and says whether the task can serve it (exit 0) or not (exit 1)\n";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

int64_t parse_int(const std::string& flag, const std::string& value) {
  try {
    size_t used = 0;
    long long v = std::stoll(value, &used);
    if (used == value.size()) return v;
  } catch (const std::exception&) {
  }
  throw UsageError(flag + ": expected an integer, got \"" + value + "\"");
}

// The options every maker shares (--out, --variant, integer sizes) and its own ones, read in one loop.
struct MakerArguments {
  std::string out;
  uint64_t variant = 0;
  // Flags without a value (e.g. --cased); return false for an unknown one.
  std::function<bool(const std::string& flag)> on_switch = [](const std::string&) { return false; };
  // Flags with a value that are not sizes; return false for an unknown one.
  std::function<bool(const std::string& flag, const std::string& value)> on_option =
      [](const std::string&, const std::string&) { return false; };
  std::map<std::string, int64_t*> sizes;

  void read(const std::vector<std::string>& args, const std::string& what) {
    for (size_t i = 0; i < args.size(); ++i) {
      const std::string& flag = args[i];
      if (on_switch(flag)) continue;
      if (i + 1 >= args.size()) throw UsageError(flag + ": missing value");
      const std::string& value = args[++i];
      if (flag == "--out") {
        out = value;
      } else if (flag == "--variant") {
        int64_t v = parse_int(flag, value);
        if (v < 0) throw UsageError("--variant: expected an integer >= 0, got " + value);
        variant = static_cast<uint64_t>(v);
      } else if (auto it = sizes.find(flag); it != sizes.end()) {
        *it->second = parse_int(flag, value);
      } else if (!on_option(flag, value)) {
        throw UsageError("unknown option " + flag);
      }
    }
    if (out.empty()) throw UsageError("make " + what + " needs --out DIR");
  }
};

// Progress lines on stderr with the seconds since the maker started.
std::function<void(const std::string&)> progress_printer() {
  auto start = std::chrono::steady_clock::now();
  return [start](const std::string& line) {
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "[%6.2fs] %s\n", s, line.c_str());
  };
}

int make_tiny_llama_command(const std::vector<std::string>& args) {
  TinyLlamaOptions options;
  MakerArguments a;
  a.sizes = {{"--hidden", &options.hidden},         {"--layers", &options.layers},
             {"--heads", &options.heads},           {"--kv-heads", &options.kv_heads},
             {"--intermediate", &options.intermediate}, {"--vocab", &options.vocab},
             {"--max-positions", &options.max_position_embeddings}};
  a.on_option = [&](const std::string& flag, const std::string& value) {
    if (flag == "--family") {
      options.family = value;
      return true;
    }
    if (flag == "--shards") {
      options.shards = static_cast<int>(parse_int(flag, value));
      return true;
    }
    if (flag != "--dtype") return false;
    if (value == "f32") options.dtype = DType::F32;
    else if (value == "bf16") options.dtype = DType::BF16;
    else if (value == "f16") options.dtype = DType::F16;
    else throw UsageError("--dtype: expected f32, bf16 or f16, got \"" + value + "\"");
    return true;
  };
  a.read(args, "tiny-llama");
  options.variant = a.variant;
  options.progress = progress_printer();
  LlamaConfig c = make_tiny_llama(a.out, options);
  std::printf("%s: tiny-llama variant %llu, %lld parameters\n", a.out.c_str(),
              static_cast<unsigned long long>(options.variant), static_cast<long long>(c.parameter_count()));
  return 0;
}

int make_tiny_bert_command(const std::vector<std::string>& args) {
  TinyBertOptions options;
  MakerArguments a;
  a.sizes = {{"--hidden", &options.hidden},         {"--layers", &options.layers},
             {"--heads", &options.heads},           {"--intermediate", &options.intermediate},
             {"--vocab", &options.vocab},           {"--max-positions", &options.max_position_embeddings},
             {"--max-seq-length", &options.max_seq_length}};
  a.on_switch = [&](const std::string& flag) {
    if (flag == "--no-normalize") options.normalize = false;
    else if (flag == "--cased") options.lowercase = false;
    else return false;
    return true;
  };
  a.on_option = [&](const std::string& flag, const std::string& value) {
    if (flag == "--dtype") {
      if (value == "f32") options.dtype = DType::F32;
      else if (value == "bf16") options.dtype = DType::BF16;
      else throw UsageError("--dtype: expected f32 or bf16, got \"" + value + "\"");
      return true;
    }
    if (flag == "--pooling") {
      if (value == "mean") options.pooling = BertPooling::Mean;
      else if (value == "cls") options.pooling = BertPooling::Cls;
      else if (value == "max") options.pooling = BertPooling::Max;
      else if (value == "lasttoken") options.pooling = BertPooling::LastToken;
      else throw UsageError("--pooling: expected mean, cls, max or lasttoken, got \"" + value + "\"");
      return true;
    }
    return false;
  };
  a.read(args, "tiny-bert");
  options.variant = a.variant;
  options.progress = progress_printer();
  BertConfig c = make_tiny_bert(a.out, options);
  std::printf("%s: tiny-bert variant %llu, %lld parameters, vocabulary %lld\n", a.out.c_str(),
              static_cast<unsigned long long>(options.variant), static_cast<long long>(c.parameter_count()),
              static_cast<long long>(c.vocab_size));
  return 0;
}

int make_tiny_diffusion_command(const std::vector<std::string>& args) {
  TinyDiffusionOptions options;
  MakerArguments a;
  a.on_switch = [&](const std::string& flag) {
    if (flag != "--current-vae-names") return false;
    options.current_vae_names = true;
    return true;
  };
  a.on_option = [&](const std::string& flag, const std::string& value) {
    if (flag != "--scheduler") return false;
    options.scheduler = value;
    return true;
  };
  a.read(args, "tiny-diffusion");
  options.variant = a.variant;
  options.progress = progress_printer();
  make_tiny_diffusion(a.out, options);
  std::printf("%s: tiny-diffusion variant %llu\n", a.out.c_str(), static_cast<unsigned long long>(options.variant));
  return 0;
}

int export_gguf_command(const std::vector<std::string>& args) {
  if (args.size() < 2) throw UsageError("export-gguf needs DIR and OUT.gguf");
  GgufExportOptions options;
  for (size_t i = 2; i < args.size(); i += 2) {
    if (i + 1 >= args.size()) throw UsageError(args[i] + ": missing value");
    if (args[i] == "--type") {
      try {
        options.type = parse_gguf_type(args[i + 1]);
      } catch (const nineteen::sdk::Error& e) {
        throw UsageError(std::string("--type: ") + e.what());
      }
    } else {
      throw UsageError("unknown option " + args[i]);
    }
  }
  options.progress = progress_printer();
  GgufExportSummary s = export_gguf(args[0], args[1], options);
  std::printf("%s: GGUF v3, %s, %zu tensors (%zu Q8_0, %zu F16 fallback), %zu bytes\n", args[1].c_str(),
              gguf_type_name(options.type), s.tensors, s.q8_0_tensors, s.f16_fallback_tensors, s.file_bytes);
  return 0;
}

int info_command(const std::string& dir) {
  LlamaConfig c = LlamaConfig::from_model_dir(dir);
  SafetensorsSet weights = SafetensorsSet::open_dir(dir);
  std::printf("%s\n  vocab %lld, hidden %lld, layers %lld, heads %lld/%lld (head_dim %lld), intermediate %lld\n",
              dir.c_str(), (long long)c.vocab_size, (long long)c.hidden_size, (long long)c.num_hidden_layers,
              (long long)c.num_attention_heads, (long long)c.num_key_value_heads, (long long)c.head_dim,
              (long long)c.intermediate_size);
  std::printf("  rope_theta %g%s, max positions %lld, tied embeddings %s\n", c.rope_theta,
              c.rope_scaling ? (", rope_scaling " + c.rope_scaling->rope_type).c_str() : "",
              (long long)c.max_position_embeddings, c.tie_word_embeddings ? "yes" : "no");
  std::printf("  %lld parameters, %.1f MFLOP per token in matrix products\n", (long long)c.parameter_count(),
              c.matmul_flops_per_token() / 1e6);
  size_t bytes = 0, count = 0;
  std::map<std::string, size_t> by_dtype;
  for (const auto& file : weights.files()) {
    for (const TensorView& t : file.tensors()) {
      bytes += t.byte_size;
      ++count;
      ++by_dtype[dtype_name(t.dtype)];
    }
  }
  std::printf("  %zu tensors in %zu file(s), %.1f MB:", count, weights.files().size(), double(bytes) / 1e6);
  for (const auto& [name, n] : by_dtype) std::printf(" %zu %s", n, name.c_str());
  std::printf("\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.size() >= 2 && args[0] == "make" && args[1] == "tiny-llama") {
      return make_tiny_llama_command(std::vector<std::string>(args.begin() + 2, args.end()));
    }
    if (args.size() >= 2 && args[0] == "make" && args[1] == "tiny-bert") {
      return make_tiny_bert_command(std::vector<std::string>(args.begin() + 2, args.end()));
    }
    if (args.size() >= 2 && args[0] == "make" && args[1] == "tiny-diffusion") {
      return make_tiny_diffusion_command(std::vector<std::string>(args.begin() + 2, args.end()));
    }
    if (!args.empty() && args[0] == "export-gguf") {
      return export_gguf_command(std::vector<std::string>(args.begin() + 1, args.end()));
    }
    if (args.size() == 2 && args[0] == "info") return info_command(args[1]);
    if (args.size() == 2 && args[0] == "inspect") {
      ModelInspection r = inspect_model_dir(args[1]);
      std::fputs(r.text().c_str(), stdout);
      return r.servable() ? 0 : 1;
    }
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
      std::fputs(kUsage, args.empty() ? stderr : stdout);
      return args.empty() ? 2 : 0;
    }
    throw UsageError("unknown command");
  } catch (const UsageError& e) {
    std::fprintf(stderr, "nineteen-models: %s\n%s", e.what(), kUsage);
    return 2;
  } catch (const nineteen::sdk::Error& e) {
    std::fprintf(stderr, "nineteen-models: %s\n", e.what());
    return 1;
  }
}
