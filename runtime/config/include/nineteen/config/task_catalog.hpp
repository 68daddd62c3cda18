// The task catalogue (tasks.toml): which tasks exist, their plugin, weight, capacity limits and config.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace nineteen::config {

// One `[tasks.<name>]` table. Catalogue keys are parsed here; every other key belongs to the plugin
// and is passed to it as JSON (`plugin_config_json`, which also carries "type" when given).
struct TaskEntry {
  std::string name;
  std::string plugin;         // a plugin name (found by convention) or a path to a .so
  std::string type;           // the plugin's task type; empty means the plugin's default
  std::optional<std::string> kind, endpoint;  // when set, must match what the plugin describes
  std::optional<bool> stream;
  double weight = 1.0;        // raw, as written
  double normalised_weight = 0.0;  // among enabled tasks that loaded; 0 for the rest
  // The bounds of the task's normalised weight when validators vote on task weights (README "Task
  // votes"): the effective weight is clipped to [weight_min, weight_max]. 0 and 1 when not set.
  double weight_min = 0.0, weight_max = 1.0;
  double max_capacity = 0;
  double volume_per_request = 1;
  double timeout_s = 2;
  bool enabled = true;
  // What the operator charges for the task, in their currency per million tokens (GET /v1/models
  // lists it); both keys or neither.
  std::optional<double> price_per_million_input_tokens, price_per_million_output_tokens;
  std::string plugin_config_json = "{}";
  std::string source;         // "tasks.toml:12" for messages
  std::string error;          // non-empty: this entry is unusable, and why (others still load)
};

struct TaskCatalog {
  std::string file;
  std::vector<TaskEntry> tasks;

  const TaskEntry* find(const std::string& name) const;
  // Weights of the enabled, error-free entries scaled to sum 1 (MECHANISM.md §1).
  void normalise_weights();
};

// A file that cannot be used at all (missing, not TOML). Per-task problems are in TaskEntry::error.
class CatalogError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The keys the catalogue reads itself (plugin, weight, max_capacity, ...); every other key of a task's
// table goes to its plugin, which refuses those it does not take (so a misspelt `wieght` is refused).
const std::vector<std::string>& catalogue_keys();

TaskCatalog load_task_catalog(const std::string& path);
TaskCatalog parse_task_catalog(const std::string& toml_text, const std::string& file_name);

}  // namespace nineteen::config
