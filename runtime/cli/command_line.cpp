// Parsing of subcommand arguments.
#include "command_line.hpp"

#include <fstream>
#include <sstream>

namespace nineteen::cli {

CommandLine::CommandLine(const std::vector<std::string>& args, const std::set<std::string>& flags) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) == 0 && a.size() > 2) {
      std::string key = a.substr(2);
      auto eq = key.find('=');
      if (eq != std::string::npos) {
        values_[key.substr(0, eq)] = key.substr(eq + 1);
      } else if (flags.count(key)) {
        flags_.insert(key);
      } else {
        if (i + 1 >= args.size()) throw UsageError("option --" + key + " needs a value");
        values_[key] = args[++i];
      }
    } else {
      positional_.push_back(a);
    }
  }
}

std::optional<std::string> CommandLine::get(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string CommandLine::require(const std::string& key, const std::string& usage) const {
  auto v = get(key);
  if (!v) throw UsageError("missing --" + key + "\nusage: " + usage);
  return *v;
}

void CommandLine::allow_only(const std::set<std::string>& known, const std::string& usage) const {
  for (const auto& [key, value] : values_) {
    if (!known.count(key)) throw UsageError("unknown option --" + key + "\nusage: " + usage);
  }
  for (const auto& key : flags_) {
    if (!known.count(key)) throw UsageError("unknown option --" + key + "\nusage: " + usage);
  }
}

std::string read_inline_or_file(const std::string& value, const std::string& what) {
  if (value.empty() || value[0] != '@') return value;
  std::ifstream in(value.substr(1), std::ios::binary);
  if (!in) throw UsageError(what + ": cannot read file " + value.substr(1));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace nineteen::cli
