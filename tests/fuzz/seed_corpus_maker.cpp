// Writes the seed files of the corpora that need the project's own writers (signed headers, SCALE,
// tokenizer.json, images, safetensors): `fuzz_seed_corpus_maker tests/fuzz/corpus`. Built on request
// only (`cmake --build BUILD --target fuzz_seed_corpus_maker`); its output is checked in.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "nineteen/chain/subtensor/neuron_info.hpp"
#include "nineteen/image/jpeg_codec.hpp"
#include "nineteen/image/png_codec.hpp"
#include "nineteen/keys/hotkey.hpp"
#include "nineteen/keys/request_signing.hpp"
#include "nineteen/models/safetensors.hpp"
#include "nineteen/text/bpe_trainer.hpp"
#include "nineteen/text/wordpiece_tokenizer.hpp"

namespace {

std::string root;

void write(const std::string& file, const std::string& bytes) {
  std::ofstream out(root + "/" + file, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  std::printf("%s: %zu bytes\n", file.c_str(), bytes.size());
}

std::string as_text(const std::vector<std::uint8_t>& bytes) { return std::string(bytes.begin(), bytes.end()); }

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_seed_corpus_maker CORPUS_DIR\n");
    return 2;
  }
  root = argv[1];
  using namespace nineteen;

  // Signed headers as fuzz_signed_request reads them: the same keys and "now" as the target.
  const keys::Hotkey miner = keys::Hotkey::from_seed(keys::Seed{1});
  const keys::Hotkey validator = keys::Hotkey::from_seed(keys::Seed{2});
  const std::chrono::system_clock::time_point now{std::chrono::seconds(1767225600)};
  const std::string body = R"({"text":"hello world"})";
  const keys::SignedHeaders signed_headers = keys::sign_request(validator, miner.ss58_address(), body, now);
  write("signed_request/valid.txt", signed_headers.validator_hotkey + "\n" + signed_headers.miner_hotkey + "\n" +
                                        signed_headers.nonce + "\n" + signed_headers.signature + "\n" + body);
  write("signed_request/missing_nonce.txt", signed_headers.validator_hotkey + "\n" + signed_headers.miner_hotkey +
                                                "\n-\n" + signed_headers.signature + "\n" + body);
  write("signed_request/sign.txt", "sign\n" + body);

  // A metagraph of two neurons (mode 0 of fuzz_scale), and a few values of the local runtime's types.
  chain::subtensor::NeuronLite neuron;
  neuron.uid = 1;
  neuron.active = true;
  neuron.stake.push_back({neuron.coldkey, 1000});
  neuron.axon.ip_type = 4;
  neuron.axon.ip = 0x7f000001;
  neuron.axon.port = 8091;
  chain::subtensor::NeuronLite second = neuron;
  second.uid = 2;
  second.validator_permit = true;
  write("scale/neurons.bin", '\0' + as_text(chain::subtensor::encode_neurons_lite({neuron, second})));
  write("scale/metadata_prefix.bin", std::string("\1meta\x0f", 6) + std::string(8, '\0'));
  write("scale/value_type_0.bin", std::string("\2\0\0", 3) + std::string(32, '\7'));
  write("scale/value_type_9.bin", std::string("\2\0\x09", 3) + std::string("\x10\1\2\3\4", 5));

  // Tokenizers trained on a few words.
  const std::string corpus = "the quick brown fox jumps over the lazy dog; the dog sleeps. 123 456";
  write("bpe_tokenizer/trained.json", text::train_bpe_tokenizer_json(corpus, 300, {"<|begin_of_text|>", "<|eot_id|>"}));
  write("wordpiece_tokenizer/vocab.json",
        text::WordPieceTokenizer::from_vocab({"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "dog", "##s", "d",
                                              "o", "g", "##o", "##g", "t", "h", "e", "##h", "##e"},
                                             text::WordPieceSettings{})
            .to_json());

  // A 3×2 image as PNG and as JPEG.
  image::RgbImage picture(3, 2);
  for (std::size_t i = 0; i < picture.pixels.size(); ++i) picture.pixels[i] = static_cast<std::uint8_t>(i * 40);
  write("image_decode/small.png", image::encode_png(picture));
  write("image_decode/small.jpg", image::encode_jpeg(picture, 80));

  // Two tiny tensors and metadata.
  const std::string weights(4 * 6 + 2 * 2, '\1');
  const std::string path = root + "/safetensors/two_tensors.safetensors";
  models::write_safetensors(path,
                            {{"layer.weight", models::DType::F32, {2, 3}, std::string_view(weights).substr(0, 24)},
                             {"layer.bias", models::DType::F16, {2}, std::string_view(weights).substr(24, 4)}},
                            {{"format", "pt"}});
  std::printf("safetensors/two_tensors.safetensors\n");
  return 0;
}
