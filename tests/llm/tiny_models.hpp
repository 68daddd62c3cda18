// The tiny models the LLM tests run on, made once per test process in a temporary folder, and
// tasks built on them through the plugin (as the host would create them).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "llm_plugin.hpp"
#include "nineteen/models/tiny_llama_maker.hpp"
#include "nineteen/sdk/json.hpp"
#include "nineteen/sdk/task.hpp"
#include "sdk_error_text.hpp"  // tests/text

namespace nineteen::llm::testing {

class TinyModels {
 public:
  static TinyModels& get() {
    static TinyModels models;
    return models;
  }
  // The reference model and a same-shaped model with other weights (the "wrong model").
  const std::string& reference() const { return reference_; }
  const std::string& wrong() const { return wrong_; }
  const std::string& folder() const { return folder_; }

  ~TinyModels() {
    std::error_code ec;
    std::filesystem::remove_all(folder_, ec);
  }

 private:
  TinyModels() {
    folder_ = (std::filesystem::path(::testing::TempDir()) / ("nineteen-llm-" + std::to_string(::getpid()))).string();
    reference_ = folder_ + "/tiny-llama";
    wrong_ = folder_ + "/tiny-llama-variant-1";
    models::TinyLlamaOptions options;
    models::make_tiny_llama(reference_, options);
    options.variant = 1;
    models::make_tiny_llama(wrong_, options);
  }
  std::string folder_, reference_, wrong_;
};

// Makes a task through LlmPlugin::create_task from a JSON config, as the host does.
inline std::unique_ptr<sdk::Task> make_task(sdk::Plugin& plugin, const std::string& name, const std::string& config_json) {
  rapidjson::Document doc = sdk::parse_json(config_json, "config");
  return plugin.create_task(name, sdk::JsonObject(doc, "task \"" + name + "\" config"));
}

inline std::string task_config(const std::string& type, const std::string& dir, const std::string& extra = "") {
  return "{\"type\":\"" + type + "\",\"model_dir\":" + sdk::json_quote(dir) + ",\"threads\":1" +
         (extra.empty() ? "" : "," + extra) + "}";
}

// Serves `request` and returns the answer in the form check takes.
inline std::string serve_answer(sdk::Task& task, const std::string& request) {
  sdk::CollectingCall call;
  task.serve(request, call);
  return call.response_json();
}

// Runs a call that must throw sdk::Error with the given code; returns the message.
using nineteen::text::testing::sdk_error_text;
template <class Call>
std::string error_text(Call call, nt_code expected_code) {
  return sdk_error_text(call, expected_code);
}

}  // namespace nineteen::llm::testing
