// The miner the network benchmarks measure: the model-free `words` task (text_transform) in a
// scratch folder, with a miner key and one validator allowed to call it.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "nineteen/keys/hotkey.hpp"
#include "nineteen/keys/hotkey_file.hpp"
#include "nineteen/miner/miner_config.hpp"

namespace bench {

struct BenchMiner {
  std::filesystem::path dir;
  nineteen::keys::Hotkey miner_key = nineteen::keys::Hotkey::generate();
  nineteen::keys::Hotkey validator = nineteen::keys::Hotkey::generate();
  nineteen::miner::MinerConfig config;

  // Writes the key, node list and catalogue under a fresh folder named after `label`.
  BenchMiner(const std::string& label, int handler_threads) {
    dir = std::filesystem::temp_directory_path() / (label + "-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    nineteen::keys::save_hotkey(miner_key, (dir / "miner.json").string());
    std::ofstream(dir / "nodes.json") << "[{\"hotkey\":\"" << validator.ss58_address()
                                      << "\",\"stake\":1000,\"role\":\"validator\"}]";
    std::ofstream(dir / "tasks.toml") << "[tasks.words]\nplugin = \"text_transform\"\n";
    config.file = (dir / "miner.toml").string();
    config.hotkey_file = (dir / "miner.json").string();
    config.tasks_file = (dir / "tasks.toml").string();
    config.nodes_file = (dir / "nodes.json").string();
    config.handler_threads = handler_threads;
    nineteen::miner::MinerTaskSettings task;
    task.name = "words";
    task.concurrency = 1000;
    config.tasks.push_back(task);
  }
  ~BenchMiner() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

}  // namespace bench
