// bench_embeddings: sentence embeddings per second of the BERT encoder at batch 1 and 32, on the
// tiny model and a larger made model (MiniLM-L6 shaped). Prints a table.
//
// usage: bench_embeddings [--threads N] [--tokens 32,128] [--batches 1,32] [--models tiny,minilm]
//                         [--storage f32] [--seconds 1.0]
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "nineteen/sdk/blas_core.hpp"
#include "nineteen/models/bert_encoder.hpp"
#include "nineteen/models/bert_tiny_maker.hpp"
#include "nineteen/sdk/error.hpp"

namespace {

using namespace nineteen::models;
using Clock = std::chrono::steady_clock;

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

struct MadeModel {
  std::string name;
  TinyBertOptions options;
};

// `tokens` ids per input ([CLS] … [SEP] around ordinary ids), different per input.
std::vector<std::vector<int32_t>> inputs(int64_t batch, int64_t tokens, const BertConfig& c) {
  std::vector<std::vector<int32_t>> out;
  for (int64_t b = 0; b < batch; ++b) {
    std::vector<int32_t> ids = {2};
    for (int64_t i = 1; i + 1 < tokens; ++i) ids.push_back(static_cast<int32_t>(5 + (b * 131 + i * 17) % (c.vocab_size - 5)));
    ids.push_back(3);
    out.push_back(std::move(ids));
  }
  return out;
}

int run(int argc, char** argv) {
  int threads = 2;
  double min_seconds = 1.0;
  std::vector<std::string> tokens = {"32", "128"}, batches = {"1", "32"}, models = {"tiny", "minilm"},
                           storages = {"f32"};
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--threads") threads = std::stoi(value);
    else if (flag == "--tokens") tokens = split(value);
    else if (flag == "--batches") batches = split(value);
    else if (flag == "--models") models = split(value);
    else if (flag == "--storage") storages = split(value);
    else if (flag == "--seconds") min_seconds = std::stod(value);
    else {
      std::fprintf(stderr, "unknown option %s\n", flag.c_str());
      return 2;
    }
  }
  const std::string scratch = (std::filesystem::temp_directory_path() / ("bench-embeddings-" + std::to_string(getpid()))).string();
  std::vector<MadeModel> made;
  for (const std::string& m : models) {
    MadeModel model{m, {}};
    if (m == "minilm") {
      model.options.hidden = 384;
      model.options.layers = 6;
      model.options.heads = 12;
      model.options.intermediate = 1536;
    } else if (m != "tiny") {
      std::fprintf(stderr, "unknown model %s (tiny, minilm)\n", m.c_str());
      return 2;
    }
    made.push_back(model);
  }
  std::printf("bench_embeddings: %d threads, libtorch %s\n\n", threads, TORCH_VERSION);
  std::printf("%-8s %-5s %10s %6s %7s %14s %12s %10s\n", "model", "dtype", "params", "batch", "tokens", "embeddings/s",
              "tokens/s", "ms/pass");
  for (const MadeModel& m : made) {
    const std::string dir = scratch + "/" + m.name;
    BertConfig config = make_tiny_bert(dir, m.options);
    for (const std::string& storage : storages) {
      LoadOptions load;
      load.threads = threads;
      load.storage = storage == "bf16" ? WeightStorage::BF16 : WeightStorage::F32;
      BertEncoder encoder = BertEncoder::load(dir, load);
      for (const std::string& t : tokens) {
        for (const std::string& b : batches) {
          const int64_t batch = std::stoll(b), length = std::stoll(t);
          auto seqs = inputs(batch, length, config);
          encoder.embed(seqs);  // warm-up
          int64_t passes = 0;
          const auto start = Clock::now();
          double elapsed = 0;
          while (elapsed < min_seconds || passes < 3) {
            encoder.embed(seqs);
            ++passes;
            elapsed = std::chrono::duration<double>(Clock::now() - start).count();
          }
          const double per_second = double(passes * batch) / elapsed;
          std::printf("%-8s %-5s %10lld %6lld %7lld %14.1f %12.0f %10.2f\n", m.name.c_str(), storage.c_str(),
                      static_cast<long long>(config.parameter_count()), static_cast<long long>(batch),
                      static_cast<long long>(length), per_second, per_second * double(length),
                      1000.0 * elapsed / double(passes));
        }
      }
    }
  }
  std::filesystem::remove_all(scratch);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  nineteen::sdk::restart_with_openblas_core(argv);  // OpenBLAS's kernels by CPU (blas_core.hpp)
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_embeddings: %s\n", e.what());
    return 1;
  }
}
