// The embeddings task: OpenAI-shaped serving, checking by cosine, synthesis and work.
#include "embeddings_task.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "embedding_answer.hpp"
#include "embedding_input_synthesizer.hpp"
#include "embedding_quality.hpp"

namespace nineteen::embeddings {

using sdk::Error;

EmbeddingsTask::EmbeddingsTask(std::string name, EmbeddingsTaskConfig config, std::shared_ptr<const LoadedEncoder> model)
    : name_(std::move(name)), config_(std::move(config)), model_(std::move(model)) {
  const int64_t limit = model_->encoder.max_tokens();
  max_input_tokens_ = config_.max_input_tokens > 0 ? config_.max_input_tokens : limit;
  const int64_t least = static_cast<int64_t>(model_->tokenizer.special_token_count()) + 1;
  if (max_input_tokens_ < least || max_input_tokens_ > limit) {
    throw Error(NT_INVALID_ARGUMENT, "task \"" + name_ + "\" config key \"max_input_tokens\": expected " +
                                         std::to_string(least) + " to " + std::to_string(limit) +
                                         " (the model's max_seq_length or max_position_embeddings), got " +
                                         std::to_string(max_input_tokens_));
  }
}

sdk::TaskDescriptor EmbeddingsTask::describe() const {
  return {name_, "embedding", "/v1/embeddings", false, "tokens", config_.model_name};
}

std::string EmbeddingsTask::synthesize(uint64_t seed) {
  SyntheticEmbeddingsRequest s = synthesize_embeddings_request(seed);
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("model");
  w.String(config_.model_name.c_str());
  w.Key("input");
  w.StartArray();
  for (const std::string& input : s.inputs) w.String(input.c_str(), static_cast<rapidjson::SizeType>(input.size()));
  w.EndArray();
  w.Key("encoding_format");
  w.String(s.format == EncodingFormat::Base64 ? "base64" : "float");
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

EmbeddingsRequest EmbeddingsTask::parse(std::string_view request) const {
  return EmbeddingsRequest::parse(request, config_.max_inputs, model_->encoder.dimension());
}

std::vector<std::vector<int32_t>> EmbeddingsTask::tokenize(const EmbeddingsRequest& request) const {
  std::vector<std::vector<int32_t>> ids;
  ids.reserve(request.inputs.size());
  for (const std::string& input : request.inputs) ids.push_back(model_->encode(input, max_input_tokens_));
  return ids;
}

void EmbeddingsTask::serve(std::string_view request_json, sdk::Call& call) {
  const EmbeddingsRequest request = parse(request_json);
  const std::vector<std::vector<int32_t>> ids = tokenize(request);
  if (call.cancelled()) throw sdk::Cancelled();
  int64_t tokens = 0;
  for (const auto& s : ids) tokens += static_cast<int64_t>(s.size());
  models::SentenceEmbeddings vectors = model_->encoder.embed(ids, config_.max_batch);
  const std::string answer = write_embeddings_answer(vectors.values, static_cast<size_t>(vectors.dimension),
                                                     request.format, config_.model_name, tokens);
  if (!call.emit(answer)) throw sdk::Cancelled();
}

std::vector<sdk::CheckResult> EmbeddingsTask::check(const std::vector<std::string_view>& requests,
                                                    const std::vector<std::string_view>& responses) {
  const size_t n = requests.size();
  std::vector<sdk::CheckResult> results(n);
  const size_t dimension = static_cast<size_t>(model_->encoder.dimension());
  // Every readable answer's inputs go into one list, embedded together in batched passes.
  std::vector<std::vector<int32_t>> all_ids;
  std::vector<size_t> first(n, 0);
  std::vector<MinerEmbeddings> answers(n);
  std::vector<bool> pending(n, false);
  for (size_t i = 0; i < n; ++i) {
    EmbeddingsRequest request;
    try {
      request = parse(requests[i]);
    } catch (const Error& e) {
      results[i] = {0.0, std::string("the request is unreadable: ") + e.what()};
      continue;
    }
    answers[i] = read_embeddings_answer(i < responses.size() ? responses[i] : std::string_view(),
                                        request.inputs.size(), dimension, request.format);
    if (!answers[i].problem.empty()) {
      results[i] = {0.0, answers[i].problem};
      continue;
    }
    first[i] = all_ids.size();
    for (auto& ids : tokenize(request)) all_ids.push_back(std::move(ids));
    pending[i] = true;
  }
  if (all_ids.empty()) return results;
  const models::SentenceEmbeddings reference = model_->encoder.embed(all_ids, config_.max_batch);
  for (size_t i = 0; i < n; ++i) {
    if (!pending[i]) continue;
    results[i] = check_vectors(reference.row(first[i]), answers[i].values.data(), answers[i].values.size() / dimension,
                               dimension, model_->encoder.layout().normalize);
  }
  return results;
}

double EmbeddingsTask::work(std::string_view request_json, std::string_view response) {
  EmbeddingsRequest request;
  try {
    request = parse(request_json);
  } catch (const Error&) {
    return 0.0;
  }
  const size_t dimension = static_cast<size_t>(model_->encoder.dimension());
  if (!read_embeddings_answer(response, request.inputs.size(), dimension, request.format).problem.empty()) return 0.0;
  double tokens = 0;
  for (const auto& ids : tokenize(request)) tokens += static_cast<double>(ids.size());
  return tokens;
}

}  // namespace nineteen::embeddings
