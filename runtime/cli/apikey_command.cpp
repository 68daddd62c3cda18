// `nineteen apikey`: create (the key shown once, its hash stored), list, revoke and usage.
#include "nineteen/cli/commands.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <regex>
#include <stdexcept>

#include "nineteen/gateway/api_key_text.hpp"
#include "nineteen/gateway/key_usage_ledger.hpp"
#include "nineteen/store/sqlite_validator_store.hpp"

namespace nineteen::gateway {
namespace {

const char* kUsage = R"(usage:
  nineteen apikey create --db FILE --name NAME [--rpm R] [--work-per-minute T] [--work-per-day W]
                                         a new key, printed once (only its hash is stored)
  nineteen apikey list --db FILE          every key: id, name, limits, created, revoked
  nineteen apikey revoke ID --db FILE     the key stops working (within the gateway's key_cache_s)
  nineteen apikey usage ID --db FILE [--day YYYY-MM-DD]
                                         requests and work by task on a UTC day (default today)
FILE is the validator's store (the "db" of its settings). 0 or no --rpm / --work-per-minute / --work-per-day: no limit. Work is the task's unit (tokens for text).
)";

class ApiKeyUsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Arguments {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;
};

Arguments read_arguments(const std::vector<std::string>& args, const std::vector<std::string>& allowed) {
  Arguments out;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) != 0) {
      out.positional.push_back(a);
      continue;
    }
    std::string name = a.substr(2), value;
    auto eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else {
      if (i + 1 >= args.size()) throw ApiKeyUsageError("--" + name + " needs a value");
      value = args[++i];
    }
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      throw ApiKeyUsageError("unknown option --" + name + " for `apikey " + args[0] + "`");
    }
    out.options[name] = value;
  }
  return out;
}

std::string require(const Arguments& a, const std::string& name, const std::string& what) {
  auto it = a.options.find(name);
  if (it == a.options.end() || it->second.empty()) throw ApiKeyUsageError("--" + name + " is missing: " + what);
  return it->second;
}

double limit_option(const Arguments& a, const std::string& name) {
  auto it = a.options.find(name);
  if (it == a.options.end()) return 0;
  size_t used = 0;
  double v = -1;
  try {
    v = std::stod(it->second, &used);
  } catch (...) {
    used = 0;
  }
  if (used != it->second.size() || !std::isfinite(v) || v < 0) {
    throw ApiKeyUsageError("--" + name + ": expected a number ≥ 0 (0 = no limit), got \"" + it->second + "\"");
  }
  return v;
}

std::int64_t key_id(const Arguments& a, const std::string& command) {
  if (a.positional.size() != 1) throw ApiKeyUsageError("`apikey " + command + "` takes one key ID (see `apikey list`)");
  const std::string& text = a.positional[0];
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos) {
    throw ApiKeyUsageError("key ID: expected a number from `apikey list`, got \"" + text + "\"");
  }
  return std::stoll(text);
}

// Opens an existing store; only `create` may make a new file.
std::unique_ptr<store::SqliteValidatorStore> open_store(const std::string& path, bool may_create) {
  if (!may_create && !std::filesystem::exists(path)) {
    throw std::runtime_error(path + ": no such file (give the validator's store, its settings' \"db\"; "
                             "`apikey create --db FILE` makes one)");
  }
  return std::make_unique<store::SqliteValidatorStore>(path);
}

std::string limit_text(double v, const char* unit) {
  if (v <= 0) return std::string("no limit on ") + unit;
  char text[64];
  std::snprintf(text, sizeof text, "%g %s", v, unit);
  return text;
}

std::string utc_time(store::TimePoint t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%SZ", &tm);
  return text;
}

int create(const std::vector<std::string>& args) {
  Arguments a = read_arguments(args, {"db", "name", "rpm", "work-per-minute", "work-per-day"});
  if (!a.positional.empty()) throw ApiKeyUsageError("unexpected argument \"" + a.positional[0] + "\"");
  store::ApiKeyRecord record;
  const std::string db = require(a, "db", "the validator's store file");
  record.name = require(a, "name", "a name for whom the key is for (shown in metrics)");
  record.requests_per_minute = limit_option(a, "rpm");
  record.work_per_day = limit_option(a, "work-per-day");
  record.work_per_minute = limit_option(a, "work-per-minute");
  const std::string key = new_api_key();
  record.key_hash = api_key_hash(key);
  record.created_at = std::chrono::system_clock::now();
  std::int64_t id = open_store(db, true)->add_api_key(record);
  std::cout << key << "\n";
  std::cout << "API key " << id << " \"" << record.name << "\": "
            << limit_text(record.requests_per_minute, "requests per minute") << ", "
            << limit_text(record.work_per_minute, "work (tokens) per minute") << ", "
            << limit_text(record.work_per_day, "work per day") << "\n"
            << "This is the only time the key is shown: only its hash is kept in " << db << ".\n";
  return 0;
}

int list(const std::vector<std::string>& args) {
  Arguments a = read_arguments(args, {"db"});
  if (!a.positional.empty()) throw ApiKeyUsageError("unexpected argument \"" + a.positional[0] + "\"");
  auto keys = open_store(require(a, "db", "the validator's store file"), false)->api_keys();
  if (keys.empty()) {
    std::cout << "no API keys (make one with `nineteen apikey create`)\n";
    return 0;
  }
  std::printf("%-5s %-24s %10s %12s %14s %-21s %s\n", "id", "name", "rpm", "work/min", "work/day", "created", "revoked");
  for (const auto& k : keys) {
    std::printf("%-5lld %-24s %10g %12g %14g %-21s %s\n", static_cast<long long>(k.id), k.name.c_str(),
                k.requests_per_minute, k.work_per_minute, k.work_per_day, utc_time(k.created_at).c_str(),
                k.revoked_at ? utc_time(*k.revoked_at).c_str() : "-");
  }
  return 0;
}

int revoke(const std::vector<std::string>& args) {
  Arguments a = read_arguments(args, {"db"});
  std::int64_t id = key_id(a, "revoke");
  auto store = open_store(require(a, "db", "the validator's store file"), false);
  if (!store->revoke_api_key(id, std::chrono::system_clock::now())) {
    std::cerr << "nineteen apikey revoke: no key " << id << " that is not revoked already (see `apikey list`)\n";
    return 1;
  }
  std::cout << "API key " << id << " revoked\n";
  return 0;
}

int usage(const std::vector<std::string>& args) {
  Arguments a = read_arguments(args, {"db", "day"});
  std::int64_t id = key_id(a, "usage");
  std::string day = utc_day(std::chrono::system_clock::now());
  if (auto it = a.options.find("day"); it != a.options.end()) {
    if (!std::regex_match(it->second, std::regex("[0-9]{4}-[0-9]{2}-[0-9]{2}"))) {
      throw ApiKeyUsageError("--day: expected YYYY-MM-DD (a UTC day), got \"" + it->second + "\"");
    }
    day = it->second;
  }
  auto store = open_store(require(a, "db", "the validator's store file"), false);
  bool known = false;
  for (const auto& k : store->api_keys()) known = known || k.id == id;
  if (!known) {
    std::cerr << "nineteen apikey usage: no key " << id << " (see `apikey list`)\n";
    return 1;
  }
  auto rows = store->api_key_usage(id, day);
  std::cout << "API key " << id << " on " << day << " (UTC)\n";
  std::printf("%-32s %10s %14s\n", "task", "requests", "work");
  std::uint64_t requests = 0;
  double work = 0;
  for (const auto& u : rows) {
    std::printf("%-32s %10llu %14.1f\n", u.task.c_str(), static_cast<unsigned long long>(u.requests), u.work);
    requests += u.requests;
    work += u.work;
  }
  std::printf("%-32s %10llu %14.1f\n", "total", static_cast<unsigned long long>(requests), work);
  return 0;
}

}  // namespace

int apikey_command(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  try {
    if (args[0] == "create") return create(args);
    if (args[0] == "list") return list(args);
    if (args[0] == "revoke") return revoke(args);
    if (args[0] == "usage") return usage(args);
    throw ApiKeyUsageError("unknown subcommand \"" + args[0] + "\"");
  } catch (const ApiKeyUsageError& e) {
    std::cerr << "nineteen apikey: " << e.what() << "\n\n" << kUsage;
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "nineteen apikey " << args[0] << ": " << e.what() << "\n";
    return 1;
  }
}

}  // namespace nineteen::gateway
