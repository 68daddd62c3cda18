// The conformance checks every task must pass (STYLE.md): determinism, self-consistency, sensitivity
// to a perturbed answer, and load -> init -> finalize -> reload cycles.
#pragma once

#include <string>
#include <vector>

namespace nineteen::plugin_host {

class PluginHost;

struct ConformanceCheck {
  std::string name;
  bool passed = false;
  std::string detail;
};

struct ConformanceReport {
  std::string task;
  std::vector<ConformanceCheck> checks;
  bool passed() const;
};

// Runs the checks on the host's live task `task_name` (and fresh loads of its plugin file).
ConformanceReport run_conformance(PluginHost& host, const std::string& task_name, int seeds = 3);

// Changes every string (reversed, plus a marker) and every number (n+1 for integers, x*1.25+0.5 for
// others) in a JSON document: the generic perturbation of an answer.
std::string perturb_json(const std::string& json);

}  // namespace nineteen::plugin_host
