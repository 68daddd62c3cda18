// Fuzz target: every task's request and answer readers, through the plugin host as a node calls
// them. The tasks are those of the plugins this build makes without libtorch (text_transform).
// First byte even: the rest is a request (validate, then serve when valid); odd: the rest is a
// miner's answer to a synthesized request (check and work).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nineteen/config/task_catalog.hpp"
#include "nineteen/plugin_api.h"
#include "nineteen/plugin_host/plugin_host.hpp"
#include "nineteen/plugin_host/task_call_error.hpp"

namespace plugin_host = nineteen::plugin_host;

namespace {

constexpr const char* kCatalog = R"(
[tasks.reverse]
plugin = "text_transform"
type = "transform"
mode = "reverse"
[tasks.upper]
plugin = "text_transform"
type = "transform"
mode = "upper"
)";

struct LoadedTasks {
  std::unique_ptr<plugin_host::PluginHost> host;
  std::vector<std::shared_ptr<plugin_host::LiveTask>> tasks;
  std::vector<std::string> synthesized;  // one request per task
};

const LoadedTasks& loaded() {
  static const LoadedTasks all = [] {
    LoadedTasks out;
    out.host = std::make_unique<plugin_host::PluginHost>(plugin_host::PluginHostOptions{{NINETEEN_PLUGIN_DIR}, false});
    const auto catalog = nineteen::config::parse_task_catalog(kCatalog, "fuzz-tasks.toml");
    out.host->load(catalog);
    for (const auto& entry : catalog.tasks) {
      auto task = out.host->task(entry.name);
      if (!task) std::abort();  // the plugin was not built or did not load: nothing would be fuzzed
      out.synthesized.push_back(task->synthesize(7));
      out.tasks.push_back(std::move(task));
    }
    return out;
  }();
  return all;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const LoadedTasks& all = loaded();
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  for (std::size_t i = 0; i < all.tasks.size(); ++i) {
    plugin_host::LiveTask& task = *all.tasks[i];
    if (data[0] % 2 == 0) {
      try {
        task.validate(rest);
      } catch (const plugin_host::TaskCallError&) {
        continue;
      }
      // A request that validates must be served.
      task.serve_collect(rest);
    } else {
      const auto outcomes = task.check({all.synthesized[i]}, {std::string(rest)});
      // A quality below 0 is a penalty (e.g. an early stop), within the ABI's range.
      if (outcomes.size() != 1 || !(outcomes[0].quality >= NT_QUALITY_MIN && outcomes[0].quality <= NT_QUALITY_MAX)) {
        std::abort();
      }
      task.work(all.synthesized[i], rest);
    }
  }
  return 0;
}
