// The template's task: counts the words of a text. Replace with your own task.
#pragma once

#include <nineteen/sdk/task.hpp>

namespace word_count {

class WordCountTask : public nineteen::sdk::Task {
 public:
  WordCountTask(std::string name, size_t max_words);

  nineteen::sdk::TaskDescriptor describe() const override;
  // A request {"text": "..."} drawn from the seed: the same seed gives the same request.
  std::string synthesize(uint64_t seed) override;
  // Answers one chunk {"words": N}.
  void serve(std::string_view request, nineteen::sdk::Call& call) override;
  // Recomputes the count: quality 1 when equal, falling with the relative error.
  std::vector<nineteen::sdk::CheckResult> check(const std::vector<std::string_view>& requests,
                                                const std::vector<std::string_view>& responses) override;
  double work(std::string_view request, std::string_view response) override;

 private:
  size_t count(std::string_view request) const;
  std::string name_;
  size_t max_words_;
};

}  // namespace word_count
