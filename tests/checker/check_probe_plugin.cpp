// A test task whose check reports how it was called ("call C batch B" in each reason), can fail its
// first calls (fail_first_calls), fail on a poisoned answer ({"fail":true} in the request), give a
// chosen quality ({"quality":x}), and hold every call while a gate file exists (gate_file).
#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include <nineteen/sdk/export.hpp>
#include <nineteen/sdk/task.hpp>

namespace {

using nineteen::sdk::CheckResult;
using nineteen::sdk::Error;
using nineteen::sdk::JsonObject;

class CheckProbeTask : public nineteen::sdk::Task {
 public:
  CheckProbeTask(std::string name, int64_t fail_first_calls, std::string gate_file)
      : name_(std::move(name)), fail_first_calls_(fail_first_calls), gate_file_(std::move(gate_file)) {}

  nineteen::sdk::TaskDescriptor describe() const override {
    return {name_, "text", "/v1/probe", false, "items", "probe"};
  }
  std::string synthesize(uint64_t seed) override { return "{\"text\":\"seed-" + std::to_string(seed) + "\"}"; }
  void serve(std::string_view request, nineteen::sdk::Call& call) override {
    if (!call.emit(answer(request))) throw nineteen::sdk::Cancelled();
  }

  std::vector<CheckResult> check(const std::vector<std::string_view>& requests,
                                 const std::vector<std::string_view>& responses) override {
    const int64_t call = ++calls_;
    wait_for_gate();
    if (call <= fail_first_calls_) {
      throw Error(NT_UNAVAILABLE, "probe call " + std::to_string(call) + " fails on purpose (fail_first_calls = " +
                                      std::to_string(fail_first_calls_) + ")");
    }
    std::vector<CheckResult> out;
    for (size_t i = 0; i < requests.size(); ++i) {
      rapidjson::Document doc = nineteen::sdk::parse_json(requests[i], "request");
      JsonObject request(doc, "request");
      if (request.boolean_or("fail", false)) {
        throw Error(NT_INVALID_ARGUMENT, "probe: answer " + std::to_string(i) + " of the batch is poisoned");
      }
      const std::string how = name_ + " call " + std::to_string(call) + " batch " + std::to_string(requests.size());
      if (request.has("quality")) {
        out.push_back({request.number("quality"), how + ": quality chosen by the request"});
        continue;
      }
      const bool same = responses[i] == "[" + answer(requests[i]) + "]";
      out.push_back({same ? 1.0 : 0.0, how + (same ? ": identical" : ": differs")});
    }
    return out;
  }

  double work(std::string_view, std::string_view) override { return 1; }

  // The SDK's self-test calls check, which would count a call and could block on the gate.
  void self_test() override {
    const std::string request = synthesize(1);
    if (answer(request).empty()) throw Error(NT_INTERNAL, "probe: empty answer");
  }

 private:
  static std::string answer(std::string_view request) {
    rapidjson::Document doc = nineteen::sdk::parse_json(request, "request");
    return "{\"echo\":" + nineteen::sdk::json_quote(JsonObject(doc, "request").string("text")) + "}";
  }

  void wait_for_gate() const {
    if (gate_file_.empty()) return;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::filesystem::exists(gate_file_)) {
      if (std::chrono::steady_clock::now() > deadline) throw Error(NT_UNAVAILABLE, "probe: gate never opened");
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }

  std::string name_;
  int64_t fail_first_calls_;
  std::string gate_file_;
  std::atomic<int64_t> calls_{0};
};

class CheckProbePlugin : public nineteen::sdk::Plugin {
 public:
  using Plugin::Plugin;
  std::vector<nineteen::sdk::TaskType> task_types() const override {
    return {{"probe", "echoes {\"text\"}; its check tells how it was called and can fail on demand"}};
  }
  std::unique_ptr<nineteen::sdk::Task> create_task(const std::string& name, const JsonObject& config) override {
    return std::make_unique<CheckProbeTask>(name, config.integer_or("fail_first_calls", 0, 0, 1'000'000'000),
                                            config.string_or("gate_file", ""));
  }
};

}  // namespace

NINETEEN_PLUGIN(CheckProbePlugin, "check_probe", "1.0.0")
