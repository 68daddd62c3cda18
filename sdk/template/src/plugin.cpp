// The plugin: which task types it offers, how a tasks.toml entry configures one, and the export.
#include <nineteen/sdk/export.hpp>

#include "word_count_task.hpp"

namespace {

class WordCountPlugin : public nineteen::sdk::Plugin {
 public:
  using Plugin::Plugin;

  std::vector<nineteen::sdk::TaskType> task_types() const override {
    return {{"word-count", "counts the words of a text"}};
  }

  std::unique_ptr<nineteen::sdk::Task> create_task(const std::string& name,
                                                   const nineteen::sdk::JsonObject& config) override {
    // The task's tasks.toml table, less the catalogue's own keys (weight, max_capacity, ...); errors
    // name the key and what was expected. Declaring the keys refuses a misspelt one, with a hint.
    config.allow_only({"type", "max_words"});
    auto max_words = static_cast<size_t>(config.integer_or("max_words", 1000, 1, 1000000));
    host().info("task " + name + ": max_words " + std::to_string(max_words));
    return std::make_unique<word_count::WordCountTask>(name, max_words);
  }
};

}  // namespace

NINETEEN_PLUGIN(WordCountPlugin, "word_count", "1.0.0")
