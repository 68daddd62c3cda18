// The devnet's organic chat users: what people type into a chat app or script against an
// OpenAI-compatible API, and the parameters their clients send. Written apart from the llm plugin's
// synthetic generator (plugins/llm/prompt_synthesizer.cpp), on purpose: its own requests, phrasings
// and wording, so that a classifier that cannot tell the two apart (tests/devnet
// synthetic_vs_organic_test.cpp) says something about the synthetic generator.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdint>
#include <utility>

#include "nineteen/devnet/devnet.hpp"

namespace nineteen::devnet {
namespace {

const char* const kThings[] = {
    "sourdough bread", "my resume", "a birthday party", "the Pythagorean theorem", "inflation",
    "a job interview", "vegetable gardening", "a road trip", "solar panels", "the Great Wall of China",
    "sorting algorithms", "a wedding toast", "adopting a cat", "public speaking", "the Cold War",
    "saving money", "houseplants", "a cover letter", "cloud computing", "meditation",
    "the Olympics", "learning Spanish", "my sleep schedule", "electric guitars", "the solar system",
    "a science fair project", "database indexes", "rock climbing", "the Renaissance", "time management",
    "photography", "starting a podcast", "credit scores", "emperor penguins", "bitcoin",
    "renting an apartment", "ancient Greece", "running a marathon", "neural networks", "knitting"};

const char* const kRequests[] = {
    "How do I get started with {thing}?",
    "Can you explain {thing} like I'm new to it?",
    "What's the best way to learn about {thing}?",
    "Write a short poem celebrating {thing}.",
    "Give me {n} tips for {thing}.",
    "Compare {thing} with {thing2}. Which one matters more?",
    "Where should a complete beginner start with {thing}?",
    "Tell me something surprising about {thing}.",
    "Make a practical checklist for {thing}.",
    "Fix the grammar in this text:\n\n{text}",
    "Summarize this for me:\n\n{text}",
    "Turn this into bullet points:\n\n{text}",
    "Draft a friendly message to my friend {name} about {thing}.",
    "What are common mistakes people make with {thing}?",
    "Write {n} questions I could ask about {thing}.",
    "Here's what I wrote so far:\n\n{text}\n\nHow can I make it better?",
    "Is {thing} worth the time it takes to learn properly?",
    "Explain the history of {thing} in a few paragraphs.",
    "Which resources would you recommend for {thing}?"};

const char* const kSentences[] = {
    "I have been thinking about {thing} for quite a while now.",
    "Last week we finally tried {thing} for the very first time together.",
    "Most people seem to have surprisingly strong opinions about {thing}.",
    "Our teacher insisted that {thing} is easier than it looks.",
    "There is plenty of mixed advice online about {thing}.",
    "Understanding {thing} well enough to explain it takes practice.",
    "It took years before anyone appreciated why {thing} matters.",
    "Some friends said to give up on {thing} but that seems premature.",
    "Personal notes on {thing} tend to get messy and disorganized very fast.",
    "Honestly, {thing} is the highlight of the week."};

const char* const kSystemPrompts[] = {
    "You are a helpful assistant.", "You are a helpful assistant. Keep your answers short.",
    "You are ChatBot, a friendly assistant for our customers.", "Answer as a patient teacher would.",
    "You are a writing assistant. Be clear and direct."};

const char* const kFollowUps[] = {"Thanks! Can you shorten it?", "What about {thing2}?", "Can you give me a concrete example?",
                                  "Why is that important?", "Say that again more simply please."};

const char* const kNames[] = {"Sam", "Lena", "Omar", "Grace", "Hiro", "Ana", "Ben", "Zara"};

template <size_t N>
const char* one_of(std::mt19937_64& rng, const char* const (&list)[N]) {
  return list[std::uniform_int_distribution<size_t>(0, N - 1)(rng)];
}

bool chance(std::mt19937_64& rng, double p) { return std::bernoulli_distribution(p)(rng); }

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
}

std::string text_about(std::mt19937_64& rng, const std::string& thing, int sentences) {
  std::vector<const char*> pool(std::begin(kSentences), std::end(kSentences));
  std::shuffle(pool.begin(), pool.end(), rng);
  std::string out;
  for (int i = 0; i < sentences && i < static_cast<int>(pool.size()); ++i) {
    std::string s = pool[i];
    replace_all(s, "{thing}", thing);
    out += (i ? " " : "") + s;
  }
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 'a' + 'A');
  return out;
}

std::string filled(std::mt19937_64& rng, std::string s, const std::string& thing, const std::string& thing2) {
  replace_all(s, "{text}", text_about(rng, thing, std::uniform_int_distribution<int>(2, 8)(rng)));
  replace_all(s, "{thing}", thing);
  replace_all(s, "{thing2}", thing2);
  replace_all(s, "{name}", one_of(rng, kNames));
  replace_all(s, "{n}", std::to_string(std::uniform_int_distribution<int>(3, 7)(rng)));
  return s;
}

template <typename T, size_t N>
T weighted(std::mt19937_64& rng, const T (&values)[N], const double (&weights)[N]) {
  return values[std::discrete_distribution<size_t>(std::begin(weights), std::end(weights))(rng)];
}

// A number as the client writes it: Python writes a whole float as 1.0, JavaScript as 1.
rapidjson::Value number(double x, bool python) {
  rapidjson::Value v;
  if (!python && x == static_cast<double>(static_cast<long long>(x))) {
    v.SetInt64(static_cast<long long>(x));
  } else {
    v.SetDouble(x);
  }
  return v;
}

}  // namespace

std::string organic_chat_body(std::mt19937_64& rng, std::int64_t max_output_tokens) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  const std::string thing = one_of(rng, kThings);
  std::string thing2;
  do {
    thing2 = one_of(rng, kThings);
  } while (thing2 == thing);

  rapidjson::Value messages(rapidjson::kArrayType);
  auto add = [&](const char* role, const std::string& content) {
    rapidjson::Value m(rapidjson::kObjectType);
    m.AddMember("role", rapidjson::Value(role, a), a);
    m.AddMember("content", rapidjson::Value(content.c_str(), a), a);
    messages.PushBack(m, a);
  };
  if (chance(rng, 0.5)) add("system", one_of(rng, kSystemPrompts));
  add("user", filled(rng, one_of(rng, kRequests), thing, thing2));
  if (chance(rng, 0.3)) {  // the conversation goes on: the app sends the history back
    add("assistant", text_about(rng, thing, std::uniform_int_distribution<int>(1, 3)(rng)));
    add("user", filled(rng, one_of(rng, kFollowUps), thing, thing2));
  }

  // The clients: openai-python writes messages, model, then its keys alphabetically; JavaScript
  // clients, curl and chat apps write model first and the rest in the user's order.
  const bool python = chance(rng, 0.4);
  std::vector<std::pair<std::string, rapidjson::Value>> keys;
  if (chance(rng, 0.6)) {
    static const double kTemperatures[] = {0.7, 0.0, 1.0, 0.2, 0.3, 0.5, 0.8};
    keys.emplace_back("temperature", number(weighted(rng, kTemperatures, {35, 15, 15, 9, 9, 9, 8}), python));
  }
  // Users read the listing's max_output_length: a larger value would only earn a 400.
  static const long long kMaxTokens[] = {100, 150, 200, 256, 300, 500, 512, 800, 1000, 1024, 2048, 4096};
  long long max_tokens = 0;
  do {
    max_tokens = chance(rng, 0.3) ? 0 : weighted(rng, kMaxTokens, {1, 1, 2, 3, 1, 2, 3, 1, 1, 2, 2, 2});
  } while (max_tokens > max_output_tokens);
  const bool newer_key = chance(rng, 0.15);
  if (max_tokens > 0) keys.emplace_back(newer_key ? "max_completion_tokens" : "max_tokens", rapidjson::Value(static_cast<int64_t>(max_tokens)));
  if (chance(rng, 0.15)) {
    static const double kTopP[] = {1.0, 0.9, 0.95};
    keys.emplace_back("top_p", number(weighted(rng, kTopP, {4, 3, 3}), python));
  }
  if (chance(rng, 0.03)) keys.emplace_back("seed", rapidjson::Value(static_cast<int64_t>(std::uniform_int_distribution<long long>(0, (1LL << 31) - 1)(rng))));
  const double stream = std::uniform_real_distribution<double>(0, 1)(rng);
  if (stream < 0.6) {
    keys.emplace_back("stream", rapidjson::Value(true));
    if (chance(rng, 0.3)) {
      rapidjson::Value options(rapidjson::kObjectType);
      options.AddMember("include_usage", true, a);
      keys.emplace_back("stream_options", std::move(options));
    }
  } else if (stream < 0.7) {
    keys.emplace_back("stream", rapidjson::Value(false));
  }
  if (chance(rng, 0.03)) {
    keys.emplace_back("logprobs", rapidjson::Value(true));
    keys.emplace_back("top_logprobs", rapidjson::Value(std::uniform_int_distribution<int>(1, 5)(rng)));
  }
  if (chance(rng, 0.05)) {
    std::string user = "user-";
    for (int i = 0, n = std::uniform_int_distribution<int>(4, 6)(rng); i < n; ++i) {
      user += static_cast<char>('0' + std::uniform_int_distribution<int>(0, 9)(rng));
    }
    keys.emplace_back("user", rapidjson::Value(user.c_str(), a));
  }
  if (python) std::stable_sort(keys.begin(), keys.end(), [](const auto& x, const auto& y) { return x.first < y.first; });

  if (python) {
    d.AddMember("messages", messages, a);
    d.AddMember("model", "chat-tiny-llama", a);
  } else {
    d.AddMember("model", "chat-tiny-llama", a);
    d.AddMember("messages", messages, a);
  }
  for (auto& [key, value] : keys) d.AddMember(rapidjson::Value(key.c_str(), a), value, a);
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  d.Accept(w);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace nineteen::devnet
