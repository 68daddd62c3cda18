// A small parser for `nineteen <command> [--key value] [--flag] [positional...]`.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace nineteen::cli {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class CommandLine {
 public:
  // `flags` are options without a value; every other --option takes one.
  CommandLine(const std::vector<std::string>& args, const std::set<std::string>& flags = {});

  std::optional<std::string> get(const std::string& key) const;
  std::string require(const std::string& key, const std::string& usage) const;
  bool flag(const std::string& key) const { return flags_.count(key) > 0; }
  const std::vector<std::string>& positional() const { return positional_; }
  // Throws UsageError naming the first option not in `known`.
  void allow_only(const std::set<std::string>& known, const std::string& usage) const;

 private:
  std::map<std::string, std::string> values_;
  std::set<std::string> flags_;
  std::vector<std::string> positional_;
};

// JSON given inline or as @FILE.
std::string read_inline_or_file(const std::string& value, const std::string& what);

}  // namespace nineteen::cli
