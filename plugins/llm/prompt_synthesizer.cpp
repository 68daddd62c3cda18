// The synthetic prompt generator: templates, topics and sampling settings drawn from a seeded
// Mersenne Twister (choices by integer arithmetic, not std distributions, whose algorithms the
// standard leaves to each library).
#include "prompt_synthesizer.hpp"

#include <random>
#include <utility>

namespace nineteen::llm {
namespace {

const char* const kTopics[] = {
    "the water cycle", "black holes", "medieval castles", "compound interest", "the French Revolution",
    "photosynthesis", "machine learning", "volcanoes", "the immune system", "bread baking",
    "chess openings", "coral reefs", "the printing press", "electric cars", "honeybees",
    "the Roman Empire", "quantum computing", "jazz music", "climate change", "plate tectonics",
    "the stock market", "sleep", "ancient Egypt", "renewable energy", "the human heart",
    "origami", "rainforests", "the moon landing", "vaccines", "coffee",
    "recursion in programming", "the Silk Road", "glaciers", "public libraries", "bicycles",
    "lighthouses", "tea ceremonies", "desert ecosystems", "the internet", "marathon training"};

const char* const kAudiences[] = {"a five-year-old", "a high school student", "a busy executive",
                                  "a curious grandparent", "an engineer", "someone who has never heard of it"};
const char* const kForms[] = {"haiku", "short poem", "limerick", "product description", "news headline and lede",
                              "diary entry", "tweet", "two-paragraph essay"};
const char* const kTones[] = {"formal", "playful", "sarcastic", "encouraging", "neutral", "poetic"};
const char* const kPersonas[] = {"pirate", "sports commentator", "Victorian novelist",
                                 "nature documentary narrator", "travel guide"};
const char* const kNames[] = {"Alex", "Priya", "Mateo", "Yuki", "Fatima", "Jonas", "Chloe", "Kwame"};
const char* const kFunctions[] = {"average", "deduplicate", "group_by_length", "find_peaks", "merge_sorted"};

const char* const kChatTemplates[] = {
    "Explain {topic} to {audience}.",
    "Write a {form} about {topic}.",
    "Give me {n} interesting facts about {topic}.",
    "What are the main differences between {topic} and {topic2}?",
    "Summarize the following text in {n} sentences:\n\n{passage}",
    "I'm preparing a presentation on {topic}. Can you suggest an outline?",
    "Write a short dialogue between two people arguing about {topic}.",
    "How would you explain {topic} using only simple words?",
    "List the pros and cons of {topic}.",
    "Rewrite this paragraph in a {tone} tone:\n\n{passage}",
    "Can you help me write an email to my team about {topic}?",
    "What questions should I ask an expert on {topic}?",
    "Tell me a story that involves {topic} and {topic2}.",
    "Describe {topic} in the style of a {persona}.",
    "Create a quiz with {n} questions about {topic}.",
    "Here are my notes:\n\n{passage}\n\nWhat am I missing about {topic}?",
    "I'm trying to understand {topic}. Where should I start?",
    "I have to give a talk about {topic} next week. Any advice?",
    "My friend says {topic} is overrated. Is she right?",
    "Can you check my draft?\n\n{passage}",
    "I keep hearing about {topic}. What is the big deal?",
    "Explain this in plain English:\n\n{passage}"};

const char* const kCompletionTemplates[] = {
    "{passage}",
    "Q: What is {topic}?\nA:",
    "The following is a short essay about {topic}.\n\n",
    "Title: A beginner's guide to {topic}\n\nIntroduction\n",
    "Here are {n} facts about {topic}:\n1.",
    "def {function}(items):\n    \"\"\"",
    "Dear {name},\n\nI am writing to you about {topic}.",
    "{Topic}: definition, history and uses.\n\n{Topic} is",
    "Once upon a time, in a town famous for {topic2}, "};

const char* const kSentences[] = {
    "{Topic} has fascinated people for centuries.",
    "Many experts believe that {topic} will change a great deal in the coming decades.",
    "One common misconception about {topic} is that it is simple.",
    "Researchers continue to study {topic} in laboratories around the world.",
    "In everyday life, {topic} shows up in surprising places.",
    "The history of {topic} is full of unexpected turns.",
    "Some argue that {topic} deserves far more public attention than it gets.",
    "Learning about {topic} can take years of patient practice.",
    "A small change in how we think about {topic} can have large effects.",
    "Teachers often use {topic} as an example when they introduce harder ideas.",
    "I read somewhere that {topic} is older than most people think.",
    "When I first heard about {topic} I did not believe it.",
    "To be honest I still find {topic} confusing."};

const char* const kSystemPrompts[] = {
    "You are a helpful assistant.",
    "You are a concise assistant. Answer in as few words as possible.",
    "You are a friendly tutor who explains things step by step.",
    "You are an expert writer. Keep answers well structured.",
    "Always answer in a cheerful tone.",
    "You are Max, a friendly assistant. Keep it short."};

const char* const kFollowUps[] = {"Can you make that shorter?", "Thanks! Now tell me more about {topic2}.",
                                  "Could you give an example?", "I don't get it. Why is that?", "Please explain it differently."};

template <size_t N>
const char* pick(std::mt19937_64& rng, const char* const (&list)[N]) {
  return list[rng() % N];
}

std::string capitalised(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
}

struct Slots {
  std::string topic, topic2, passage;
};

// `sentences` different sentences (a passage that repeats one reads as machine-made).
std::string passage(std::mt19937_64& rng, const std::string& topic, int sentences) {
  constexpr size_t kCount = sizeof(kSentences) / sizeof(kSentences[0]);
  size_t order[kCount];
  for (size_t i = 0; i < kCount; ++i) order[i] = i;
  std::string out;
  for (int i = 0; i < sentences && static_cast<size_t>(i) < kCount; ++i) {
    std::swap(order[i], order[i + rng() % (kCount - i)]);
    std::string s = kSentences[order[i]];
    replace_all(s, "{Topic}", capitalised(topic));
    replace_all(s, "{topic}", topic);
    out += (i ? " " : "") + s;
  }
  return out;
}

std::string fill(std::mt19937_64& rng, std::string text, const Slots& slots) {
  replace_all(text, "{passage}", slots.passage);
  replace_all(text, "{Topic}", capitalised(slots.topic));
  replace_all(text, "{topic}", slots.topic);
  replace_all(text, "{topic2}", slots.topic2);
  replace_all(text, "{audience}", pick(rng, kAudiences));
  replace_all(text, "{form}", pick(rng, kForms));
  replace_all(text, "{tone}", pick(rng, kTones));
  replace_all(text, "{persona}", pick(rng, kPersonas));
  replace_all(text, "{name}", pick(rng, kNames));
  replace_all(text, "{function}", pick(rng, kFunctions));
  replace_all(text, "{n}", std::to_string(3 + rng() % 5));
  return text;
}

// One value of `values` drawn with integer `weights` (the same on every machine).
template <typename T, size_t N>
T weighted(std::mt19937_64& rng, const T (&values)[N], const int (&weights)[N]) {
  int total = 0;
  for (int w : weights) total += w;
  int at = static_cast<int>(rng() % static_cast<uint64_t>(total));
  for (size_t i = 0; i < N; ++i) {
    if (at < weights[i]) return values[i];
    at -= weights[i];
  }
  return values[N - 1];
}

bool chance(std::mt19937_64& rng, int percent) { return static_cast<int>(rng() % 100) < percent; }

// The client mix of prompt_synthesizer.hpp.
ClientParameters client_parameters(std::mt19937_64& rng, LlmTaskType type) {
  ClientParameters c;
  c.python_order = chance(rng, 40);
  const int stream = static_cast<int>(rng() % 100);
  if (stream < 60) {
    c.stream = true;
    c.include_usage = chance(rng, 30);
  } else if (stream < 70) {
    c.stream = false;
  }
  if (!chance(rng, 40)) {
    static const double kTemperatures[] = {0.7, 0.0, 1.0, 0.2, 0.3, 0.5, 0.8};
    static const int kWeights[] = {35, 15, 15, 9, 9, 9, 8};
    c.temperature = weighted(rng, kTemperatures, kWeights);
  }
  if (chance(rng, 15)) {
    static const double kTopP[] = {1.0, 0.9, 0.95};
    static const int kWeights[] = {4, 3, 3};
    c.top_p = weighted(rng, kTopP, kWeights);
  }
  static const int64_t kMaxTokens[] = {100, 150, 200, 256, 300, 500, 512, 800, 1000, 1024, 2048, 4096};
  static const int kMaxWeights[] = {1, 1, 2, 3, 1, 2, 3, 1, 1, 2, 2, 2};
  for (int draw = 0; draw < 16; ++draw) c.max_tokens.push_back(chance(rng, 30) ? 0 : weighted(rng, kMaxTokens, kMaxWeights));
  c.max_completion_tokens = type == LlmTaskType::Chat && chance(rng, 15);
  if (chance(rng, 3)) c.seed = rng() % (uint64_t(1) << 31);
  if (chance(rng, 5)) {
    const int digits = 4 + static_cast<int>(rng() % 3);
    std::string user = "user-";
    for (int i = 0; i < digits; ++i) user += static_cast<char>('0' + rng() % 10);
    c.user = user;
  }
  if (chance(rng, 3)) {
    c.logprobs = true;
    if (type == LlmTaskType::Chat) c.top_logprobs = 1 + static_cast<int>(rng() % 5);
  }
  return c;
}

}  // namespace

SyntheticRequest synthesize_request(LlmTaskType type, uint64_t seed, int shorter) {
  // Mixing the seed keeps nearby seeds (1, 2, 3...) far apart in the generator's state.
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + 0x19);
  SyntheticRequest r;
  Slots slots;
  slots.topic = pick(rng, kTopics);
  do {
    slots.topic2 = pick(rng, kTopics);
  } while (slots.topic2 == slots.topic);
  const int sentences = shorter > 0 ? 1 : 2 + static_cast<int>(rng() % 7);
  slots.passage = passage(rng, slots.topic, sentences);

  if (type == LlmTaskType::Chat) {
    if (rng() % 2 == 0) r.messages.push_back({"system", pick(rng, kSystemPrompts)});
    const bool history = shorter == 0 && rng() % 10 < 3;
    std::string question = fill(rng, pick(rng, kChatTemplates), slots);
    if (history) {
      r.messages.push_back({"user", question});
      r.messages.push_back({"assistant", passage(rng, slots.topic, 1 + static_cast<int>(rng() % 3))});
      r.messages.push_back({"user", fill(rng, pick(rng, kFollowUps), slots)});
    } else {
      r.messages.push_back({"user", question});
    }
  } else {
    r.prompt = fill(rng, pick(rng, kCompletionTemplates), slots);
  }

  r.client = client_parameters(rng, type);
  return r;
}

}  // namespace nineteen::llm
