// Word banks and templates for synthetic embedding inputs, drawn with a seeded splitmix64.
#include "embedding_input_synthesizer.hpp"

#include <array>

namespace nineteen::embeddings {

namespace {

uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// splitmix64: tiny, and the same numbers on every platform (unlike std:: distributions). The seed
// is hashed into the starting state, so neighbouring seeds do not give shifted copies of one stream.
// Every draw below is its own statement: the order of operands of `+` is unspecified in C++, and
// the same seed must give the same request whichever compiler built the plugin.
class Draw {
 public:
  explicit Draw(uint64_t seed) : state_(mix(seed ^ 0x19191919ull)) {}
  uint64_t next() { return mix(state_ += 0x9E3779B97F4A7C15ull); }
  double unit() { return double(next() >> 11) / 9007199254740992.0; }
  int between(int lo, int hi) { return lo + static_cast<int>(next() % uint64_t(hi - lo + 1)); }
  template <typename T, size_t N>
  const T& pick(const std::array<T, N>& items) {
    return items[next() % N];
  }

 private:
  uint64_t state_;
};

using Words = std::array<const char*, 40>;

const Words kTopics = {"gardening", "astronomy",  "cooking",    "cycling",     "jazz",        "chess",
                       "beekeeping", "photography", "sailing",  "architecture", "poetry",     "robotics",
                       "baking",    "hiking",     "painting",   "volcanoes",   "coffee",      "trains",
                       "medicine",  "economics",  "football",   "knitting",    "languages",   "history",
                       "climate",   "oceans",     "software",   "mathematics", "birds",       "theatre",
                       "tea",       "running",    "pottery",    "geology",     "music",       "farming",
                       "electricity", "bridges",  "insects",    "weather"};
const Words kNouns = {"garden",  "telescope", "recipe",  "bicycle", "trumpet", "board",   "hive",    "camera",
                      "boat",    "tower",     "poem",    "robot",   "loaf",    "trail",   "canvas",  "crater",
                      "cup",     "station",   "doctor",  "market",  "team",    "scarf",   "word",    "castle",
                      "storm",   "wave",      "program", "theorem", "nest",    "stage",   "kettle",  "shoe",
                      "bowl",    "rock",      "song",    "field",   "battery", "river",   "beetle",  "cloud"};
const Words kAdjectives = {"quiet",   "ancient", "bright", "small",   "heavy",   "careful", "famous", "simple",
                           "strange", "modern",  "gentle", "rapid",   "golden",  "narrow",  "warm",   "cold",
                           "hidden",  "useful",  "broken", "curious", "patient", "wild",    "shiny",  "tired",
                           "clever",  "empty",   "early",  "distant", "busy",    "fresh",   "noisy",  "calm",
                           "rare",    "steady",  "honest", "lucky",   "plain",   "proud",   "silver", "soft"};
const Words kVerbs = {"builds",   "repairs",  "explains", "watches", "carries",  "paints",  "measures", "finds",
                      "sells",    "studies",  "cleans",   "follows", "borrows",  "sorts",   "opens",    "tests",
                      "draws",    "cooks",    "counts",   "protects", "describes", "reads", "plants",   "moves",
                      "collects", "teaches",  "records",  "compares", "improves", "visits", "remembers", "shares",
                      "checks",   "lifts",    "warms",    "designs",  "changes",  "names",  "hears",    "keeps"};
const Words kPlaces = {"Zürich",  "São Paulo", "Kraków",  "Montréal", "Málaga",   "Reykjavík", "Besançon", "Düsseldorf",
                       "Lisbon",  "Oslo",      "Nairobi", "Lima",     "Kyoto",    "Hanoi",     "Córdoba",  "Göteborg",
                       "Seville", "Chennai",   "Dublin",  "Quito",    "Tromsø",   "Cádiz",     "Porto",    "Bogotá",
                       "Cairo",   "Perth",     "Nice",    "Genève",   "Brașov",   "Łódź",      "Tbilisi",  "Accra",
                       "Hobart",  "Tallinn",   "Split",   "Riga",     "Oaxaca",   "Mérida",    "Poznań",   "Nantes"};

std::string capitalised(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

std::string sentence(Draw& d) {
  const std::string adjective = d.pick(kAdjectives);
  const std::string subject = d.pick(kNouns);
  const std::string verb = d.pick(kVerbs);
  const std::string object = d.pick(kNouns);
  std::string s = "The " + adjective + " " + subject + " " + verb + " the " + object;
  const int ending = d.between(0, 3);
  if (ending == 0) s += " in " + std::string(d.pick(kPlaces));
  if (ending == 1) s += d.between(0, 1) ? " every morning" : " every winter";
  if (ending == 2) s += ", and nobody knows why";
  return s + ".";
}

std::string search_query(Draw& d) {
  std::string q = d.pick(kTopics);
  for (int i = d.between(1, 5); i > 0; --i) {
    q += " ";
    if (d.between(0, 2) == 0) {
      q += d.pick(kPlaces);
    } else if (d.between(0, 1)) {
      q += d.pick(kNouns);
    } else {
      q += d.pick(kAdjectives);
    }
  }
  return q;
}

std::string question(Draw& d) {
  const int form = d.between(0, 2);
  const std::string first = form == 0 ? d.pick(kAdjectives) : form == 1 ? d.pick(kPlaces) : d.pick(kNouns);
  const std::string second = form == 0 ? d.pick(kNouns) : "";
  const std::string topic = d.pick(kTopics);
  if (form == 0) return "How do I choose a " + first + " " + second + " for " + topic + "?";
  if (form == 1) return "What is the best time to visit " + first + " for " + topic + "?";
  return "Why does the " + first + " matter so much in " + topic + "?";
}

std::string headline(Draw& d) {
  const int count = d.between(3, 12);
  const std::string adjective = capitalised(d.pick(kAdjectives));
  const std::string topic = capitalised(d.pick(kTopics));
  const std::string place = d.pick(kPlaces);
  return std::to_string(count) + " " + adjective + " Ideas About " + topic + " From " + place;
}

std::string review(Draw& d) {
  const std::string noun = d.pick(kNouns);
  const int dollars = d.between(5, 400);
  const int cents = d.between(10, 99);
  const std::string first = d.pick(kAdjectives);
  const std::string second = d.pick(kAdjectives);
  const bool excited = d.between(0, 1);
  return "Bought this " + noun + " for $" + std::to_string(dollars) + "." + std::to_string(cents) + " — it's " + first +
         ", " + second + (excited ? "!!" : "... would buy again (4/5).");
}

std::string input_text(Draw& d) {
  const double kind = d.unit();
  if (kind < 0.25) return search_query(d);
  if (kind < 0.50) return sentence(d);
  if (kind < 0.65) return question(d);
  if (kind < 0.75) return headline(d);
  if (kind < 0.85) return review(d);
  std::string paragraph;  // 2-6 sentences
  for (int i = d.between(2, 6); i > 0; --i) paragraph += (paragraph.empty() ? "" : " ") + sentence(d);
  return paragraph;
}

}  // namespace

SyntheticEmbeddingsRequest synthesize_embeddings_request(uint64_t seed) {
  Draw d(seed);
  SyntheticEmbeddingsRequest r;
  const int count = d.unit() < 0.35 ? 1 : d.between(2, 16);
  r.format = d.unit() < 0.75 ? EncodingFormat::Float : EncodingFormat::Base64;
  for (int i = 0; i < count; ++i) r.inputs.push_back(input_text(d));
  return r;
}

}  // namespace nineteen::embeddings
