// Real `nineteen miner` processes on loopback for the gateway's tests: each with its own hotkey,
// all trusting one validator key (the one the gateway signs with), sharing one catalogue.
#pragma once

#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "nineteen/keys/hotkey.hpp"
#include "nineteen/keys/hotkey_file.hpp"
#include "nineteen/validator/organic_routing.hpp"

namespace gateway_testing {

struct FleetMiner {
  std::string name;
  nineteen::keys::Hotkey key = nineteen::keys::Hotkey::generate();
  std::uint16_t uid = 0;
  std::string url;
  std::unique_ptr<test_support::ChildProcess> process;

  nineteen::validator::OrganicCandidate candidate(const std::string& endpoint) const {
    nineteen::validator::OrganicCandidate c;
    c.miner = {key.ss58_address(), url};
    c.uid = uid;
    c.endpoint = endpoint;
    c.timeouts.first_byte = std::chrono::milliseconds(3000);
    c.timeouts.total = std::chrono::milliseconds(20000);
    return c;
  }
};

class MinerFleet {
 public:
  // `catalogue`: the tasks.toml miners read unless started with another.
  MinerFleet(const nineteen::keys::Hotkey& validator, const std::string& catalogue)
      : dir_("gateway-miners") {
    dir_.write("nodes.json", "[{\"hotkey\":\"" + validator.ss58_address() + "\",\"stake\":5000,\"role\":\"validator\"}]");
    dir_.write("tasks.toml", catalogue);
  }

  // Another catalogue (a miner loads every plugin its catalogue names, so model tasks get their own).
  void add_catalogue(const std::string& file, const std::string& catalogue) { dir_.write(file, catalogue); }

  // Starts a miner; `task_tables` are its [miner.tasks.*] tables. Returns it once it listens.
  FleetMiner& start(const std::string& name, std::uint16_t uid, const std::string& task_tables,
                    const std::string& catalogue_file = "tasks.toml") {
    auto m = std::make_unique<FleetMiner>();
    m->name = name;
    m->uid = uid;
    nineteen::keys::save_hotkey(m->key, dir_.file(name + ".key.json"));
    dir_.write(name + ".toml", "[miner]\nhotkey = \"" + name + ".key.json\"\nnodes = \"nodes.json\"\n"
                               "tasks_file = \"" + catalogue_file + "\"\nmin_validator_stake = 100\n" + task_tables);
    m->process = std::make_unique<test_support::ChildProcess>(
        NINETEEN_BINARY, std::vector<std::string>{"miner", "--config", dir_.file(name + ".toml")}, dir_.file(name + ".log"));
    auto url = m->process->wait_for_line(std::regex("listening on (http://[0-9.:]+)"), std::chrono::seconds(60));
    if (!url) throw std::runtime_error("miner " + name + " did not start:\n" + m->process->output());
    m->url = *url;
    miners_.push_back(std::move(m));
    return *miners_.back();
  }

  // Kills a miner (SIGKILL) and waits for it: its address now refuses connections.
  void kill(FleetMiner& m) {
    m.process->signal(SIGKILL);
    m.process->wait_exit();
  }

  const test_support::ScratchDir& dir() const { return dir_; }

 private:
  test_support::ScratchDir dir_;
  std::vector<std::unique_ptr<FleetMiner>> miners_;
};

}  // namespace gateway_testing
