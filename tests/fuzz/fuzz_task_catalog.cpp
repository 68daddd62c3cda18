// Fuzz target: config::parse_task_catalog, the reader of tasks.toml (toml++ underneath).
#include <cstddef>
#include <cstdint>
#include <string>

#include "nineteen/config/task_catalog.hpp"

namespace config = nineteen::config;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    config::TaskCatalog catalog = config::parse_task_catalog(text, "tasks.toml");
    catalog.normalise_weights();
    for (const auto& task : catalog.tasks) catalog.find(task.name);
  } catch (const config::CatalogError&) {
  }
  return 0;
}
