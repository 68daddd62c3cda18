// The node-list-file validator directory (until the chain is configured).
#include "nineteen/miner/validator_directory.hpp"

#include <filesystem>
#include <mutex>

#include <spdlog/spdlog.h>

namespace nineteen::miner {
namespace {

class NodeListDirectory : public ValidatorDirectory {
 public:
  explicit NodeListDirectory(const std::string& path) : source_(path), stamp_(stamp()) {}

  std::optional<double> stake_of(const std::string& hotkey) override {
    refresh();
    return source_.stake_of(hotkey);
  }
  double total_validator_stake() override {
    refresh();
    double total = 0;
    for (const auto& node : source_.nodes()) {
      if (node.role == "validator") total += node.stake;
    }
    return total;
  }

 private:
  std::filesystem::file_time_type stamp() const {
    std::error_code ec;
    return std::filesystem::last_write_time(source_.path(), ec);
  }
  void refresh() {
    std::lock_guard<std::mutex> lock(mutex_);
    auto now = stamp();
    if (now == stamp_) return;
    stamp_ = now;
    std::string error = source_.reload();
    if (!error.empty()) spdlog::warn("{} (keeping the previous node list)", error);
  }

  keys::FileStakeSource source_;
  std::mutex mutex_;
  std::filesystem::file_time_type stamp_;
};

class EmptyDirectory : public ValidatorDirectory {
 public:
  std::optional<double> stake_of(const std::string&) override { return std::nullopt; }
  double total_validator_stake() override { return 0; }
};

}  // namespace

std::shared_ptr<ValidatorDirectory> no_validators() { return std::make_shared<EmptyDirectory>(); }

std::shared_ptr<ValidatorDirectory> validators_from_node_list(const std::string& path) {
  return std::make_shared<NodeListDirectory>(path);
}

}  // namespace nineteen::miner
