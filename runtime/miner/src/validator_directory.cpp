// The node-list-file validator directory (until the chain is configured).
#include "nineteen/miner/validator_directory.hpp"

#include <filesystem>
#include <map>
#include <mutex>

#include <spdlog/spdlog.h>

#include "nineteen/chain/open_chain.hpp"

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

class ChainDirectory : public ValidatorDirectory {
 public:
  ChainDirectory(const std::string& url, std::optional<std::uint16_t> netuid, double refresh_s)
      : url_(url), client_(chain::open_chain(url, netuid)), refresh_(refresh_s) {}

  std::optional<double> stake_of(const std::string& hotkey) override {
    std::lock_guard<std::mutex> lock(mutex_);
    refresh();
    auto it = stakes_.find(hotkey);
    if (it == stakes_.end()) return std::nullopt;
    return it->second;
  }
  double total_validator_stake() override {
    std::lock_guard<std::mutex> lock(mutex_);
    refresh();
    double total = 0;
    for (const auto& [hotkey, stake] : stakes_) total += stake;
    return total;
  }

 private:
  void refresh() {
    auto now = std::chrono::steady_clock::now();
    if (loaded_ && now - last_ < std::chrono::duration<double>(refresh_)) return;
    last_ = now;
    try {
      std::map<std::string, double> fresh;
      for (const chain::Neuron& n : client_->metagraph()) {
        if (n.role == chain::NodeRole::validator) fresh[n.hotkey] = n.stake;
      }
      stakes_ = std::move(fresh);
      loaded_ = true;
    } catch (const std::exception& e) {
      spdlog::warn("metagraph from {}: {} (keeping the last one read)", url_, e.what());
    }
  }

  std::string url_;
  std::shared_ptr<chain::Chain> client_;
  double refresh_;
  std::mutex mutex_;
  std::map<std::string, double> stakes_;
  bool loaded_ = false;
  std::chrono::steady_clock::time_point last_;
};

class EmptyDirectory : public ValidatorDirectory {
 public:
  std::optional<double> stake_of(const std::string&) override { return std::nullopt; }
  double total_validator_stake() override { return 0; }
};

}  // namespace

std::shared_ptr<ValidatorDirectory> validators_from_chain(const std::string& chain_url,
                                                          std::optional<std::uint16_t> netuid, double refresh_s) {
  return std::make_shared<ChainDirectory>(chain_url, netuid, refresh_s);
}

std::shared_ptr<ValidatorDirectory> no_validators() { return std::make_shared<EmptyDirectory>(); }

std::shared_ptr<ValidatorDirectory> validators_from_node_list(const std::string& path) {
  return std::make_shared<NodeListDirectory>(path);
}

}  // namespace nineteen::miner
