// Issue 17, item 5: a soak. Measures the gateway's peak throughput (a miner behind it on loopback,
// the same setup as bench_gateway), then drives it at 80 % of that peak, open loop, for a long while
// and prints, per interval, the throughput, error rate, latency and the process's resident memory,
// so a leak or a slow-down shows as a trend against the first interval.
//   bench_soak [seconds = 600] [intervals = 20] [client threads = 1]   (run from the build folder)
//
// The load generator is asynchronous (Boost.Asio/Beast, one io_context per client thread, each with
// its own pool of keep-alive connections): a request is sent at its scheduled time whatever is still
// outstanding, so the offered rate does not sag when answers slow down, and each latency is counted
// from the scheduled send time, not the actual one (no coordinated omission: a generator that fell
// behind makes the latency worse, not better). A blocking generator of 32 threads, on the same 2
// cores as the gateway and the miner, could send only 47 % of the schedule.
#include <malloc.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "bench_gateway_setup.hpp"
#include "bench_machine.hpp"
#include "bench_miner_setup.hpp"
#include "nineteen/gateway/api_key_text.hpp"
#include "nineteen/gateway/gateway_server.hpp"
#include "nineteen/miner/miner_node.hpp"
#include "nineteen/store/sqlite_validator_store.hpp"

using Clock = std::chrono::steady_clock;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

std::string first_line_field(const char* file, const char* prefix) {
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) == 0) return line.substr(line.find(':') + 1);
  }
  return "";
}

double resident_mb() { return std::atof(first_line_field("/proc/self/status", "VmRSS").c_str()) / 1024.0; }

// Bytes malloc has handed out and not had back, over all arenas: when resident memory grows and this
// does not, the growth is the allocator's free lists, thread stacks or code pages, not a leak.
double heap_in_use_mb() { return static_cast<double>(mallinfo2().uordblks) / (1024.0 * 1024.0); }

double seconds_between(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

// Milliseconds in buckets 1 % wide from 1 µs to 10⁶ ms: percentiles within 1 %, in memory that does
// not grow with the run (the soak measures the process's resident memory, its own figures included).
class Histogram {
 public:
  Histogram() : counts_(kBuckets, 0) {}
  void add(double ms) {
    const double v = std::max(ms, kLowest);
    const auto b = static_cast<size_t>(std::log(v / kLowest) / std::log(kStep));
    ++counts_[std::min(b, kBuckets - 1)];
    ++total_;
    max_ = std::max(max_, ms);
  }
  void merge(const Histogram& other) {
    for (size_t b = 0; b < kBuckets; ++b) counts_[b] += other.counts_[b];
    total_ += other.total_;
    max_ = std::max(max_, other.max_);
  }
  std::uint64_t count() const { return total_; }
  double max() const { return max_; }
  // The upper edge of the bucket holding the p-th share of the values (0 when there are none).
  double percentile(double p) const {
    if (total_ == 0) return 0;
    const auto rank = std::min<std::uint64_t>(total_ - 1, static_cast<std::uint64_t>(static_cast<double>(total_) * p));
    std::uint64_t seen = 0;
    for (size_t b = 0; b < kBuckets; ++b) {
      seen += counts_[b];
      if (seen > rank) return std::min(max_, kLowest * std::pow(kStep, static_cast<double>(b + 1)));
    }
    return max_;
  }

 private:
  static constexpr double kLowest = 0.001, kStep = 1.01;
  static constexpr size_t kBuckets = 2100;  // 1.01^2100 µs > 10⁶ ms
  std::vector<std::uint64_t> counts_;
  std::uint64_t total_ = 0;
  double max_ = 0;
};

// What happened in one interval of the soak: answers binned by when they came, sends by when they
// were due.
struct Interval {
  Histogram latencies_ms;  // from the scheduled send time to the whole answer
  std::size_t errors = 0;
  std::size_t sent = 0;
};

// One request to make: its body, whether it is streamed, and when it was due.
struct Job {
  std::string body;
  bool stream = false;
  Clock::time_point due;
  int tries = 0;
};

// Where the soak's answers go; also used for the closed-loop peak (then `intervals` has one slot).
struct Tally {
  Clock::time_point start;
  double interval_s = 1;
  std::vector<Interval> intervals;
  Histogram send_lag_ms;            // how late each request went out against its schedule
  std::uint64_t not_sent = 0;       // due within the window but not sent by its end
  void answered(const Job& job, bool ok, Clock::time_point now) {
    const int slot = std::min(static_cast<int>(intervals.size()) - 1,
                              std::max(0, static_cast<int>(seconds_between(start, now) / interval_s)));
    if (ok) {
      intervals[slot].latencies_ms.add(std::chrono::duration<double, std::milli>(now - job.due).count());
    } else {
      ++intervals[slot].errors;
    }
  }
};

// A client thread: an io_context, its keep-alive connections (at most `max_connections`, opened as
// needed) and the requests waiting for a free one. Everything of a lane runs on its one thread.
class Lane {
 public:
  Lane(tcp::endpoint gateway, std::string host, std::string api_key, size_t max_connections, Tally& tally)
      : gateway_(gateway), host_(std::move(host)), api_key_(std::move(api_key)), max_connections_(max_connections),
        tally_(tally) {}

  asio::io_context& io() { return io_; }
  size_t connections() const { return connections_.size(); }
  // Requests sent or waiting for a connection and not yet answered (read from any thread).
  size_t outstanding() const { return outstanding_; }
  // The schedule is all sent (or given up at the window's end) (read from any thread).
  bool schedule_done() const { return schedule_done_; }

  // Called on the lane's thread when an answer came or failed (after the tally): the closed loop
  // sends its next request from here.
  std::function<void()> on_answer;

  // Sends `job` now: on an idle connection, a new one, or after the next answer when all are busy.
  void send(Job job) {
    ++outstanding_;
    if (!idle_.empty()) {
      auto c = idle_.back();
      idle_.pop_back();
      start(c, std::move(job));
    } else if (connections_.size() < max_connections_) {
      connections_.push_back(std::make_shared<Connection>(io_));
      start(connections_.back(), std::move(job));
    } else {
      waiting_.push_back(std::move(job));
    }
  }

  // Open loop: sends the requests numbered first, first + step, ... of a schedule of `rate` per
  // second from `start`, each at its time, until `seconds`; `make` gives request n's job.
  void run_schedule(Clock::time_point start, double rate, double seconds, std::uint64_t first, std::uint64_t step,
                    std::function<Job(std::uint64_t)> make) {
    start_ = start;
    rate_ = rate;
    seconds_ = seconds;
    next_ = first;
    step_ = step;
    make_ = std::move(make);
    asio::post(io_, [this] { tick(); });
    // At the window's end what still waits for a connection is not sent: a generator that ran on
    // behind its schedule would measure its own backlog, not the gateway.
    end_timer_.expires_at(start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds)) +
                          kGrace);
    end_timer_.async_wait([this](beast::error_code ec) {
      if (!ec) drop_waiting();
    });
  }

 private:
  void drop_waiting() {
    tally_.not_sent += waiting_.size();
    outstanding_ -= waiting_.size();
    waiting_.clear();
  }

  // A request due in the window's last moments may leave this much after its end.
  static constexpr std::chrono::milliseconds kGrace{250};

  struct Connection {
    explicit Connection(asio::io_context& io) : stream(io) {}
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    std::optional<http::response_parser<http::string_body>> parser;
    bool open = false;
    Job job;
  };
  using Ptr = std::shared_ptr<Connection>;

  void tick() {
    const auto now = Clock::now();
    const auto window_end = start_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds_)) +
                            kGrace;
    while (true) {
      const double at_s = static_cast<double>(next_) / rate_;
      if (at_s >= seconds_) {  // the whole schedule is out
        schedule_done_ = true;
        return;
      }
      const auto at = start_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(at_s));
      if (now >= window_end) {
        // Due inside the window but not sent by its end: the generator fell behind.
        tally_.not_sent += static_cast<std::uint64_t>(std::ceil((seconds_ * rate_ - static_cast<double>(next_)) /
                                                                static_cast<double>(step_)));
        drop_waiting();
        schedule_done_ = true;
        return;
      }
      if (at > now) {
        timer_.expires_at(at);
        timer_.async_wait([this](beast::error_code ec) {
          if (!ec) tick();
        });
        return;
      }
      Job job = make_(next_);
      job.due = at;
      next_ += step_;
      send(std::move(job));
    }
  }

  void start(const Ptr& c, Job job) {
    c->job = std::move(job);
    if (c->job.tries++ == 0) {  // it leaves now: how late, against its schedule
      const auto now = Clock::now();
      tally_.send_lag_ms.add(std::chrono::duration<double, std::milli>(now - c->job.due).count());
      const double due_s = seconds_between(tally_.start, c->job.due);
      ++tally_.intervals[std::min(tally_.intervals.size() - 1, static_cast<size_t>(std::max(0.0, due_s / tally_.interval_s)))].sent;
    }
    auto& r = c->request;
    r = {};
    r.method(http::verb::post);
    r.target("/v1/text/transform");
    r.version(11);
    r.set(http::field::host, host_);
    r.set(http::field::authorization, "Bearer " + api_key_);
    r.set(http::field::content_type, "application/json");
    if (c->job.stream) r.set(http::field::accept, "text/event-stream");
    r.keep_alive(true);
    r.body() = c->job.body;
    r.prepare_payload();
    c->stream.expires_after(std::chrono::seconds(30));
    if (c->open) {
      write(c, true);
      return;
    }
    c->stream.async_connect(gateway_, [this, c](beast::error_code ec) {
      if (ec) return finish(c, false, false);
      c->open = true;
      c->stream.socket().set_option(tcp::no_delay(true));
      write(c, false);
    });
  }

  void write(const Ptr& c, bool reused) {
    http::async_write(c->stream, c->request, [this, c, reused](beast::error_code ec, size_t) {
      if (ec) return finish(c, false, reused && closed_by_peer(ec));
      c->parser.emplace();
      c->parser->body_limit(64 * 1024 * 1024);
      http::async_read(c->stream, c->buffer, *c->parser, [this, c, reused](beast::error_code ec, size_t) {
        if (ec) return finish(c, false, reused && !c->parser->is_header_done() && closed_by_peer(ec));
        const auto& response = c->parser->get();
        const bool ok = response.result_int() == 200 &&
                        (!c->job.stream || response.body().find("data: [DONE]") != std::string::npos);
        if (!response.keep_alive()) close(c);
        finish(c, ok, false);
      });
    });
  }

  static bool closed_by_peer(const beast::error_code& ec) {
    return ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
           ec == asio::error::broken_pipe;
  }

  void close(const Ptr& c) {
    beast::error_code ignored;
    c->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    c->stream.close();
    c->open = false;
    c->buffer.clear();
  }

  // `stale`: a kept-alive connection the gateway had closed (no answer byte came): the request is
  // sent once more on a fresh connection rather than counted as the gateway's error.
  void finish(const Ptr& c, bool ok, bool stale) {
    if (!ok) close(c);
    if (!ok && stale && c->job.tries < 2) {
      start(c, std::move(c->job));
      return;
    }
    tally_.answered(c->job, ok, Clock::now());
    --outstanding_;
    if (!waiting_.empty()) {
      Job next = std::move(waiting_.front());
      waiting_.pop_front();
      start(c, std::move(next));
    } else {
      idle_.push_back(c);
    }
    if (on_answer) on_answer();
  }

  asio::io_context io_;
  tcp::endpoint gateway_;
  std::string host_, api_key_;
  size_t max_connections_;
  Tally& tally_;
  asio::steady_timer timer_{io_}, end_timer_{io_};
  std::vector<Ptr> connections_, idle_;
  std::deque<Job> waiting_;
  std::atomic<size_t> outstanding_{0};
  std::atomic<bool> schedule_done_{false};
  Clock::time_point start_;
  double rate_ = 1, seconds_ = 0;
  std::uint64_t next_ = 0, step_ = 1;
  std::function<Job(std::uint64_t)> make_;
};

// Request n of the soak: half of them streamed, with fresh text each time (varied sizes, as users send).
Job soak_job(std::uint64_t n) {
  std::string text = "soak";
  for (std::uint64_t w = 0; w < 2 + n % 14; ++w) text += " word" + std::to_string((n * 7 + w) % 1000);
  Job job;
  job.stream = n % 2 == 1;
  job.body = R"({"model":"words","text":")" + text + "\"" + (job.stream ? R"(,"stream":true})" : "}");
  return job;
}


// The lanes' threads: each runs its io_context until stop().
class LaneThreads {
 public:
  explicit LaneThreads(std::vector<std::unique_ptr<Lane>>& lanes) : lanes_(lanes) {
    for (auto& lane : lanes_) guards_.push_back(asio::make_work_guard(lane->io()));
    for (auto& lane : lanes_) threads_.emplace_back([&lane] { lane->io().run(); });
  }
  ~LaneThreads() { stop(); }
  // Waits until every lane's answers are in (and with `schedule`, its schedule is out), or until `limit`.
  void drain(Clock::time_point limit, bool schedule) {
    auto busy = [&] {
      for (auto& lane : lanes_) {
        if ((schedule && !lane->schedule_done()) || lane->outstanding() > 0) return true;
      }
      return false;
    };
    while (busy() && Clock::now() < limit) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  void stop() {
    for (auto& lane : lanes_) lane->io().stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

 private:
  std::vector<std::unique_ptr<Lane>>& lanes_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
  std::vector<std::thread> threads_;
};

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each line as it is printed, also into a file
  const double seconds = argc > 1 ? std::atof(argv[1]) : 600;
  const int intervals = argc > 2 ? std::max(2, std::atoi(argv[2])) : 20;
  const int client_threads = argc > 3 ? std::max(1, std::atoi(argv[3])) : 1;
  // Each lane keeps up to this many connections open (a pool: most are idle at 80 % of peak).
  const size_t max_connections = 1024 / static_cast<size_t>(client_threads);
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;  // the client's and the gateway's ends of each connection, and the miner's
    ::setrlimit(RLIMIT_NOFILE, &files);
  }
  bench::BenchMiner setup("bench-soak", 128);
  nineteen::miner::MinerNode miner(setup.config, nineteen::miner::validators_from_node_list(*setup.config.nodes_file));
  bench::BenchGateway under_test(setup.dir, setup.validator, setup.miner_key.ss58_address(), miner.base_url(), 64);
  nineteen::gateway::GatewayServer& gateway = under_test.gateway;
  const std::string& api_key = under_test.api_key;
  // "http://127.0.0.1:PORT"
  const std::string host = gateway.base_url().substr(gateway.base_url().find("//") + 2);
  const tcp::endpoint endpoint(asio::ip::make_address(host.substr(0, host.rfind(':'))),
                               static_cast<unsigned short>(std::stoi(host.substr(host.rfind(':') + 1))));

  std::printf("CPU: %s, %u threads; load average at start: %.2f\n", bench::cpu_model().c_str(),
              bench::hardware_threads(), bench::load_average());
  std::printf("load generator: asynchronous (Boost.Beast), %d client thread%s, keep-alive connections "
              "(at most %zu per thread), open loop\n",
              client_threads, client_threads == 1 ? "" : "s", max_connections);

  // The peak: 16 requests in flight, closed loop, for 5 s, by the same client.
  const int peak_in_flight = 16;
  const double peak_seconds = 5;
  double peak_rate = 0, peak_p99 = 0;
  std::size_t peak_errors = 0;
  {
    std::vector<Tally> tallies(client_threads);
    std::vector<std::unique_ptr<Lane>> lanes;
    const auto start = Clock::now();
    const auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(peak_seconds));
    for (int l = 0; l < client_threads; ++l) {
      tallies[l].start = start;
      tallies[l].interval_s = peak_seconds;
      tallies[l].intervals.resize(1);
      lanes.push_back(std::make_unique<Lane>(endpoint, host, api_key, max_connections, tallies[l]));
    }
    // The same mix as the soak (half streamed, varied text): 80 % of a peak of whole answers alone
    // would be more than the gateway can take of the mix.
    for (int l = 0; l < client_threads; ++l) {
      Lane* lane = lanes[l].get();
      auto next = std::make_shared<std::uint64_t>(static_cast<std::uint64_t>(l));
      auto job = [next, step = static_cast<std::uint64_t>(client_threads)] {
        Job j = soak_job(*next);
        *next += step;
        j.due = Clock::now();
        return j;
      };
      lane->on_answer = [lane, end, job] {
        if (Clock::now() < end) lane->send(job());
      };
      for (int i = l; i < peak_in_flight; i += client_threads) {
        asio::post(lane->io(), [lane, job] { lane->send(job()); });
      }
    }
    LaneThreads threads(lanes);
    std::this_thread::sleep_until(end);
    threads.drain(end + std::chrono::seconds(30), false);
    threads.stop();
    const double elapsed = seconds_between(start, Clock::now());
    Histogram all;
    for (Tally& t : tallies) {
      all.merge(t.intervals[0].latencies_ms);
      peak_errors += t.intervals[0].errors;
    }
    // Answers that came after `end` are in `all` too: the rate is over the time they took.
    peak_rate = static_cast<double>(all.count()) / elapsed;
    peak_p99 = all.percentile(0.99);
  }
  const double rate = 0.8 * peak_rate;
  std::printf("peak %.0f req/s (%d in flight, closed loop, the soak's mix, p99 %.2f ms, %zu errors); soak at 80 %% = %.0f req/s "
              "for %.0f s, %d intervals\n",
              peak_rate, peak_in_flight, peak_p99, peak_errors, rate, seconds, intervals);
  std::printf("latency: from each request's scheduled send time to its whole answer (streams: to [DONE])\n\n");
  if (rate <= 0) {
    std::printf("no answer at the peak: nothing to soak\n");
    return 1;
  }

  // The soak: lane l sends requests l, l + L, l + 2L, ... of one schedule at `rate`.
  const auto start = Clock::now() + std::chrono::milliseconds(100);
  const double interval_s = seconds / intervals;
  std::vector<Tally> tallies(client_threads);
  std::vector<std::unique_ptr<Lane>> lanes;
  for (int l = 0; l < client_threads; ++l) {
    tallies[l].start = start;
    tallies[l].interval_s = interval_s;
    tallies[l].intervals.resize(intervals);
    lanes.push_back(std::make_unique<Lane>(endpoint, host, api_key, max_connections, tallies[l]));
    lanes.back()->run_schedule(start, rate, seconds, static_cast<std::uint64_t>(l),
                               static_cast<std::uint64_t>(client_threads), soak_job);
  }
  std::vector<double> rss(intervals, 0), heap(intervals, 0);
  std::size_t connections = 0;
  {
    LaneThreads threads(lanes);
    // Resident memory at the end of each interval, while the load runs, and the interval's row as it
    // ends (answers are binned by when they came, so the row is final): a stall shows while it lasts.
    std::printf("live: %8s %10s %8s %9s %9s %9s %9s %8s\n", "t (s)", "req/s", "errors", "p50 ms", "p99 ms", "RSS MB",
                "heap MB", "backlog");
    for (int i = 0; i < intervals; ++i) {
      std::this_thread::sleep_until(start + std::chrono::duration_cast<Clock::duration>(
                                                std::chrono::duration<double>(interval_s * (i + 1))));
      rss[i] = resident_mb();
      heap[i] = heap_in_use_mb();
      Interval row;
      std::size_t backlog = 0;
      for (int l = 0; l < client_threads; ++l) {
        // Read on the lane's own thread, which is the only one that writes its tally.
        std::promise<Interval> copy;
        asio::post(lanes[l]->io(), [&copy, &tally = tallies[l], i] { copy.set_value(tally.intervals[i]); });
        Interval part = copy.get_future().get();
        row.latencies_ms.merge(part.latencies_ms);
        row.errors += part.errors;
        backlog += lanes[l]->outstanding();
      }
      std::printf("live: %8.0f %10.0f %8zu %9.3f %9.3f %9.1f %9.1f %8zu\n", interval_s * (i + 1),
                  static_cast<double>(row.latencies_ms.count()) / interval_s, row.errors,
                  row.latencies_ms.percentile(0.5), row.latencies_ms.percentile(0.99), rss[i], heap[i], backlog);
    }
    // The last answers (each request gives up after 30 s).
    threads.drain(Clock::now() + std::chrono::seconds(35), true);
    threads.stop();
    for (auto& lane : lanes) connections += lane->connections();
  }
  std::vector<Interval> results(intervals);
  Histogram lag;
  std::uint64_t not_sent = 0;
  for (Tally& t : tallies) {
    for (int i = 0; i < intervals; ++i) {
      auto& from = t.intervals[i];
      results[i].latencies_ms.merge(from.latencies_ms);
      results[i].errors += from.errors;
      results[i].sent += from.sent;
    }
    lag.merge(t.send_lag_ms);
    not_sent += t.not_sent;
  }

  std::printf("%8s %10s %10s %8s %9s %9s %9s %13s %9s\n", "t (s)", "sent/s", "req/s", "errors", "p50 ms", "p99 ms",
              "RSS MB", "RSS vs first", "heap MB");
  double first_rate = 0, last_rate = 0;
  std::size_t sent = 0;
  for (int i = 0; i < intervals; ++i) {
    const Histogram& lat = results[i].latencies_ms;
    const double done = static_cast<double>(lat.count());
    const double r = done / interval_s;
    const double total = done + static_cast<double>(results[i].errors);
    sent += results[i].sent;
    if (i == 0) first_rate = r;
    last_rate = r;
    std::printf("%8.0f %10.0f %10.0f %7.3f%% %9.3f %9.3f %9.1f %+12.1f%% %9.1f\n", interval_s * (i + 1),
                static_cast<double>(results[i].sent) / interval_s, r,
                total > 0 ? 100.0 * static_cast<double>(results[i].errors) / total : 0.0, lat.percentile(0.5),
                lat.percentile(0.99), rss[i], 100.0 * (rss[i] / rss[0] - 1), heap[i]);
  }
  const double scheduled = std::ceil(seconds * rate);
  std::printf("\nsent %zu of %.0f scheduled requests (%.1f %%)%s\n", sent, scheduled,
              100.0 * static_cast<double>(sent) / scheduled,
              not_sent > 0 ? "; the rest were still unsent at the window's end: the generator's thread fell "
                             "behind (the machine busy with other work?), or every connection was waiting for "
                             "the gateway (see the connections opened below)"
                           : "");
  std::printf("sent behind schedule by p50 %.3f ms, p99 %.3f ms, max %.3f ms; %zu connections opened\n",
              lag.percentile(0.5), lag.percentile(0.99), lag.max(), connections);
  const double peak_rss = *std::max_element(rss.begin(), rss.end());
  std::printf("\nthroughput last/first interval %.3f; resident memory last/first %.3f, peak/first %.3f\n",
              first_rate > 0 ? last_rate / first_rate : 0.0, rss.back() / rss.front(), peak_rss / rss.front());
  // The miner keeps every nonce it saw for its 120 s replay window (about 100 bytes each), so memory
  // rises for the first two minutes by design; flat means flat after that.
  const int settled = static_cast<int>(std::ceil(150.0 / interval_s)) - 1;
  if (settled > 0 && settled < intervals - 1) {
    const double after = *std::max_element(rss.begin() + settled, rss.end());
    const double growth = after / rss[settled];
    std::printf("after the replay window (from t = %.0f s): resident memory last/then %.3f, peak/then %.3f: %s\n",
                interval_s * (settled + 1), rss.back() / rss[settled], growth,
                growth <= 1.10 ? "flat (within 10 %)" : "NOT flat (grew over 10 %)");
  }
  gateway.stop();
  miner.stop();
  return 0;
}
