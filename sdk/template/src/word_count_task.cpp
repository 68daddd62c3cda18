// The template's task logic: request parsing with clear errors, a seeded generator, a real check.
#include "word_count_task.hpp"

#include <cmath>
#include <random>
#include <sstream>

namespace word_count {

using nineteen::sdk::Error;
using nineteen::sdk::JsonObject;

WordCountTask::WordCountTask(std::string name, size_t max_words) : name_(std::move(name)), max_words_(max_words) {}

nineteen::sdk::TaskDescriptor WordCountTask::describe() const {
  return {name_, "text", "/v1/word-count", false, "words", "word-count"};
}

std::string WordCountTask::synthesize(uint64_t seed) {
  static const char* const words[] = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"};
  std::mt19937_64 rng(seed);
  size_t n = 1 + rng() % 40;
  std::string text;
  for (size_t i = 0; i < n; ++i) text += std::string(i ? " " : "") + words[rng() % 8];
  return "{\"text\":" + nineteen::sdk::json_quote(text) + "}";
}

size_t WordCountTask::count(std::string_view request) const {
  rapidjson::Document doc = nineteen::sdk::parse_json(request, "request");
  std::istringstream in(JsonObject(doc, "request").string("text"));
  size_t n = 0;
  for (std::string w; in >> w;) ++n;
  if (n > max_words_) {
    throw Error(NT_INVALID_ARGUMENT, "request key \"text\": " + std::to_string(n) + " words, over the limit of " +
                                         std::to_string(max_words_));
  }
  return n;
}

void WordCountTask::serve(std::string_view request, nineteen::sdk::Call& call) {
  if (!call.emit("{\"words\":" + std::to_string(count(request)) + "}")) throw nineteen::sdk::Cancelled();
}

std::vector<nineteen::sdk::CheckResult> WordCountTask::check(const std::vector<std::string_view>& requests,
                                                             const std::vector<std::string_view>& responses) {
  std::vector<nineteen::sdk::CheckResult> out;
  for (size_t i = 0; i < requests.size(); ++i) {
    size_t expected = count(requests[i]);
    rapidjson::Document doc;
    if (!nineteen::sdk::parse_json_bounded(doc, responses[i]).empty() || !doc.IsArray() || doc.Size() != 1 || !doc[0].IsObject() ||
        !doc[0].HasMember("words") || !doc[0]["words"].IsUint64()) {
      out.push_back({0.0, "malformed answer: expected [{\"words\": N}]"});
      continue;
    }
    double got = static_cast<double>(doc[0]["words"].GetUint64());
    double error = std::fabs(got - static_cast<double>(expected)) / std::max<double>(1.0, static_cast<double>(expected));
    out.push_back({std::max(0.0, 1.0 - 2.0 * error), "counted " + std::to_string(expected) + ", answer " +
                                                         std::to_string(static_cast<uint64_t>(got))});
  }
  return out;
}

double WordCountTask::work(std::string_view request, std::string_view) { return static_cast<double>(count(request)); }

}  // namespace word_count
