// The synthetic sender: threads that send the period clock's synthetic requests and record each outcome.
#include <spdlog/spdlog.h>

#include "nineteen/plugin_host/plugin_host.hpp"
#include "validator_loops.hpp"

namespace nineteen::validator::loops {

void SyntheticSender::start() {
  for (size_t i = 0; i < config.senders; ++i) threads_.emplace_back([this] { run(); });
}

void SyntheticSender::join() {
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void SyntheticSender::enqueue_locked(SendJob job) { send_queue_.push_back(std::move(job)); }

void SyntheticSender::finish_locked() {
  send_queue_.clear();
  stopped_ = true;
  board.changed.notify_all();
}

void SyntheticSender::run() {
  while (true) {
    SendJob job;
    {
      std::unique_lock<std::mutex> lock(board.mutex);
      board.changed.wait(lock, [&] { return stopped_ || !send_queue_.empty(); });
      if (send_queue_.empty()) return;  // stopped
      job = std::move(send_queue_.front());
      send_queue_.pop_front();
      ++in_flight_;
    }
    try {
      send(job);
    } catch (const std::exception& e) {
      // A full disk fails every send the same way: the first is logged, then one line per 10 s.
      const std::size_t missed = ++unrecorded_sends_;
      const auto now = std::chrono::steady_clock::now();
      std::lock_guard<std::mutex> lock(log_mutex_);
      if (now - last_unrecorded_log_ >= std::chrono::seconds(10)) {
        spdlog::warn("synthetic request to {} for {} not recorded ({} so far): {}", job.contender.row.miner_hotkey,
                     job.contender.row.task, missed, e.what());
        last_unrecorded_log_ = now;
      }
    }
    std::lock_guard<std::mutex> lock(board.mutex);
    --in_flight_;
    board.changed.notify_all();
  }
}

void SyntheticSender::send(const SendJob& job) {
  const Contender& c = job.contender;
  auto task = parts.host->task(c.row.task);
  if (!task) return;  // the validator cannot make this task's requests now: not the miner's fault
  const std::string request = with_model(task->synthesize(core.draw_seed()), c.row.task);
  const bool stream = wants_stream(request);
  const QueryTimeouts timeouts =
      QueryTimeouts::for_request(c.timeout_s, config.answer_timeout_s, task->info().stream, stream);
  // One client per sender thread (its kept-alive connections), made again if the CA setting differs.
  thread_local std::unique_ptr<net::HttpClient> client;
  thread_local std::string client_ca;
  if (!client || client_ca != config.miners_ca_file) {
    client = std::make_unique<net::HttpClient>(core.miner_client_options());
    client_ca = config.miners_ca_file;
  }
  QueryResult result = query_miner(*client, core.hotkey, MinerAddress{c.row.miner_hotkey, c.base_url}, c.endpoint,
                                   request, stream, timeouts);
  double work = 0;
  if (result.outcome == scoring::Outcome::success) {
    try {
      work = task->work(request, result.response_json);
    } catch (const std::exception& e) {
      result.outcome = scoring::Outcome::failed;  // an answer the task cannot read is malformed
      result.error = e.what();
    }
  }
  core.record(job.period_id, c.row.task, c.row.miner_hotkey, result.outcome, work);
  if (result.outcome != scoring::Outcome::success) {
    spdlog::debug("{} {} → {}", c.row.task, c.row.miner_hotkey, result.error);
    return;
  }
  core.keep(c.row.task, c.row.miner_hotkey, c.row.uid, request, result, work, /*synthetic=*/true);
}

}  // namespace nineteen::validator::loops
