// The checker's client of a checking backend (vLLM, SGLang, a Nineteen node): batched teacher-forced
// scoring over HTTP and the start-up comparison of model and tokenizer.
#include "check_backend.hpp"

#include "prompt_encoding.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include <nineteen/net/http_client.hpp>
#include <nineteen/sdk/error.hpp>
#include <nineteen/sdk/json.hpp>

namespace nineteen::llm {

using sdk::Error;

const char* const kTokenizerProbe =
    "Nineteen checks 1234567 tokens: naïve café, \"quotes\" & <tags>\n\t  indented ünïcödé, 東京, emoji 🙂 end.";

namespace {

const char* kind_name(CheckBackendKind kind) { return kind == CheckBackendKind::Vllm ? "vllm" : "sglang"; }

std::string ids_json(const std::vector<int32_t>& ids, size_t begin = 0, size_t end = SIZE_MAX) {
  std::string out = "[";
  end = std::min(end, ids.size());
  for (size_t i = begin; i < end; ++i) {
    if (i > begin) out += ',';
    out += std::to_string(ids[i]);
  }
  return out + "]";
}

std::string ids_preview(const std::vector<int32_t>& ids) {
  return ids.size() <= 24 ? ids_json(ids) : ids_json(ids, 0, 24).substr(0, ids_json(ids, 0, 24).size() - 1) + ",...]";
}

double number_of(const rapidjson::Value& v, const std::string& what) {
  if (!v.IsNumber()) throw Error(NT_INTERNAL, what + ": expected a number, got " + sdk::json_preview(v, 60));
  return v.GetDouble();
}

const rapidjson::Value& member(const rapidjson::Value& v, const char* key, const std::string& what) {
  if (!v.IsObject() || !v.HasMember(key)) {
    throw Error(NT_INTERNAL, what + ": no \"" + key + "\" in " + sdk::json_preview(v, 120));
  }
  return v[key];
}

// Ranks from a list of (token, logprob) that holds the n most likely: within it, the tokens strictly
// more likely; outside it, n (at least the horizon the caller asked for).
int64_t rank_within(const std::vector<models::TokenLogprob>& top, int32_t token, float logprob) {
  bool listed = false;
  int64_t above = 0;
  for (const models::TokenLogprob& t : top) {
    listed = listed || t.token == token;
    above += t.logprob > logprob ? 1 : 0;
  }
  return listed ? above : static_cast<int64_t>(top.size());
}

}  // namespace

CheckBackend::CheckBackend(CheckBackendConfig config) : config_(std::move(config)) {
  net::ClientOptions options;
  options.timeouts.connect = std::chrono::milliseconds(5000);
  options.timeouts.first_byte = std::chrono::seconds(config_.timeout_s);
  options.timeouts.total = std::chrono::seconds(config_.timeout_s);
  options.max_response_bytes = size_t(512) << 20;
  options.user_agent = "nineteen-checker";
  client_ = std::make_unique<net::HttpClient>(options);
}

CheckBackend::~CheckBackend() = default;

std::string CheckBackend::post(const std::string& path, const std::string& body) const {
  net::ClientRequest request;
  request.method = "POST";
  request.url = config_.url + path;
  request.headers.set("Content-Type", "application/json");
  request.body = body;
  net::ClientResult result = client_->send(request);
  if (!result.ok()) {
    throw Error(NT_UNAVAILABLE, "check_backend " + request.url + ": " + result.error_message +
                                    " (is the " + kind_name(config_.kind) + " server running?)");
  }
  if (result.status != 200) {
    throw Error(result.status == 429 || result.status >= 500 ? NT_UNAVAILABLE : NT_INTERNAL,
                "check_backend " + request.url + " answered " + std::to_string(result.status) + ": " +
                    result.body.substr(0, 400));
  }
  return std::move(result.body);
}

std::vector<int32_t> CheckBackend::tokenize_remote(const std::string& text, std::string& answered_model) const {
  std::vector<int32_t> ids;
  const std::string what = "check_backend " + config_.url + " tokenizing the probe";
  if (config_.kind == CheckBackendKind::Vllm) {
    const std::string body = "{\"model\":" + sdk::json_quote(config_.model) + ",\"prompt\":" + sdk::json_quote(text) +
                             ",\"max_tokens\":1,\"temperature\":0,\"prompt_logprobs\":0,\"return_token_ids\":true}";
    rapidjson::Document d = sdk::parse_json(post("/v1/completions", body), what);
    if (d.IsObject() && d.HasMember("model") && d["model"].IsString()) answered_model = d["model"].GetString();
    const rapidjson::Value& choices = member(d, "choices", what);
    if (!choices.IsArray() || choices.Empty()) throw Error(NT_INTERNAL, what + ": no choices");
    const rapidjson::Value& c = choices[0];
    if (c.HasMember("prompt_token_ids") && c["prompt_token_ids"].IsArray()) {
      for (const auto& v : c["prompt_token_ids"].GetArray()) ids.push_back(static_cast<int32_t>(number_of(v, what)));
      return ids;
    }
    // Older vLLM has no return_token_ids: each position's entry lists the token that was there
    // (position 0 has none, so it is left as -1 and compared as unknown).
    const rapidjson::Value& lp = member(c, "prompt_logprobs", what);
    if (!lp.IsArray()) throw Error(NT_INTERNAL, what + ": prompt_logprobs is not an array");
    ids.push_back(-1);
    for (rapidjson::SizeType p = 1; p < lp.Size(); ++p) {
      int32_t found = -1;
      if (lp[p].IsObject()) {
        for (const auto& m : lp[p].GetObject()) {
          // With prompt_logprobs 0 the entry holds just the token that was there.
          if (lp[p].MemberCount() == 1) found = static_cast<int32_t>(std::strtol(m.name.GetString(), nullptr, 10));
        }
      }
      ids.push_back(found);
    }
    return ids;
  }
  const std::string body = "{\"text\":" + sdk::json_quote(text) +
                           ",\"sampling_params\":{\"max_new_tokens\":1,\"temperature\":0},\"return_logprob\":true,"
                           "\"logprob_start_len\":0}";
  rapidjson::Document d = sdk::parse_json(post("/generate", body), what);
  const rapidjson::Value& meta = member(d, "meta_info", what);
  const rapidjson::Value& input = member(meta, "input_token_logprobs", what);
  if (!input.IsArray()) throw Error(NT_INTERNAL, what + ": input_token_logprobs is not an array");
  for (const auto& e : input.GetArray()) {
    if (!e.IsArray() || e.Size() < 2) throw Error(NT_INTERNAL, what + ": an input_token_logprobs entry is not [logprob, id, ...]");
    ids.push_back(static_cast<int32_t>(number_of(e[1], what)));
  }
  return ids;
}

void CheckBackend::verify(const LoadedModel& model) const {
  const std::string where = "check_backend " + config_.url + " (" + kind_name(config_.kind) + ")";
  // 1. The model it serves.
  net::ClientRequest list;
  list.url = config_.url + "/v1/models";
  net::ClientResult listed = client_->send(list);
  if (!listed.ok()) {
    throw Error(NT_UNAVAILABLE, where + ": " + listed.error_message + "; start the engine before the checker");
  }
  bool has_model_list = false;
  if (listed.status == 200) {
    rapidjson::Document d = sdk::parse_json(listed.body, where + " /v1/models");
    std::string served;
    bool found = false;
    if (d.IsObject() && d.HasMember("data") && d["data"].IsArray()) {
      has_model_list = true;
      for (const auto& m : d["data"].GetArray()) {
        if (!m.IsObject() || !m.HasMember("id") || !m["id"].IsString()) continue;
        const std::string id = m["id"].GetString();
        served += (served.empty() ? "" : ", ") + id;
        found = found || id == config_.model;
      }
    }
    if (has_model_list && !found) {
      throw Error(NT_INVALID_ARGUMENT, where + " serves " + (served.empty() ? std::string("no model") : served) +
                                           ", not \"" + config_.model +
                                           "\"; set check_backend_model to the name it serves (vLLM: "
                                           "--served-model-name) or point check_backend at the right engine");
    }
  }
  // 2. Its tokenizer, on the probe, with the BOS the checker would put in front of a completion.
  GenerationRequest probe;
  probe.type = LlmTaskType::Completions;
  probe.prompt = kTokenizerProbe;
  const std::vector<int32_t> ours = encode_prompt(model, probe);
  std::string answered_model;
  const std::vector<int32_t> theirs = tokenize_remote(kTokenizerProbe, answered_model);
  if (!has_model_list && answered_model != config_.model) {
    throw Error(NT_INVALID_ARGUMENT, where + " has no /v1/models and its answer names model \"" + answered_model +
                                         "\", not \"" + config_.model + "\"; set check_backend_model");
  }
  bool same = ours.size() == theirs.size();
  for (size_t i = 0; same && i < ours.size(); ++i) same = theirs[i] == -1 || theirs[i] == ours[i];
  if (!same) {
    throw Error(NT_INVALID_ARGUMENT, where + " tokenizes the probe text to " + ids_preview(theirs) + " (" +
                                         std::to_string(theirs.size()) + " ids) but model_dir \"" + model.dir +
                                         "\" to " + ids_preview(ours) + " (" + std::to_string(ours.size()) +
                                         "): the engine runs another model or tokenizer revision; give both the "
                                         "same model folder (tokenizer.json, tokenizer_config.json, config.json)");
  }
}

std::vector<models::SequenceScore> CheckBackend::score(const std::vector<models::ScoreRequest>& batch, int top_n,
                                                       const std::vector<int64_t>& rank_horizons) const {
  std::vector<models::SequenceScore> out;
  out.reserve(batch.size());
  const size_t step = static_cast<size_t>(std::max(1, config_.max_batch));
  for (size_t begin = 0; begin < batch.size(); begin += step) {
    const size_t end = std::min(batch.size(), begin + step);
    std::vector<models::ScoreRequest> part(batch.begin() + begin, batch.begin() + end);
    std::vector<models::SequenceScore> scored;
    if (config_.kind == CheckBackendKind::Vllm) {
      scored = score_vllm(part, top_n);
    } else {
      std::vector<int64_t> horizons(rank_horizons.begin() + begin, rank_horizons.begin() + end);
      scored = score_sglang(part, top_n, horizons);
    }
    for (auto& s : scored) out.push_back(std::move(s));
  }
  return out;
}

std::vector<models::SequenceScore> CheckBackend::score_vllm(const std::vector<models::ScoreRequest>& batch,
                                                            int top_n) const {
  std::string prompts = "[";
  for (size_t i = 0; i < batch.size(); ++i) prompts += (i ? "," : "") + ids_json(batch[i].tokens);
  prompts += "]";
  const std::string body = "{\"model\":" + sdk::json_quote(config_.model) + ",\"prompt\":" + prompts +
                           ",\"max_tokens\":1,\"temperature\":0,\"prompt_logprobs\":" + std::to_string(top_n) +
                           ",\"return_token_ids\":true}";
  const std::string what = "check_backend " + config_.url + "/v1/completions";
  rapidjson::Document d = sdk::parse_json(post("/v1/completions", body), what);
  const rapidjson::Value& choices = member(d, "choices", what);
  if (!choices.IsArray() || choices.Size() != batch.size()) {
    throw Error(NT_INTERNAL, what + ": expected " + std::to_string(batch.size()) + " choices, got " +
                                 sdk::json_preview(choices, 80));
  }
  std::vector<models::SequenceScore> out(batch.size());
  std::vector<bool> seen(batch.size(), false);
  for (rapidjson::SizeType c = 0; c < choices.Size(); ++c) {
    const rapidjson::Value& choice = choices[c];
    size_t index = c;
    if (choice.IsObject() && choice.HasMember("index") && choice["index"].IsUint()) index = choice["index"].GetUint();
    if (index >= batch.size() || seen[index]) throw Error(NT_INTERNAL, what + ": choice index " + std::to_string(index) + " is out of place");
    seen[index] = true;
    const models::ScoreRequest& request = batch[index];
    const rapidjson::Value& lp = member(choice, "prompt_logprobs", what);
    if (!lp.IsArray() || lp.Size() != request.tokens.size()) {
      throw Error(NT_INTERNAL, what + ": choice " + std::to_string(index) + " has prompt_logprobs for " +
                                   (lp.IsArray() ? std::to_string(lp.Size()) : std::string("no")) + " positions, sent " +
                                   std::to_string(request.tokens.size()));
    }
    for (size_t p = static_cast<size_t>(request.first_scored); p < request.tokens.size(); ++p) {
      const rapidjson::Value& entry = lp[static_cast<rapidjson::SizeType>(p)];
      if (!entry.IsObject()) throw Error(NT_INTERNAL, what + ": prompt_logprobs[" + std::to_string(p) + "] is not an object");
      models::ScoredToken s;
      s.token = request.tokens[p];
      bool found = false;
      std::vector<std::pair<int64_t, models::TokenLogprob>> listed;
      for (const auto& m : entry.GetObject()) {
        char* end = nullptr;
        const long id = std::strtol(m.name.GetString(), &end, 10);
        if (end == m.name.GetString() || *end != '\0') throw Error(NT_INTERNAL, what + ": key \"" + std::string(m.name.GetString()) + "\" is not a token id");
        const double logprob = number_of(member(m.value, "logprob", what), what);
        const rapidjson::Value& rank_value = member(m.value, "rank", what);
        const int64_t rank = static_cast<int64_t>(number_of(rank_value, what));  // 1 = most likely
        if (id == s.token) {
          found = true;
          s.logprob = std::isfinite(logprob) ? static_cast<float>(logprob) : -INFINITY;
          s.rank = std::max<int64_t>(0, rank - 1);
        }
        if (rank >= 1 && rank <= top_n) listed.push_back({rank, {static_cast<int32_t>(id), static_cast<float>(logprob)}});
      }
      if (!found) {
        throw Error(NT_INTERNAL, what + ": prompt_logprobs[" + std::to_string(p) + "] does not list token " +
                                     std::to_string(s.token) + ", the one sent there");
      }
      std::sort(listed.begin(), listed.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first < b.first : a.second.logprob > b.second.logprob;
      });
      for (auto& [rank, t] : listed) s.top.push_back(t);
      out[index].positions.push_back(std::move(s));
    }
  }
  return out;
}

std::vector<models::SequenceScore> CheckBackend::score_sglang(const std::vector<models::ScoreRequest>& batch, int top_n,
                                                              const std::vector<int64_t>& rank_horizons) const {
  std::string ids = "[", starts = "[", tops = "[";
  for (size_t i = 0; i < batch.size(); ++i) {
    ids += (i ? "," : "") + ids_json(batch[i].tokens);
    starts += (i ? "," : "") + std::to_string(batch[i].first_scored);
    tops += (i ? "," : "") + std::to_string(std::max<int64_t>(top_n, rank_horizons[i]));
  }
  const std::string body = "{\"input_ids\":" + ids + "],\"logprob_start_len\":" + starts +
                           "],\"top_logprobs_num\":" + tops +
                           "],\"return_logprob\":true,\"sampling_params\":{\"max_new_tokens\":1,\"temperature\":0}}";
  const std::string what = "check_backend " + config_.url + "/generate";
  rapidjson::Document d = sdk::parse_json(post("/generate", body), what);
  if (batch.size() == 1 && d.IsObject()) {
    rapidjson::Document wrapped;
    wrapped.SetArray();
    rapidjson::Value copy(d, wrapped.GetAllocator());
    wrapped.PushBack(copy, wrapped.GetAllocator());
    d.Swap(wrapped);
  }
  if (!d.IsArray() || d.Size() != batch.size()) {
    throw Error(NT_INTERNAL, what + ": expected an array of " + std::to_string(batch.size()) + " answers");
  }
  std::vector<models::SequenceScore> out(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    const models::ScoreRequest& request = batch[i];
    const rapidjson::Value& meta = member(d[static_cast<rapidjson::SizeType>(i)], "meta_info", what);
    const rapidjson::Value& tokens = member(meta, "input_token_logprobs", what);
    const rapidjson::Value& tops_v = member(meta, "input_top_logprobs", what);
    const size_t want = request.tokens.size() - static_cast<size_t>(request.first_scored);
    if (!tokens.IsArray() || !tops_v.IsArray() || tokens.Size() < want || tops_v.Size() != tokens.Size()) {
      throw Error(NT_INTERNAL, what + ": answer " + std::to_string(i) + " has logprobs for " +
                                   (tokens.IsArray() ? std::to_string(tokens.Size()) : std::string("no")) +
                                   " positions, " + std::to_string(want) + " were asked");
    }
    // The last `want` entries are the scored positions (an engine that also lists the position
    // before the start gives one more).
    const size_t skip = tokens.Size() - want;
    for (size_t k = 0; k < want; ++k) {
      const size_t p = static_cast<size_t>(request.first_scored) + k;
      const rapidjson::Value& e = tokens[static_cast<rapidjson::SizeType>(skip + k)];
      if (!e.IsArray() || e.Size() < 2 || !e[0].IsNumber() || static_cast<int32_t>(number_of(e[1], what)) != request.tokens[p]) {
        throw Error(NT_INTERNAL, what + ": input_token_logprobs entry " + std::to_string(skip + k) +
                                     " is not [logprob, " + std::to_string(request.tokens[p]) + ", ...]");
      }
      models::ScoredToken s;
      s.token = request.tokens[p];
      s.logprob = static_cast<float>(e[0].GetDouble());
      const rapidjson::Value& listed = tops_v[static_cast<rapidjson::SizeType>(skip + k)];
      std::vector<models::TokenLogprob> all;
      if (listed.IsArray()) {
        for (const auto& t : listed.GetArray()) {
          if (!t.IsArray() || t.Size() < 2) continue;
          all.push_back({static_cast<int32_t>(number_of(t[1], what)), static_cast<float>(number_of(t[0], what))});
        }
      }
      std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.logprob > b.logprob; });
      s.rank = rank_within(all, s.token, s.logprob);
      all.resize(std::min<size_t>(all.size(), static_cast<size_t>(top_n)));
      s.top = std::move(all);
      out[i].positions.push_back(std::move(s));
    }
  }
  return out;
}

}  // namespace nineteen::llm
