// The LLM task: OpenAI-shaped serving over the decode loop, checking, synthesis and work.
#include "llm_task.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>

#include <unistd.h>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "answer_check.hpp"
#include "generation_request.hpp"
#include "miner_answer.hpp"
#include "openai_answer_writer.hpp"
#include "prompt_encoding.hpp"
#include "prompt_logprob_server.hpp"
#include "prompt_synthesizer.hpp"
#include "token_generation.hpp"

namespace nineteen::llm {

using sdk::Error;

namespace {

// kv_cache_mb's default: a quarter of the machine's physical memory (the weights, the checker's
// batches and the other tasks need the rest).
int64_t default_kv_cache_budget() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page_size <= 0) return int64_t(4) << 30;
  return static_cast<int64_t>(pages) * page_size / 4;
}

}  // namespace

LlmTask::LlmTask(std::string name, LlmTaskConfig config, std::shared_ptr<const LoadedModel> model,
                 BatchSchedulers* schedulers)
    : name_(std::move(name)), config_(std::move(config)), model_(std::move(model)) {
  const std::string what = "task \"" + name_ + "\" config key ";
  const int64_t positions = model_->max_positions();
  max_context_ = config_.max_context > 0 ? config_.max_context : positions;
  if (max_context_ < 2 || max_context_ > positions) {
    throw Error(NT_INVALID_ARGUMENT, what + "\"max_context\": expected 2 to " + std::to_string(positions) +
                                         " (the model's max_position_embeddings), got " + std::to_string(max_context_));
  }
  max_tokens_limit_ = config_.max_tokens_limit > 0 ? config_.max_tokens_limit : max_context_ - 1;
  if (max_tokens_limit_ > max_context_ - 1) {
    throw Error(NT_INVALID_ARGUMENT, what + "\"max_tokens_limit\": expected at most max_context - 1 = " +
                                         std::to_string(max_context_ - 1) + ", got " + std::to_string(max_tokens_limit_));
  }
  size_t longest_token = 1;
  const int32_t vocab = static_cast<int32_t>(model_->tokenizer.vocab_size());
  for (int32_t id = 0; id < vocab; ++id) longest_token = std::max(longest_token, model_->token_bytes(id).size());
  max_prompt_bytes_ = static_cast<size_t>(max_context_) * longest_token;
  vocabulary_ = vocabulary_trie(*model_);
  if (config_.type == LlmTaskType::Chat && !model_->chat_template) {
    throw Error(NT_INVALID_ARGUMENT, "task \"" + name_ + "\": type \"chat\" needs a chat template, and model_dir \"" +
                                         config_.model_dir + "\" has none usable (" + model_->chat_template_error +
                                         "); use type \"completions\" for a base model");
  }
  if (config_.check_backend) backend_ = std::make_unique<CheckBackend>(*config_.check_backend);
  int batch = config_.batch;
  if (batch >= 2 && model_->model) {
    const int64_t budget = config_.kv_cache_mb > 0 ? config_.kv_cache_mb << 20 : default_kv_cache_budget();
    batch = batch_within_budget(batch, kv_bytes_per_sequence(model_->config, max_context_), budget, batching_note_);
    if (!batching_note_.empty()) batching_note_ = "task \"" + name_ + "\": " + batching_note_;
  }
  if (schedulers && batch >= 2 && model_->model && !config_.lazy) {
    BatchSettings settings;
    settings.max_batch = batch;
    settings.capacity = max_context_;
    settings.prefill_chunk = config_.prefill_chunk;
    scheduler_ = schedulers->get(model_, settings);
  }
}

sdk::TaskDescriptor LlmTask::describe() const {
  sdk::TaskDescriptor d{name_, "text", endpoint_of(config_.type), true, "tokens", config_.model_name};
  // MECHANISM.md §6 reads the raw logprob and the id of every generated token.
  d.check_needs = R"({"request":{"logprobs":true,"return_token_ids":true},)"
                  R"("answer":[{"when":"logprobs","path":"choices[].logprobs","user_sees":null},)"
                  R"({"when":"return_token_ids","path":"choices[].token_ids"}]})";
  std::string parameters;
  for (const std::string& key : sampling_parameters(config_.type)) {
    parameters += (parameters.empty() ? "" : ",") + sdk::json_quote(key);
  }
  d.listing = "{\"context_length\":" + std::to_string(max_context_) +
              ",\"max_output_length\":" + std::to_string(max_tokens_limit_) + ",\"quantization\":" +
              (config_.dtype == models::WeightStorage::BF16  ? "\"bf16\""
               : config_.dtype == models::WeightStorage::Q8 ? "\"int8\""
                                                            : "\"fp32\"") +
              ",\"input_modalities\":[\"text\"],\"output_modalities\":[\"text\"],"
              "\"supported_sampling_parameters\":[" + parameters + "],"
              "\"supported_features\":[\"streaming\",\"logprobs\",\"seed\",\"structured_outputs\",\"response_format\"" +
              std::string(config_.type == LlmTaskType::Chat ? ",\"tools\",\"tool_choice\"" : "") + "]}";
  return d;
}

namespace {

// Whether a request key counts as asked for: present and not false, null or 0 (the gateway's rule,
// runtime/gateway/src/checkable_request.cpp).
bool asked_for(const rapidjson::Value& value) {
  if (value.IsNull() || value.IsFalse()) return false;
  if (value.IsNumber()) return value.GetDouble() != 0;
  return true;
}

// A number as the user's client writes it: openai-python writes a whole float as 1.0, JavaScript
// clients as 1.
rapidjson::Value client_number(double x, bool python) {
  rapidjson::Value v;
  if (!python && x == static_cast<double>(static_cast<int64_t>(x))) {
    v.SetInt64(static_cast<int64_t>(x));
  } else {
    v.SetDouble(x);
  }
  return v;
}

}  // namespace

std::string LlmTask::synthetic_json(uint64_t seed, int64_t max_tokens_cap) const {
  for (int shorter = 0; shorter < 2; ++shorter) {
    SyntheticRequest s = synthesize_request(config_.type, seed, shorter);
    GenerationRequest g;
    g.type = config_.type;
    g.messages = s.messages;
    g.prompt = s.prompt;
    const int64_t room = max_context_ - static_cast<int64_t>(encode_prompt(*model_, g).size());
    if (room < 1) continue;
    const ClientParameters& c = s.client;
    const bool chat = config_.type == LlmTaskType::Chat;
    // A user's value the task would refuse never reaches a miner (the gateway answers 400), so the
    // first draw the task accepts is sent; 0 = the user sent none.
    const int64_t fits = std::min({max_tokens_limit_, room, max_tokens_cap});
    int64_t max_tokens = 0;
    for (int64_t draw : c.max_tokens) {
      if (draw <= fits) {
        max_tokens = draw;
        break;
      }
    }
    if (max_tokens_cap != INT64_MAX) max_tokens = fits;  // the self-test's short request

    rapidjson::Document d(rapidjson::kObjectType);
    auto& a = d.GetAllocator();
    // The keys a client writes beside model and messages/prompt, in the user's order.
    std::vector<std::pair<std::string, rapidjson::Value>> keys;
    if (c.temperature) keys.emplace_back("temperature", client_number(*c.temperature, c.python_order));
    if (max_tokens > 0) {
      keys.emplace_back(c.max_completion_tokens && chat ? "max_completion_tokens" : "max_tokens",
                        rapidjson::Value(max_tokens));
    }
    if (c.top_p) keys.emplace_back("top_p", client_number(*c.top_p, c.python_order));
    if (c.seed) keys.emplace_back("seed", rapidjson::Value(static_cast<uint64_t>(*c.seed)));
    if (c.stream) keys.emplace_back("stream", rapidjson::Value(*c.stream));
    if (c.stream && *c.stream && c.include_usage) {
      rapidjson::Value options(rapidjson::kObjectType);
      options.AddMember("include_usage", true, a);
      keys.emplace_back("stream_options", std::move(options));
    }
    if (c.logprobs) {
      keys.emplace_back("logprobs", rapidjson::Value(true));
      if (chat && c.top_logprobs > 0) keys.emplace_back("top_logprobs", rapidjson::Value(c.top_logprobs));
    }
    if (c.user) keys.emplace_back("user", rapidjson::Value(c.user->c_str(), a));
    if (c.python_order) {
      std::stable_sort(keys.begin(), keys.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    }

    rapidjson::Value text;
    if (chat) {
      text.SetArray();
      for (const text::ChatMessage& m : s.messages) {
        rapidjson::Value message(rapidjson::kObjectType);
        message.AddMember("role", rapidjson::Value(m.role.c_str(), a), a);
        message.AddMember("content", rapidjson::Value(m.content.c_str(), a), a);
        text.PushBack(message, a);
      }
    } else {
      text.SetString(s.prompt.c_str(), a);
    }
    rapidjson::Value model(config_.model_name.c_str(), a);
    if (c.python_order && chat) {  // openai-python: messages, model, the rest alphabetically
      d.AddMember("messages", text, a);
      d.AddMember("model", model, a);
    } else {
      d.AddMember("model", model, a);
      d.AddMember(rapidjson::Value(chat ? "messages" : "prompt", a), text, a);
    }
    for (auto& [key, value] : keys) d.AddMember(rapidjson::Value(key.c_str(), a), value, a);

    // What the check needs, added as the gateway adds it to a user's request (appended, unless the
    // user asked for it), so both reach the miner in the same form.
    rapidjson::Document needs;
    needs.Parse(describe().check_needs.c_str());
    if (needs.IsObject() && needs.HasMember("request") && needs["request"].IsObject()) {
      for (const auto& m : needs["request"].GetObject()) {
        auto have = d.FindMember(m.name);
        if (have != d.MemberEnd() && asked_for(have->value)) continue;
        rapidjson::Value value(m.value, a);
        if (have != d.MemberEnd()) {
          have->value = value;
        } else {
          d.AddMember(rapidjson::Value(m.name, a), value, a);
        }
      }
    }
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    d.Accept(w);
    return std::string(buffer.GetString(), buffer.GetSize());
  }
  throw Error(NT_INVALID_ARGUMENT, "task \"" + name_ + "\": max_context " + std::to_string(max_context_) +
                                       " is too small for any synthetic prompt; raise max_context");
}

std::string LlmTask::synthesize(uint64_t seed) { return synthetic_json(seed, INT64_MAX); }

GenerationRequest LlmTask::read_request(std::string_view request_json) const {
  GenerationRequest request = GenerationRequest::parse(request_json, config_.type, max_tokens_limit_, config_.grammar,
                                                       tool_format_of(model_->chat_template ? &*model_->chat_template : nullptr));
  size_t bytes = request.prompt.size();
  for (const text::ChatMessage& m : request.messages) bytes += m.content.size();
  if (bytes > max_prompt_bytes_) {
    const char* key = config_.type == LlmTaskType::Chat ? "messages" : "prompt";
    throw Error(NT_INVALID_ARGUMENT, std::string("request key \"") + key + "\": " + std::to_string(bytes) +
                                         " bytes of text cannot fit this model's context of " +
                                         std::to_string(max_context_) + " tokens (at most " +
                                         std::to_string(max_prompt_bytes_) + " bytes); shorten it");
  }
  return request;
}

void LlmTask::validate(std::string_view request_json) {
  // validate is the gateway's question (users' requests). The scoring extension is for a checker
  // talking to a node directly: through the gateway its answers could not be checked, and the
  // miner that served it would be scored on it.
  if (is_prompt_logprobs_request(request_json)) {
    throw Error(NT_UNIMPLEMENTED, "request key \"prompt_logprobs\": the scoring extension is served to checkers "
                                  "that call a node directly (its check_backend), not through the gateway; "
                                  "use \"logprobs\" for the answer's tokens");
  }
  read_request(request_json);
}

void LlmTask::serve(std::string_view request_json, sdk::Call& call) {
  if (!model_->model) {
    throw Error(NT_UNIMPLEMENTED, "task \"" + name_ + "\" checks through check_backend " + config_.check_backend->url +
                                      " and loads no weights, so it does not serve; a miner serves this model with "
                                      "`upstream` set to its engine");
  }
  // vLLM's scoring extension: this node as another validator's checking backend.
  if (config_.type == LlmTaskType::Completions && is_prompt_logprobs_request(request_json)) {
    if (!call.emit(serve_prompt_logprobs(*model_, config_.model_name, request_json, {max_context_}))) {
      throw sdk::Cancelled();
    }
    return;
  }
  GenerationRequest request = read_request(request_json);
  GenerationPlan plan;
  plan.prompt = encode_prompt(*model_, request);
  const int64_t prompt_tokens = static_cast<int64_t>(plan.prompt.size());
  plan.max_tokens = resolve_max_tokens(request, prompt_tokens, max_context_, max_tokens_limit_);
  plan.sampling = request.sampling;
  if (!request.has_seed) plan.sampling.seed = (uint64_t(std::random_device{}()) << 32) | std::random_device{}();
  plan.stop_strings = request.stop;
  plan.grammar = request.grammar;
  plan.vocabulary = vocabulary_;
  plan.grammar_settings = config_.grammar;

  AnswerHeader header;
  header.type = config_.type;
  char id[48];
  std::snprintf(id, sizeof(id), "%s-%016llx", config_.type == LlmTaskType::Chat ? "chatcmpl" : "cmpl",
                static_cast<unsigned long long>(plan.sampling.seed * 0x9E3779B97F4A7C15ull + answers_++));
  header.id = id;
  header.created = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  header.model = config_.model_name;
  header.logprobs = request.logprobs;
  OpenAiAnswerWriter writer(header, *model_);

  auto run = [&](const std::function<bool(const GeneratedToken&)>& on_token) {
    if (config_.lazy) return make_up_tokens(*model_, plan, on_token);
    return scheduler_ ? scheduler_->generate(plan, on_token) : generate(*model_, plan, on_token);
  };
  // With tools offered, the text is held back until the end: it is either a call or the content.
  const bool tools = request.tools.active();
  std::string held;
  auto tool_call_of = [&](GenerationEnd& end, const std::string& text) -> std::optional<ToolCall> {
    if (!tools || end.finish_reason != "stop" || end.stop_string) return std::nullopt;
    std::optional<ToolCall> made = parse_tool_call(text, request.tools, header.id);
    if (made) end.finish_reason = "tool_calls";
    return made;
  };
  if (request.stream) {
    GenerationEnd end = run([&](const GeneratedToken& t) {
      if (!tools) return call.emit(writer.token_chunk(t));
      GeneratedToken hidden = t;
      held += t.delta;
      hidden.delta.clear();
      return call.emit(writer.token_chunk(hidden));
    });
    if (tools) {
      held += end.tail;
      std::optional<ToolCall> made = tool_call_of(end, held);
      if (made) {
        end.tail.clear();
        if (!call.emit(writer.tool_call_head(*made)) || !call.emit(writer.final_chunk(end, prompt_tokens, &*made))) {
          throw sdk::Cancelled();
        }
        return;
      }
      end.tail = held;
    }
    if (!call.emit(writer.final_chunk(end, prompt_tokens))) throw sdk::Cancelled();
    return;
  }
  std::vector<GeneratedToken> tokens;
  GenerationEnd end = run([&](const GeneratedToken& t) {
    tokens.push_back(t);
    return !call.cancelled();
  });
  std::optional<ToolCall> made;
  if (tools) {
    for (const GeneratedToken& t : tokens) held += t.delta;
    made = tool_call_of(end, held + end.tail);
  }
  if (!call.emit(writer.whole(tokens, end, prompt_tokens, made ? &*made : nullptr))) throw sdk::Cancelled();
}

std::vector<sdk::CheckResult> LlmTask::check(const std::vector<std::string_view>& requests,
                                             const std::vector<std::string_view>& responses) {
  CheckLimits limits;
  limits.max_context = max_context_;
  limits.max_tokens_limit = max_tokens_limit_;
  limits.grammar = config_.grammar;
  limits.vocabulary = vocabulary_;
  if (backend_) return check_answers(*model_, *backend_, config_.type, limits, requests, responses);
  return check_answers(*model_, config_.type, limits, requests, responses);
}

double LlmTask::work(std::string_view request, std::string_view response) {
  (void)request;
  MinerAnswerRead read = read_miner_answer(response, config_.type);
  // A stream cut off when its user left is billed for the tokens it had (issue 25).
  return static_cast<double>(read.answer ? read.answer->tokens.size() : read.cut_off_tokens);
}

void LlmTask::self_test() {
  if (backend_) {
    // The engine must run this model with this tokenizer; it is asked now, not at the first check.
    backend_->verify(*model_);
    return;
  }
  const std::string request = synthetic_json(1, 16);
  sdk::CollectingCall call;
  serve(request, call);
  if (config_.lazy) return;  // a lazy task's answers fail checking by design
  std::vector<sdk::CheckResult> result = check({request}, {call.response_json()});
  if (result.size() != 1 || !(result[0].quality >= 0.99)) {
    throw Error(NT_INTERNAL, "the task's own answer to a synthetic request checked as " +
                                 (result.empty() ? std::string("nothing") : std::to_string(result[0].quality) + " (" +
                                                                                result[0].reason + ")") +
                                 "; is model_dir \"" + config_.model_dir + "\" a working Llama model?");
  }
}

}  // namespace nineteen::llm
