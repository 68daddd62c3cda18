// Fuzz target: the chain's SCALE decoding: runtime metadata (state_getMetadata), NeuronInfoLite lists
// (the metagraph), and any value of the local chain's runtime types (storage, events).
#include <cstddef>
#include <cstdint>
#include <stdexcept>

#include "nineteen/chain/subtensor/local_subtensor_node.hpp"
#include "nineteen/chain/subtensor/metadata.hpp"
#include "nineteen/chain/subtensor/neuron_info.hpp"
#include "nineteen/chain/subtensor/scale.hpp"
#include "nineteen/chain/subtensor/value.hpp"

namespace subtensor = nineteen::chain::subtensor;

namespace {

const subtensor::Metadata& local_metadata() {
  static const subtensor::Metadata metadata = subtensor::decode_metadata_hex(subtensor::embedded_metadata_hex());
  return metadata;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const std::uint8_t mode = data[0] % 3;
  const subtensor::Bytes rest(data + 1, data + size);
  try {
    if (mode == 0) {
      const auto neurons = subtensor::decode_neurons_lite(rest);
      // What was read writes back out and reads back the same count.
      if (subtensor::decode_neurons_lite(subtensor::encode_neurons_lite(neurons)).size() != neurons.size()) {
        throw std::logic_error("neurons: the round trip lost entries");
      }
    } else if (mode == 1) {
      subtensor::decode_metadata(rest);
    } else {
      const auto& types = local_metadata().types;
      const std::uint32_t type = (static_cast<std::uint32_t>(data[1]) << 8 | data[2]) % types.types.size();
      subtensor::ScaleDecoder in(data + 3, size - 3, "value");
      subtensor::decode_value(types, type, in);
    }
  } catch (const subtensor::ScaleError&) {
  } catch (const nineteen::chain::ChainError&) {
  }
  return 0;
}
