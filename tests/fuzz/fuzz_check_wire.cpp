// Fuzz target: the checker's HTTP bodies as both sides read them: a batch to check (the server), a
// job's status and id (the validator's client), and error bodies.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "check_wire.hpp"

namespace checker = nineteen::checker;
namespace wire = nineteen::checker::wire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  try {
    const auto items = wire::decode_batch(body);
    // A batch read is written out and read back item for item.
    const auto again = wire::decode_batch(wire::encode_batch(items));
    if (again.size() != items.size()) std::abort();
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (again[i].task != items[i].task || again[i].request != items[i].request ||
          again[i].response != items[i].response) {
        std::abort();
      }
    }
  } catch (const wire::WireError&) {
  }
  try {
    wire::decode_status(body);
  } catch (const wire::WireError&) {
  }
  try {
    wire::decode_job_id(body);
  } catch (const wire::WireError&) {
  }
  wire::error_message(body);
  return 0;
}
