// The conformance runner: what every task plugin must do, checked through the real host.
#include "nineteen/plugin_host/conformance.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "nineteen/plugin_host/plugin_host.hpp"
#include "nineteen/sdk/json.hpp"

namespace nineteen::plugin_host {
namespace {

void perturb(rapidjson::Value& v, rapidjson::Document::AllocatorType& alloc) {
  if (v.IsString()) {
    std::string s(v.GetString(), v.GetStringLength());
    std::reverse(s.begin(), s.end());
    s += "~";
    v.SetString(s.data(), static_cast<rapidjson::SizeType>(s.size()), alloc);
  } else if (v.IsInt64()) {
    v.SetInt64(v.GetInt64() + 1);
  } else if (v.IsNumber()) {
    v.SetDouble(v.GetDouble() * 1.25 + 0.5);
  } else if (v.IsArray()) {
    for (auto& item : v.GetArray()) perturb(item, alloc);
  } else if (v.IsObject()) {
    for (auto& m : v.GetObject()) perturb(m.value, alloc);
  }
}

std::string fmt(double x) {
  std::ostringstream out;
  out.precision(4);
  out << x;
  return out.str();
}

}  // namespace

bool ConformanceReport::passed() const {
  return !checks.empty() && std::all_of(checks.begin(), checks.end(), [](const ConformanceCheck& c) { return c.passed; });
}

std::string perturb_json(const std::string& json) {
  rapidjson::Document doc;
  if (!sdk::parse_json_bounded(doc, json).empty()) return json + "~";
  perturb(doc, doc.GetAllocator());
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> writer(out);
  doc.Accept(writer);
  return std::string(out.GetString(), out.GetSize());
}

ConformanceReport run_conformance(PluginHost& host, const std::string& task_name, int seeds) {
  ConformanceReport report;
  report.task = task_name;
  auto add = [&](std::string name, bool passed, std::string detail) {
    report.checks.push_back(ConformanceCheck{std::move(name), passed, std::move(detail)});
  };
  std::shared_ptr<LiveTask> task = host.task(task_name);
  if (!task) {
    std::string reason = "not loaded";
    for (const TaskStatus& s : host.statuses()) {
      if (s.name == task_name) reason = task_state_name(s.state) + (s.reason.empty() ? "" : ": " + s.reason);
    }
    add("task loads", false, reason);
    return report;
  }
  add("task loads", true, task->info().json);

  // 1. synthesize is a function of the seed.
  std::vector<std::string> requests;
  try {
    bool same = true;
    for (int s = 1; s <= seeds; ++s) {
      std::string a = task->synthesize(static_cast<uint64_t>(s));
      std::string b = task->synthesize(static_cast<uint64_t>(s));
      same = same && a == b;
      requests.push_back(a);
    }
    std::set<std::string> distinct(requests.begin(), requests.end());
    add("synthesize is deterministic per seed", same, same ? "same seed, same bytes" : "same seed gave different requests");
    add("synthesize varies with the seed", distinct.size() > 1 || seeds < 2,
        std::to_string(distinct.size()) + " distinct requests from " + std::to_string(seeds) + " seeds");
  } catch (const std::exception& e) {
    add("synthesize", false, e.what());
    return report;
  }

  // 2. The task's own answers check as quality >= 0.99; perturbed or swapped answers drop.
  std::vector<std::string> responses;
  std::vector<double> own_quality;
  try {
    for (const std::string& r : requests) responses.push_back(task->serve_collect(r));
    auto outcomes = task->check(requests, responses);
    double worst = 1e9;
    std::string why;
    for (const CheckOutcome& o : outcomes) {
      own_quality.push_back(o.quality);
      if (o.quality < worst) {
        worst = o.quality;
        why = o.reason;
      }
    }
    add("own answers check >= 0.99", worst >= 0.99, "lowest " + fmt(worst) + " (" + why + ")");

    bool batch_equal = true;
    for (size_t i = 0; i < requests.size(); ++i) {
      auto one = task->check({requests[i]}, {responses[i]});
      batch_equal = batch_equal && std::fabs(one[0].quality - outcomes[i].quality) < 1e-9;
    }
    add("batched check equals one-by-one", batch_equal, batch_equal ? "equal" : "a batched quality differs");

    std::vector<std::string> perturbed;
    for (const std::string& r : responses) perturbed.push_back(perturb_json(r));
    auto bad = task->check(requests, perturbed);
    double best_bad = -1e9;
    for (const CheckOutcome& o : bad) best_bad = std::max(best_bad, o.quality);
    add("perturbed answers check < 0.99", best_bad < 0.99, "highest " + fmt(best_bad) + " (" + bad.front().reason + ")");

    if (requests.size() >= 2) {
      std::vector<std::string> swapped(responses.begin() + 1, responses.end());
      swapped.push_back(responses.front());
      auto cross = task->check(requests, swapped);
      double best_cross = -1e9;
      for (const CheckOutcome& o : cross) best_cross = std::max(best_cross, o.quality);
      add("another request's answer checks < 0.99", best_cross < 0.99, "highest " + fmt(best_cross));
    }

    bool work_ok = true;
    std::string works;
    for (size_t i = 0; i < requests.size(); ++i) {
      double w = task->work(requests[i], responses[i]);
      work_ok = work_ok && std::isfinite(w) && w >= 0;
      works += (i ? ", " : "") + fmt(w);
    }
    add("work is finite and >= 0", work_ok, works + " " + task->info().work_unit);
  } catch (const std::exception& e) {
    add("serve/check/work", false, e.what());
  }

  // 3. Bad requests are refused with an error, not a crash.
  for (const char* bad_request : {"not json", "[]", "{}"}) {
    try {
      task->serve_collect(bad_request);
      add(std::string("serve refuses ") + bad_request, false, "it answered");
    } catch (const TaskCallError& e) {
      add(std::string("serve refuses ") + bad_request, e.code() == NT_INVALID_ARGUMENT,
          std::string(code_name(e.code())) + ": " + e.what());
    }
  }

  // 4. load -> init -> task -> self-test -> destroy -> finalize -> unload, twice, from the file.
  const config::TaskEntry* entry = host.catalog().find(task_name);
  try {
    for (int cycle = 1; cycle <= 2; ++cycle) {
      auto library = host.load_library(host.resolve(entry->plugin));
      auto fresh = library->create_task(task_name, entry->plugin_config_json);
      fresh->self_test();
      fresh.reset();
      library.reset();
    }
    add("load/init/finalize/reload cycles", true, "2 cycles");
  } catch (const std::exception& e) {
    add("load/init/finalize/reload cycles", false, e.what());
  }
  return report;
}

}  // namespace nineteen::plugin_host
