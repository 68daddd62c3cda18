// Exporting a Llama checkpoint (config.json + safetensors + tokenizer.json) to GGUF v3, the file
// format of llama.cpp, so that llama.cpp can run the very weights our decoder runs (bench_llm's
// baseline). No libtorch needed.
//
// What is written:
//   - metadata: general.architecture = "llama", general.name, general.alignment (32),
//     general.file_type, llama.* hyper-parameters (context_length, embedding_length, block_count,
//     feed_forward_length, rope.dimension_count, rope.freq_base, attention.head_count,
//     attention.head_count_kv, attention.key_length, attention.value_length,
//     attention.layer_norm_rms_epsilon, vocab_size; rope.scaling.* for "linear" rope_scaling),
//     and the tokenizer as tokenizer.ggml.model = "gpt2" (byte-level BPE: tokens, token_type,
//     merges, pre, bos/eos ids, add_bos_token) plus tokenizer.chat_template when present;
//   - tensors under llama.cpp's names (token_embd, blk.N.attn_q, ..., output_norm, output), with
//     shapes in GGUF order (innermost dimension first). attn_q and attn_k rows are permuted from
//     Hugging Face's rotate-half rope layout to llama.cpp's interleaved-pair layout (the inverse
//     of what llama.cpp's convert_hf_to_gguf.py undoes), so llama.cpp computes the same function.
//   - types: f32 (everything F32), f16 (2-D tensors F16, norms F32) or q8_0 (2-D tensors Q8_0:
//     blocks of 32 values along the innermost dimension, each one f16 scale d = max|x| / 127 and
//     32 int8 q = round(x / d); a tensor whose rows are not a multiple of 32 falls back to F16;
//     norms stay F32).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace nineteen::models {

enum class GgufType { F32, F16, Q8_0 };

// "f32", "f16", "q8_0"
const char* gguf_type_name(GgufType type);
// Throws sdk::Error(NT_INVALID_ARGUMENT) naming the accepted spellings.
GgufType parse_gguf_type(const std::string& text);

// ggml's tensor type ids (ggml.h: GGML_TYPE_F32 = 0, GGML_TYPE_F16 = 1, GGML_TYPE_Q8_0 = 8).
constexpr uint32_t kGgmlTypeF32 = 0, kGgmlTypeF16 = 1, kGgmlTypeQ8_0 = 8;
constexpr int64_t kQ8_0BlockSize = 32;   // values per block
constexpr size_t kQ8_0BlockBytes = 34;   // f16 scale + 32 int8

// IEEE half precision from single, rounding to nearest even (overflow gives infinity, NaN stays NaN).
uint16_t float_to_half(float value);
float half_to_float(uint16_t half);

// Quantises n values (n a multiple of 32) into n / 32 Q8_0 blocks at `out` (34 bytes each), as
// ggml's quantize_row_q8_0_ref does.
void quantize_q8_0(const float* values, int64_t n, std::byte* out);

struct GgufExportOptions {
  GgufType type = GgufType::F32;
  // general.name; the model directory's last component when empty.
  std::string name;
  // Receives a line of progress per step. May be empty.
  std::function<void(const std::string&)> progress;
};

struct GgufExportSummary {
  size_t tensors = 0;
  size_t q8_0_tensors = 0;
  // 2-D tensors written as F16 in a q8_0 export because their rows are not a multiple of 32.
  size_t f16_fallback_tensors = 0;
  size_t file_bytes = 0;
};

// Reads model_dir (config.json, model*.safetensors, tokenizer.json, tokenizer_config.json) and
// writes out_path. Supported: model_type "llama" without biases, with no rope_scaling or a
// "linear" one, and a byte-level BPE tokenizer.json; anything else is an sdk::Error saying what is
// unsupported. The same input always gives byte-identical output.
GgufExportSummary export_gguf(const std::string& model_dir, const std::string& out_path,
                              const GgufExportOptions& options);

}  // namespace nineteen::models
