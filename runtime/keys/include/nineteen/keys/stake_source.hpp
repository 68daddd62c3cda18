// Who is a validator and with what stake: an interface (the chain client implements it later) and
// a file-backed version reading a JSON node list.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace nineteen::keys {

class StakeSource {
 public:
  virtual ~StakeSource() = default;
  // The stake of the validator with this SS58 hotkey, or nullopt when it is not a known validator.
  // Must be thread-safe.
  virtual std::optional<double> stake_of(const std::string& hotkey_ss58) = 0;
};

struct NodeEntry {
  std::string hotkey;  // SS58
  double stake = 0;
  std::string role;  // "validator", "miner", ...
};

// Reads `[{"hotkey": "5...", "stake": 1000, "role": "validator"}, ...]`. Only entries with role
// "validator" have a stake here. Errors name the file, the entry index and the key.
class FileStakeSource : public StakeSource {
 public:
  // Throws std::runtime_error when the file is missing or malformed.
  explicit FileStakeSource(std::string path);

  std::optional<double> stake_of(const std::string& hotkey_ss58) override;

  // Re-reads the file. On error keeps the previous list and returns the error text; "" on success.
  std::string reload();

  std::vector<NodeEntry> nodes() const;
  const std::string& path() const { return path_; }

 private:
  const std::string path_;
  mutable std::mutex mutex_;
  std::vector<NodeEntry> nodes_;
};

// Parses a node list; `what` names its origin in errors. Throws std::runtime_error.
std::vector<NodeEntry> parse_node_list(const std::string& json_text, const std::string& what);

}  // namespace nineteen::keys
