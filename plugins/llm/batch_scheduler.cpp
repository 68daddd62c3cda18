// The continuous-batching decode loop (see batch_scheduler.hpp).
#include "batch_scheduler.hpp"

#include <algorithm>

#include <nineteen/models/sampler.hpp>
#include <nineteen/sdk/task.hpp>

#include "streamed_text.hpp"

namespace nineteen::llm {

int64_t kv_bytes_per_sequence(const models::LlamaConfig& config, int64_t capacity) {
  return 2 * config.num_hidden_layers * config.num_key_value_heads * config.head_dim * capacity *
         static_cast<int64_t>(sizeof(float));
}

int batch_within_budget(int wanted, int64_t per_sequence, int64_t budget, std::string& note) {
  note.clear();
  if (wanted < 2 || per_sequence <= 0) return wanted;
  const int64_t fits = budget / per_sequence;
  if (fits >= wanted) return wanted;
  auto mib = [](int64_t bytes) { return std::to_string((bytes + (1 << 20) - 1) >> 20) + " MiB"; };
  note = "batching: one sequence's cache takes " + mib(per_sequence) + ", so " + std::to_string(wanted) +
         " take " + mib(per_sequence * wanted) + ", over kv_cache_mb (" + mib(budget) + "); ";
  if (fits >= 2) {
    note += "decoding " + std::to_string(fits) + " together instead (raise kv_cache_mb or lower max_context for more)";
    return static_cast<int>(fits);
  }
  note += "batching is off, each request runs its own loop (raise kv_cache_mb or lower max_context to batch)";
  return 1;
}

// One request: its own copy of the plan (the caller may leave early), sampler, masker and text.
struct BatchScheduler::Job {
  explicit Job(const GenerationPlan& p) : plan(p), sampler(p.sampling), text(p.stop_strings) {
    end.finish_reason = "length";
  }
  GenerationPlan plan;
  models::Sampler sampler;
  StreamedText text;
  std::unique_ptr<grammar::TokenMasker> masker;
  std::vector<float> masked;
  // Scheduler thread only.
  int64_t prefilled = 0;  // prompt tokens already in the cache
  int32_t next = 0;       // the sampled token the next decode pass appends
  bool over = false;      // finished while sampling this step
  GenerationEnd end;      // read by the caller once `done` is set
  // Shared with the caller's thread.
  std::mutex mutex;
  std::condition_variable ready;
  std::deque<GeneratedToken> out;
  bool done = false;
  std::exception_ptr error;
  std::atomic<bool> cancelled{false};
};

BatchScheduler::BatchScheduler(std::shared_ptr<const LoadedModel> model, BatchSettings settings)
    : model_(std::move(model)),
      settings_(settings) {
  settings_.prefill_chunk = std::max<int64_t>(1, settings_.prefill_chunk);
  thread_ = std::thread([this] { loop(); });
}

BatchScheduler::~BatchScheduler() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void BatchScheduler::pause() {
  std::lock_guard<std::mutex> lock(mutex_);
  paused_ = true;
}

void BatchScheduler::resume() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    paused_ = false;
  }
  wake_.notify_all();
}

BatchScheduler::Stats BatchScheduler::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  Stats stats = stats_;
  stats.waiting = waiting_.size();
  return stats;
}

GenerationEnd BatchScheduler::generate(const GenerationPlan& plan,
                                       const std::function<bool(const GeneratedToken&)>& on_token) {
  if (static_cast<int64_t>(plan.prompt.size()) + plan.max_tokens > settings_.capacity || plan.prompt.empty()) {
    return llm::generate(*model_, plan, on_token);  // does not fit a slot: its own loop
  }
  auto job = std::make_shared<Job>(plan);
  if (plan.grammar) {
    try {
      job->masker = std::make_unique<grammar::TokenMasker>(plan.grammar, plan.vocabulary, model_->stop_tokens,
                                                           plan.grammar_settings.max_states);
    } catch (const grammar::GrammarError& e) {
      throw sdk::Error(NT_INVALID_ARGUMENT, std::string("request: the grammar cannot be run: ") + e.what());
    }
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) throw sdk::Error(NT_UNAVAILABLE, "the LLM task is shutting down; retry on another miner");
    waiting_.push_back(job);
  }
  wake_.notify_one();
  // Leaving before the end (the client went away, or on_token threw) takes the job out of the batch.
  struct Leave {
    Job& job;
    bool finished = false;
    ~Leave() {
      if (!finished) job.cancelled = true;
    }
  } leave{*job};
  std::deque<GeneratedToken> got;
  for (;;) {
    bool done;
    {
      std::unique_lock<std::mutex> lock(job->mutex);
      job->ready.wait(lock, [&] { return !job->out.empty() || job->done; });
      got.swap(job->out);
      done = job->done;
    }
    for (const GeneratedToken& token : got) {
      if (!on_token(token)) throw sdk::Cancelled();
    }
    got.clear();
    if (done) {
      leave.finished = true;
      if (job->error) std::rethrow_exception(job->error);
      return job->end;
    }
  }
}

void BatchScheduler::finish(Job& job, std::exception_ptr error) {
  if (!error) job.end.tail = job.text.finish();
  {
    std::lock_guard<std::mutex> lock(job.mutex);
    job.done = true;
    job.error = error;
  }
  job.ready.notify_all();
}

// The body of generate's loop for one sequence: masks, samples, emits; sets job.over at the end.
void BatchScheduler::sample(Job& job, const float* logits, int64_t vocab) {
  const LoadedModel& loaded = *model_;
  GeneratedToken token;
  if (job.masker) {
    const grammar::TokenMask* mask = nullptr;
    try {
      mask = &job.masker->mask();
    } catch (const grammar::GrammarError& e) {
      throw sdk::Error(NT_INVALID_ARGUMENT, std::string("request: the grammar cannot be run: ") + e.what());
    }
    if (mask->count() == 0) {
      throw sdk::Error(NT_INVALID_ARGUMENT, "request: no token of this model's vocabulary can continue the "
                                            "grammar's text after " + std::to_string(job.end.generated) + " tokens");
    }
    job.masked.assign(logits, logits + vocab);
    apply_mask(*mask, job.masked.data(), vocab);
    token.choice = job.sampler.next(job.masked.data(), vocab);
    if (!loaded.is_stop(token.choice.token)) {
      job.masker->accept(token.choice.token, loaded.visible_bytes(token.choice.token));
    }
  } else {
    token.choice = job.sampler.next(logits, vocab);
  }
  GenerationEnd& end = job.end;
  if (loaded.is_stop(token.choice.token)) {
    end.finish_reason = "stop";
    end.stop_token = token.choice.token;
    job.over = true;
    return;
  }
  StreamedText::Step shown = job.text.push(loaded.visible_bytes(token.choice.token));
  token.delta = std::move(shown.delta);
  ++end.generated;
  job.next = token.choice.token;
  {
    std::lock_guard<std::mutex> lock(job.mutex);
    job.out.push_back(std::move(token));
  }
  job.ready.notify_all();
  if (shown.stop_hit) {
    end.finish_reason = "stop";
    end.stop_string = shown.stop_hit;
    job.over = true;
  } else if (end.generated >= job.plan.max_tokens) {
    job.over = true;  // finish_reason stays "length"
  }
}

void BatchScheduler::remove(size_t slot) {
  if (slot < decoding_) {
    const size_t last = decoding_ - 1;
    if (slot != last) {
      cache_->copy_sequence(static_cast<int64_t>(last), static_cast<int64_t>(slot));
      running_[slot] = std::move(running_[last]);
    }
    if (running_.size() > decoding_) {  // the part-prefilled sequence moves down next to them
      cache_->copy_sequence(static_cast<int64_t>(decoding_), static_cast<int64_t>(last));
      running_[last] = std::move(running_[decoding_]);
    }
    --decoding_;
  }
  running_.pop_back();
}

void BatchScheduler::loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || (!paused_ && (!waiting_.empty() || !running_.empty())); });
    if (stopping_) break;
    step(lock);
  }
  const auto gone = std::make_exception_ptr(
      sdk::Error(NT_UNAVAILABLE, "the LLM task was unloaded while this request ran; retry on another miner"));
  for (auto& job : running_) finish(*job, gone);
  for (auto& job : waiting_) finish(*job, gone);
  running_.clear();
  waiting_.clear();
}

// One step: prefill joining requests (up to prefill_chunk prompt tokens), then one decode pass
// over every decoding sequence. Called with `lock` held; computes without it.
void BatchScheduler::step(std::unique_lock<std::mutex>& lock) {
  const models::LlamaModel& model = *model_->model;
  const size_t max_batch = static_cast<size_t>(std::max(1, settings_.max_batch));
  // Requests whose caller left.
  for (size_t i = running_.size(); i-- > 0;) {
    if (running_[i]->cancelled) {
      finish(*running_[i], nullptr);
      remove(i);
    }
  }
  if (!cache_) {
    lock.unlock();
    try {
      cache_.emplace(model.new_cache(static_cast<int64_t>(max_batch), settings_.capacity));
    } catch (...) {
      const std::exception_ptr error = std::current_exception();
      lock.lock();
      for (auto& job : waiting_) finish(*job, error);
      waiting_.clear();
      return;
    }
    lock.lock();
  }
  int64_t budget = settings_.prefill_chunk;
  while (budget > 0) {
    if (running_.size() == decoding_) {  // nobody part-way: admit the next waiting request
      if (running_.size() >= max_batch || waiting_.empty()) break;
      std::shared_ptr<Job> job = std::move(waiting_.front());
      waiting_.pop_front();
      if (job->cancelled) continue;
      cache_->reset(static_cast<int64_t>(running_.size()));
      running_.push_back(std::move(job));
    }
    Job& job = *running_[decoding_];
    const int64_t prompt = static_cast<int64_t>(job.plan.prompt.size());
    const int64_t chunk = std::min(budget, prompt - job.prefilled);
    std::vector<int32_t> tokens(job.plan.prompt.begin() + job.prefilled,
                                job.plan.prompt.begin() + job.prefilled + chunk);
    ++stats_.prefills;  // counted before any caller can see its end
    lock.unlock();
    try {
      models::Logits logits = model.forward_slots(static_cast<int64_t>(decoding_), {tokens}, *cache_);
      job.prefilled += chunk;
      if (job.prefilled == prompt) sample(job, logits.last_row(0), logits.vocab);
    } catch (...) {
      job.over = true;
      finish(job, std::current_exception());
      job.prefilled = -1;  // failed
    }
    lock.lock();
    budget -= chunk;
    if (job.prefilled == -1 || (job.over && job.prefilled == prompt)) {
      if (job.prefilled != -1) finish(job, nullptr);
      running_.pop_back();
    } else if (job.prefilled == prompt) {
      ++decoding_;
    } else {
      break;  // the rest of its prompt next step
    }
  }
  if (decoding_ == 0) return;

  const size_t batch = decoding_;
  std::vector<std::vector<int32_t>> tokens(batch);
  for (size_t i = 0; i < batch; ++i) tokens[i] = {running_[i]->next};
  ++stats_.steps;
  stats_.decoded += batch;
  stats_.most_running = std::max<int64_t>(stats_.most_running, static_cast<int64_t>(batch));
  lock.unlock();
  std::exception_ptr failed;
  models::Logits logits;
  try {
    logits = model.forward_slots(0, tokens, *cache_);
  } catch (...) {
    failed = std::current_exception();
  }
  for (size_t i = 0; i < batch; ++i) {
    Job& job = *running_[i];
    if (failed) {
      job.over = true;
      finish(job, failed);
      continue;
    }
    try {
      sample(job, logits.last_row(static_cast<int64_t>(i)), logits.vocab);
      if (job.over) finish(job, nullptr);
    } catch (...) {
      job.over = true;
      finish(job, std::current_exception());
    }
  }
  lock.lock();
  for (size_t i = batch; i-- > 0;) {
    if (running_[i]->over) remove(i);
  }
}

std::shared_ptr<BatchScheduler> BatchSchedulers::get(const std::shared_ptr<const LoadedModel>& model,
                                                     const BatchSettings& settings) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto key = std::make_tuple(model.get(), settings.max_batch, settings.capacity, settings.prefill_chunk);
  if (auto shared = schedulers_[key].lock()) return shared;
  auto fresh = std::make_shared<BatchScheduler>(model, settings);
  schedulers_[key] = fresh;
  return fresh;
}

}  // namespace nineteen::llm
