// read_consensus_view: metagraph, last epoch, each validator's weights and commitment, in one pass.
#include "nineteen/chain/consensus_view.hpp"

namespace nineteen::chain {

ConsensusView read_consensus_view(Chain& chain, const std::vector<scoring::TaskWeightBounds>* catalogue) {
  ConsensusView view;
  try {
    const Incentives epoch = chain.incentives();
    view.epoch_block = epoch.epoch_block;
    std::map<std::uint16_t, UidIncentive> by_uid;
    for (const auto& u : epoch.by_uid) by_uid[u.uid] = u;
    std::map<std::uint16_t, std::string> commitment_of;
    for (const Commitment& c : chain.commitments()) commitment_of[c.uid] = c.data;
    const std::vector<Neuron> neurons = chain.metagraph();
    std::vector<std::map<std::uint16_t, double>> weights;
    double stake = 0;
    for (const Neuron& n : neurons) {
      if (n.role != NodeRole::validator) continue;
      ConsensusView::Validator v;
      v.hotkey = n.hotkey;
      v.uid = n.uid;
      v.stake = n.stake;
      if (auto u = by_uid.find(n.uid); u != by_uid.end()) {
        v.trust = u->second.validator_trust;
        v.dividends = u->second.dividends;
      }
      if (auto c = commitment_of.find(n.uid); c != commitment_of.end()) {
        if (auto votes = scoring::decode_task_votes(c->second, &v.task_votes_error)) v.task_votes = *votes;
      }
      stake += n.stake;
      std::map<std::uint16_t, double> normalised;
      std::optional<ValidatorWeights> w = chain.weights_of(n.hotkey);
      if (w && !w->uids.empty()) {
        v.has_weights = true;
        double sum = 0;
        for (std::uint16_t value : w->values) sum += value;
        for (std::size_t k = 0; k < w->uids.size() && k < w->values.size() && sum > 0; ++k)
          normalised[w->uids[k]] = w->values[k] / sum;
      }
      weights.push_back(std::move(normalised));
      view.validators.push_back(std::move(v));
    }
    for (auto& v : view.validators) v.stake_share = stake > 0 ? v.stake / stake : 0;
    for (const Neuron& n : neurons) {
      if (n.role == NodeRole::validator) continue;
      ConsensusView::Miner m;
      m.hotkey = n.hotkey;
      m.uid = n.uid;
      for (const auto& w : weights) {
        m.weights.push_back(w.count(n.uid) ? w.at(n.uid) : 0.0);
        m.weighted = m.weighted || w.count(n.uid);
      }
      if (auto u = by_uid.find(n.uid); u != by_uid.end()) {
        m.consensus = u->second.consensus;
        m.incentive = u->second.incentive;
      }
      view.miners.push_back(std::move(m));
    }
    if (catalogue) view.task_weights = scoring::effective_task_weights(*catalogue, task_votes_of(view));
  } catch (const std::exception& e) {
    view.error = e.what();
  }
  return view;
}

std::vector<scoring::TaskVote> task_votes_of(const ConsensusView& view) {
  std::vector<scoring::TaskVote> votes;
  for (const auto& v : view.validators) {
    if (v.task_votes.empty()) continue;
    votes.push_back(scoring::TaskVote{v.hotkey, v.stake, v.task_votes});
  }
  return votes;
}

}  // namespace nineteen::chain
