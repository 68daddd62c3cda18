// The validator: its loops (validator_loops.hpp) started, stopped and joined. Each loop lives in its
// own file: period_clock.cpp, synthetic_sender.cpp, check_pump.cpp, weight_setter.cpp, and organic
// routing in organic_routing.cpp, all on the contender board of validator_core.cpp.
#include "nineteen/validator/validator_node.hpp"

#include <stdexcept>

#include "nineteen/chain/chain.hpp"
#include "nineteen/chain/open_chain.hpp"
#include "nineteen/keys/hotkey_file.hpp"
#include "validator_loops.hpp"

namespace nineteen::validator {

ValidatorNode::ValidatorNode(ValidatorConfig config, ValidatorParts parts, ValidatorEvents events)
    : state_(std::make_shared<State>()) {
  loops::ValidatorCore& core = state_->core;
  core.config = std::move(config);
  core.parts = std::move(parts);
  core.events = std::move(events);
  core.hotkey = keys::load_hotkey(core.config.hotkey_file).key;
}

ValidatorNode::~ValidatorNode() {
  stop();
  wait();
}

std::string ValidatorNode::hotkey_address() const { return state_->core.hotkey.ss58_address(); }

void ValidatorNode::start() {
  State& s = *state_;
  const loops::ValidatorCore& core = s.core;
  bool registered = false;
  for (const chain::Neuron& n : core.parts.chain->metagraph()) {
    registered = registered || (n.hotkey == core.hotkey.ss58_address() && n.role == chain::NodeRole::validator);
  }
  if (!registered) {
    const bool local = chain::chain_kind(core.config.chain_url) == chain::ChainKind::local_http;
    throw std::runtime_error(
        "validator " + core.hotkey.ss58_address() + " is not registered as a validator on " + core.config.chain_url +
        "; register it first: " +
        (local ? "nineteen chain register --chain " + core.config.chain_url + " --key " + core.config.hotkey_file +
                     " --stake N --role validator"
               : std::string("on Bittensor with btcli subnet register (and stake for a validator permit); on the "
                             "local chain with nineteen chain register --chain <its http:// URL>")));
  }
  s.weights.load_figures();
  s.weights.publish_task_votes();
  s.sender.start();
  s.pump.start();
  s.clock.start();
}

void ValidatorNode::stop() {
  state_->core.stopping = true;
  state_->pump.stop();
  state_->core.board.changed.notify_all();
}

void ValidatorNode::wait() {
  State& s = *state_;
  s.clock.join();
  s.pump.join();
  s.sender.join();
}

}  // namespace nineteen::validator
