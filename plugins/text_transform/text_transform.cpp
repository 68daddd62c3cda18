// A model-free task: transforms the words of a text (reverse, upper, rot13). With "stream": true the
// answer is one chunk per word and a final {"done":true}; otherwise one chunk {"words":[...]}.
// Its check recomputes the transform, so a wrong or lazy answer scores low.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <random>
#include <sstream>
#include <thread>

#include <nineteen/sdk/export.hpp>
#include <nineteen/sdk/task.hpp>

namespace {

using nineteen::sdk::CheckResult;
using nineteen::sdk::Error;
using nineteen::sdk::JsonObject;

enum class Mode { kReverse, kUpper, kRot13 };

std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream in(text);
  std::string w;
  while (in >> w) words.push_back(w);
  return words;
}

std::string transform(Mode mode, std::string word) {
  switch (mode) {
    case Mode::kReverse: std::reverse(word.begin(), word.end()); break;
    case Mode::kUpper:
      for (char& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      break;
    case Mode::kRot13:
      for (char& c : word) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>('a' + (c - 'a' + 13) % 26);
        if (c >= 'A' && c <= 'Z') c = static_cast<char>('A' + (c - 'A' + 13) % 26);
      }
      break;
  }
  return word;
}

// Everyday words of five and six letters, as users type them (the synthetic text must read like theirs).
const char* const kVocabulary[] = {
    "river", "stone", "light", "market", "window", "garden", "signal", "copper", "winter", "harbor",
    "letter", "forest", "silver", "ocean", "orbit", "canvas", "bridge", "cotton", "island", "radio",
    "kettle", "ladder", "pepper", "piano", "tunnel", "walnut", "yellow", "basket", "candle", "desert",
    "hollow", "money", "table", "chair", "water", "happy", "lemon", "sugar", "father", "sister",
    "person", "people", "street", "doctor", "animal", "summer", "purple", "simple", "travel"};

class TextTransformTask : public nineteen::sdk::Task {
 public:
  TextTransformTask(std::string name, Mode mode, size_t max_words, int word_delay_ms, bool lazy, bool stop_early)
      : name_(std::move(name)),
        mode_(mode),
        max_words_(max_words),
        word_delay_ms_(word_delay_ms),
        lazy_(lazy),
        stop_early_(stop_early) {}

  nineteen::sdk::TaskDescriptor describe() const override {
    const char* mode = mode_ == Mode::kReverse ? "reverse" : mode_ == Mode::kUpper ? "upper" : "rot13";
    nineteen::sdk::TaskDescriptor d{name_, "text", "/v1/text/transform", true, "words", std::string("text-transform-") + mode};
    d.listing = R"({"input_modalities":["text"],"output_modalities":["text"],"supported_sampling_parameters":[],)"
                R"("supported_features":["streaming"]})";
    return d;
  }

  std::string synthesize(uint64_t seed) override {
    // Drawn as users write them (MECHANISM.md §3: a miner must not tell synthetic from organic): 2 to 16
    // words, streamed or not at even odds (tests/devnet synthetic_vs_organic_test.cpp checks a classifier
    // cannot tell these from the devnet's organic users).
    std::mt19937_64 rng(seed);
    const size_t longest = std::max<size_t>(2, std::min<size_t>(16, max_words_));
    size_t n = std::min<size_t>(2 + rng() % (longest - 1), max_words_);
    std::string text;
    for (size_t i = 0; i < n; ++i) {
      if (i) text += ' ';
      text += kVocabulary[rng() % (sizeof(kVocabulary) / sizeof(kVocabulary[0]))];
    }
    const bool stream = (rng() & 1) != 0;
    return "{\"text\":" + nineteen::sdk::json_quote(text) + (stream ? ",\"stream\":true}" : "}");
  }

  void validate(std::string_view request) override {
    bool stream = false;
    request_words(request, &stream);
  }

  void serve(std::string_view request, nineteen::sdk::Call& call) override {
    bool stream = false;
    std::vector<std::string> words = request_words(request, &stream);
    if (stop_early_ && words.size() > 1) words.resize(words.size() / 2);
    if (!stream) {
      std::string chunk = "{\"words\":[";
      for (size_t i = 0; i < words.size(); ++i) {
        if (word_delay_ms_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(word_delay_ms_));
        chunk += (i ? "," : "") + nineteen::sdk::json_quote(lazy_ ? words[i] : transform(mode_, words[i]));
      }
      if (!call.emit(chunk + "]}")) throw nineteen::sdk::Cancelled();
      return;
    }
    for (size_t i = 0; i < words.size(); ++i) {
      if (word_delay_ms_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(word_delay_ms_));
      std::string chunk = "{\"index\":" + std::to_string(i) + ",\"word\":" +
                          nineteen::sdk::json_quote(lazy_ ? words[i] : transform(mode_, words[i])) + "}";
      if (!call.emit(chunk)) throw nineteen::sdk::Cancelled();
    }
    if (!call.emit("{\"done\":true,\"words\":" + std::to_string(words.size()) + "}")) throw nineteen::sdk::Cancelled();
  }

  std::vector<CheckResult> check(const std::vector<std::string_view>& requests,
                                 const std::vector<std::string_view>& responses) override {
    std::vector<CheckResult> out;
    for (size_t i = 0; i < requests.size(); ++i) out.push_back(check_one(requests[i], responses[i]));
    return out;
  }

  // A lazy or early-stopping task's answers do not check by design: it only shows that it serves.
  void self_test() override {
    if (!lazy_ && !stop_early_) return Task::self_test();
    nineteen::sdk::CollectingCall call;
    serve(synthesize(1), call);
  }

  double work(std::string_view request, std::string_view response) override {
    (void)request;
    std::vector<std::string> got;
    std::string problem;
    if (!answer_words(response, got, problem)) return 0;
    return static_cast<double>(got.size());
  }

 private:
  std::vector<std::string> request_words(std::string_view request, bool* stream = nullptr) const {
    rapidjson::Document doc = nineteen::sdk::parse_json(request, "request");
    JsonObject req(doc, "request");
    bool streamed = req.boolean_or("stream", false);
    if (stream) *stream = streamed;
    std::vector<std::string> words = split_words(req.string("text"));
    if (words.empty()) throw Error(NT_INVALID_ARGUMENT, "request key \"text\": expected at least one word");
    if (words.size() > max_words_) {
      throw Error(NT_INVALID_ARGUMENT, "request key \"text\": " + std::to_string(words.size()) +
                                           " words, more than this task's max_words " + std::to_string(max_words_));
    }
    return words;
  }

  // Reads the words of an answer (a JSON array of chunks, streamed or one {"words":[...]} chunk);
  // false with `problem` when malformed.
  static bool answer_words(std::string_view response, std::vector<std::string>& words, std::string& problem) {
    rapidjson::Document doc;
    if (!nineteen::sdk::parse_json_bounded(doc, response).empty() || !doc.IsArray()) {
      problem = "the answer is not a JSON array of chunks";
      return false;
    }
    if (doc.Size() == 1 && doc[0].IsObject() && doc[0].HasMember("words") && doc[0]["words"].IsArray()) {
      for (const auto& w : doc[0]["words"].GetArray()) {
        if (!w.IsString()) {
          problem = "\"words\" holds a non-string";
          return false;
        }
        words.emplace_back(w.GetString(), w.GetStringLength());
      }
      return true;
    }
    bool done = false;
    for (const auto& chunk : doc.GetArray()) {
      if (!chunk.IsObject()) {
        problem = "a chunk is not an object";
        return false;
      }
      if (chunk.HasMember("done")) {
        done = true;
        continue;
      }
      auto word = chunk.FindMember("word");
      auto index = chunk.FindMember("index");
      if (word == chunk.MemberEnd() || !word->value.IsString() || index == chunk.MemberEnd() ||
          !index->value.IsUint() || index->value.GetUint() != words.size()) {
        problem = "chunk " + std::to_string(words.size()) + " lacks a string \"word\" with index " +
                  std::to_string(words.size());
        return false;
      }
      words.emplace_back(word->value.GetString(), word->value.GetStringLength());
    }
    if (!done) {
      problem = "the answer has no final {\"done\":true} chunk";
      return false;
    }
    return true;
  }

  CheckResult check_one(std::string_view request, std::string_view response) const {
    std::vector<std::string> words;
    try {
      words = request_words(request);
    } catch (const Error& e) {
      return {0.0, std::string("the request itself is invalid: ") + e.what()};
    }
    std::vector<std::string> got;
    std::string problem;
    if (!answer_words(response, got, problem)) return {0.0, problem};
    size_t matching = 0;
    for (size_t i = 0; i < std::min(words.size(), got.size()); ++i) {
      if (got[i] == transform(mode_, words[i])) ++matching;
    }
    // The early-stop rule of MECHANISM.md §6, as the LLM task has it: an answer that stops short
    // while every word it gave is right saves the miner work it was paid for, a penalty.
    if (got.size() < words.size() && matching == got.size()) {
      return {kEarlyStopPenalty, "stopped after " + std::to_string(got.size()) + " of " + std::to_string(words.size()) +
                                     " words: an early stop (penalty " + std::to_string(int(kEarlyStopPenalty)) + ")"};
    }
    double quality = static_cast<double>(matching) / static_cast<double>(std::max(words.size(), got.size()));
    return {quality, std::to_string(matching) + " of " + std::to_string(std::max(words.size(), got.size())) +
                         " words match the reference"};
  }

  std::string name_;
  Mode mode_;
  size_t max_words_;
  int word_delay_ms_;
  bool lazy_;        // scripted behaviour for test networks: echo the words untransformed
  bool stop_early_;  // scripted behaviour for test networks: answer only the first half of the words
  static constexpr double kEarlyStopPenalty = NT_QUALITY_MIN;
};

class TextTransformPlugin : public nineteen::sdk::Plugin {
 public:
  using Plugin::Plugin;

  std::vector<nineteen::sdk::TaskType> task_types() const override {
    return {{"transform", "transforms each word (mode: reverse, upper, rot13); one word per chunk when the request streams"}};
  }

  std::unique_ptr<nineteen::sdk::Task> create_task(const std::string& name, const JsonObject& config) override {
    config.allow_only({"type", "mode", "max_words", "word_delay_ms", "lazy", "stop_early"});
    std::string type = config.string_or("type", "transform");
    if (type != "transform") throw config.bad("type", "\"transform\"", config.require("type"));
    std::string mode_name = config.string_or("mode", "reverse");
    Mode mode;
    if (mode_name == "reverse") {
      mode = Mode::kReverse;
    } else if (mode_name == "upper") {
      mode = Mode::kUpper;
    } else if (mode_name == "rot13") {
      mode = Mode::kRot13;
    } else {
      throw config.bad("mode", "one of \"reverse\", \"upper\", \"rot13\"", config.require("mode"));
    }
    auto max_words = static_cast<size_t>(config.integer_or("max_words", 256, 1, 100000));
    int delay = static_cast<int>(config.integer_or("word_delay_ms", 0, 0, 10000));
    bool lazy = config.boolean_or("lazy", false);
    if (lazy) host().warn("task " + name + ": lazy = true: answers are made up (a scripted test behaviour)");
    bool stop_early = config.boolean_or("stop_early", false);
    if (stop_early) host().warn("task " + name + ": stop_early = true: answers stop half way (a scripted test behaviour)");
    return std::make_unique<TextTransformTask>(name, mode, max_words, delay, lazy, stop_early);
  }
};

}  // namespace

NINETEEN_PLUGIN(TextTransformPlugin, "text_transform", "1.0.0")
