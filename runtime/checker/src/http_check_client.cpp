// CheckService over HTTP: batches go to POST /check, statuses come from GET /check?id=.
#include "nineteen/checker/http_check_client.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>

#include "check_wire.hpp"
#include "nineteen/net/http_client.hpp"
#include "nineteen/net/http_url.hpp"

namespace nineteen::checker {
namespace {

// Ids the checker gives out are hex digits; anything else cannot name a job (and would need
// escaping in the URL).
bool looks_like_job_id(const std::string& id) {
  return !id.empty() && id.size() <= 64 &&
         std::all_of(id.begin(), id.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
}

class HttpCheckClient : public CheckService {
 public:
  explicit HttpCheckClient(std::string base_url) : base_url_(std::move(base_url)) {
    while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
    std::string problem;
    if (!net::parse_http_url(base_url_, &problem)) {
      throw std::invalid_argument("checker URL \"" + base_url_ + "\": " + problem +
                                  " (expected e.g. \"http://127.0.0.1:8093\")");
    }
  }

  std::string submit(const std::vector<CheckItem>& items) override {
    net::ClientRequest request;
    request.method = "POST";
    request.url = base_url_ + "/check";
    request.headers.set("Content-Type", "application/json");
    request.body = wire::encode_batch(items);
    net::ClientResult r = send(request);
    if (r.status == 202 || r.status == 200) {
      try {
        return wire::decode_job_id(r.body);
      } catch (const wire::WireError& e) {
        throw std::runtime_error("the checker at " + base_url_ + " answered a batch oddly: " + e.what());
      }
    }
    const std::string message = wire::error_message(r.body);
    if (r.status == 503) {
      CheckerBusy busy("the checker at " + base_url_ + " is busy: " + message);
      busy.retry_after_s = retry_after(r);
      throw busy;
    }
    const std::string refused =
        "the checker at " + base_url_ + " refused the batch (" + std::to_string(r.status) + "): " + message;
    if (r.status >= 400 && r.status < 500) throw BatchRejected(refused);
    throw std::runtime_error(refused);
  }

  JobStatus poll(const std::string& job_id) override {
    if (!looks_like_job_id(job_id)) {
      JobStatus unknown;
      unknown.state = JobState::unknown;
      unknown.error = "\"" + job_id + "\" is not a checker job id (ids are hex digits from submit)";
      return unknown;
    }
    net::ClientRequest request;
    request.url = base_url_ + "/check?id=" + job_id;
    net::ClientResult r = send(request);
    if (r.status == 404) {
      JobStatus unknown;
      unknown.state = JobState::unknown;
      unknown.error = wire::error_message(r.body);
      return unknown;
    }
    if (r.status != 200) {
      throw std::runtime_error("the checker at " + base_url_ + " answered " + std::to_string(r.status) +
                               " to a poll of job " + job_id + ": " + wire::error_message(r.body));
    }
    try {
      return wire::decode_status(r.body);
    } catch (const wire::WireError& e) {
      throw std::runtime_error("the checker at " + base_url_ + " sent a job status we cannot read: " + e.what());
    }
  }

 private:
  net::ClientResult send(const net::ClientRequest& request) {
    net::ClientResult r = client_.send(request);
    if (!r.ok()) {
      throw std::runtime_error("cannot reach the checker at " + base_url_ + ": " + r.error_message +
                               " (is `nineteen checker` running there?)");
    }
    return r;
  }

  static double retry_after(const net::ClientResult& r) {
    if (auto header = r.headers.get("Retry-After")) {
      try {
        double s = std::stod(*header);
        if (std::isfinite(s) && s >= 0) return s;
      } catch (const std::exception&) {
        // An HTTP date or junk: fall back to a second.
      }
    }
    return 1;
  }

  std::string base_url_;
  net::HttpClient client_{[] {
    net::ClientOptions o;
    o.timeouts.connect = std::chrono::seconds(5);
    o.timeouts.first_byte = std::chrono::seconds(30);
    o.timeouts.total = std::chrono::seconds(60);
    return o;
  }()};
};

}  // namespace

std::unique_ptr<CheckService> make_http_checker(const std::string& base_url) {
  return std::make_unique<HttpCheckClient>(base_url);
}

}  // namespace nineteen::checker
