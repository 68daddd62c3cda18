// LocalChainState: the dev chain's state in memory, written through to SQLite before each answer.
#include "nineteen/chain/local_chain_state.hpp"

#include <cmath>

#include <boost/asio/ip/address.hpp>

#include "nineteen/chain/chain_rules.hpp"
#include "nineteen/chain/yuma_consensus.hpp"
#include "nineteen/keys/ss58.hpp"
#include "nineteen/store/schema_migrations.hpp"
#include "nineteen/store/sqlite_database.hpp"

namespace nineteen::chain {
namespace {

using store::SqliteDatabase;
using store::SqliteTransaction;

const std::vector<store::Migration>& chain_migrations() {
  static const std::vector<store::Migration> migrations = {
      {1, "local chain: block counter, neurons, weights, incentives",
       R"sql(
CREATE TABLE chain_blocks (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  block INTEGER NOT NULL,
  epoch_block INTEGER NOT NULL
);
INSERT INTO chain_blocks (id, block, epoch_block) VALUES (1, 0, 0);
CREATE TABLE neurons (
  uid INTEGER PRIMARY KEY,
  hotkey TEXT NOT NULL UNIQUE,
  coldkey TEXT NOT NULL,
  stake REAL NOT NULL,
  role TEXT NOT NULL,
  ip TEXT NOT NULL,
  port INTEGER NOT NULL,
  last_update INTEGER NOT NULL
);
CREATE TABLE weights (
  validator_uid INTEGER PRIMARY KEY REFERENCES neurons(uid),
  block INTEGER NOT NULL,
  version_key INTEGER NOT NULL
);
CREATE TABLE weight_entries (
  validator_uid INTEGER NOT NULL REFERENCES weights(validator_uid) ON DELETE CASCADE,
  uid INTEGER NOT NULL,
  value INTEGER NOT NULL,
  PRIMARY KEY (validator_uid, uid)
);
CREATE TABLE incentives (
  uid INTEGER PRIMARY KEY,
  incentive REAL NOT NULL,
  share REAL NOT NULL
);
)sql"},
      {2, "local chain: Yuma consensus (dividends, consensus, validator trust; bonds kept between epochs)",
       R"sql(
ALTER TABLE incentives ADD COLUMN dividends REAL NOT NULL DEFAULT 0;
ALTER TABLE incentives ADD COLUMN consensus REAL NOT NULL DEFAULT 0;
ALTER TABLE incentives ADD COLUMN validator_trust REAL NOT NULL DEFAULT 0;
CREATE TABLE bonds (
  validator_uid INTEGER NOT NULL,
  uid INTEGER NOT NULL,
  value INTEGER NOT NULL,
  PRIMARY KEY (validator_uid, uid)
);
)sql"},
      {3, "local chain: commitments (Subtensor's Commitments pallet; validators' task votes)",
       R"sql(
CREATE TABLE commitments (
  uid INTEGER PRIMARY KEY,
  block INTEGER NOT NULL,
  data TEXT NOT NULL
);
)sql"},
  };
  return migrations;
}

WriteResult refused(std::string reason, std::uint64_t block) {
  WriteResult r;
  r.reason = std::move(reason);
  r.block = block;
  return r;
}

// The reason an address cannot be published, or "" when it can.
std::string address_problem(const std::string& ip, std::uint16_t port) {
  boost::system::error_code error;
  boost::asio::ip::make_address(ip, error);
  if (error) return "ip \"" + ip + "\" is not an IPv4 or IPv6 address";
  if (port == 0) return "port 0 is not a port a node can listen on; give 1..65535";
  return "";
}

}  // namespace

LocalChainState::LocalChainState(const std::string& db_path, ChainParams params) : params_(params) {
  db_ = std::make_unique<SqliteDatabase>(db_path);
  store::migrate(*db_, chain_migrations(), "local chain");
  load();
}

LocalChainState::~LocalChainState() = default;

void LocalChainState::load() {
  auto blocks = db_->prepare("SELECT block, epoch_block FROM chain_blocks WHERE id = 1");
  if (!blocks.step()) throw store::StoreError("local chain " + db_->path() + ": the block counter row is missing");
  block_ = static_cast<std::uint64_t>(blocks.column_int(0));
  incentives_.epoch_block = static_cast<std::uint64_t>(blocks.column_int(1));

  auto neurons =
      db_->prepare("SELECT uid, hotkey, coldkey, stake, role, ip, port, last_update FROM neurons ORDER BY uid");
  while (neurons.step()) {
    Neuron n;
    n.uid = static_cast<std::uint16_t>(neurons.column_int(0));
    if (n.uid != neurons_.size()) {
      throw store::StoreError("local chain " + db_->path() + ": uid " + std::to_string(n.uid) +
                              " follows uid " + std::to_string(neurons_.size()) + " - 1; the file was edited by hand");
    }
    n.hotkey = neurons.column_text(1);
    n.coldkey = neurons.column_text(2);
    n.stake = neurons.column_double(3);
    n.role = parse_role(neurons.column_text(4)).value_or(NodeRole::miner);
    n.ip = neurons.column_text(5);
    n.port = static_cast<std::uint16_t>(neurons.column_int(6));
    n.last_update = static_cast<std::uint64_t>(neurons.column_int(7));
    neurons_.push_back(std::move(n));
  }

  auto weights = db_->prepare("SELECT validator_uid, block, version_key FROM weights");
  while (weights.step()) {
    auto uid = static_cast<std::uint16_t>(weights.column_int(0));
    if (uid >= neurons_.size()) continue;
    ValidatorWeights w;
    w.uid = uid;
    w.hotkey = neurons_[uid].hotkey;
    w.block = static_cast<std::uint64_t>(weights.column_int(1));
    w.version_key = static_cast<std::uint64_t>(weights.column_int(2));
    weights_[uid] = std::move(w);
  }
  auto entries = db_->prepare("SELECT validator_uid, uid, value FROM weight_entries ORDER BY validator_uid, uid");
  while (entries.step()) {
    auto it = weights_.find(static_cast<std::uint16_t>(entries.column_int(0)));
    if (it == weights_.end()) continue;
    it->second.uids.push_back(static_cast<std::uint16_t>(entries.column_int(1)));
    it->second.values.push_back(static_cast<std::uint16_t>(entries.column_int(2)));
  }

  auto incentives = db_->prepare(
      "SELECT uid, incentive, share, dividends, consensus, validator_trust FROM incentives ORDER BY uid");
  while (incentives.step()) {
    UidIncentive u;
    u.uid = static_cast<std::uint16_t>(incentives.column_int(0));
    u.incentive = incentives.column_double(1);
    u.share = incentives.column_double(2);
    u.dividends = incentives.column_double(3);
    u.consensus = incentives.column_double(4);
    u.validator_trust = incentives.column_double(5);
    incentives_.by_uid.push_back(u);
  }

  auto commitments = db_->prepare("SELECT uid, block, data FROM commitments ORDER BY uid");
  while (commitments.step()) {
    auto uid = static_cast<std::uint16_t>(commitments.column_int(0));
    if (uid >= neurons_.size()) continue;
    Commitment c;
    c.uid = uid;
    c.hotkey = neurons_[uid].hotkey;
    c.block = static_cast<std::uint64_t>(commitments.column_int(1));
    c.data = commitments.column_text(2);
    commitments_[uid] = std::move(c);
  }

  auto bonds = db_->prepare("SELECT validator_uid, uid, value FROM bonds");
  while (bonds.step()) {
    bonds_[static_cast<std::uint16_t>(bonds.column_int(0))][static_cast<std::uint16_t>(bonds.column_int(1))] =
        static_cast<std::uint16_t>(bonds.column_int(2));
  }
}

std::vector<UidIncentive> LocalChainState::run_epoch_locked(
    std::map<std::uint16_t, std::map<std::uint16_t, std::uint16_t>>& bonds_out) const {
  // Yuma consensus over every registered uid: validators vote with their stake (a neuron that
  // re-registered as a miner since it voted has no permit), miners hold no stake here.
  const std::size_t n = neurons_.size();
  YumaInput input;
  input.stake.resize(n);
  input.validator_permit.resize(n);
  input.weights.assign(n, std::vector<double>(n, 0));
  input.bonds.assign(n, std::vector<double>(n, 0));
  for (std::size_t i = 0; i < n; ++i) {
    const bool validator = neurons_[i].role == NodeRole::validator;
    input.validator_permit[i] = validator;
    input.stake[i] = validator ? neurons_[i].stake : 0;
  }
  for (const auto& [uid, w] : weights_) {
    if (uid >= n) continue;
    for (std::size_t k = 0; k < w.uids.size() && k < w.values.size(); ++k)
      if (w.uids[k] < n) input.weights[uid][w.uids[k]] = w.values[k];
  }
  for (const auto& [validator, row] : bonds_)
    for (const auto& [uid, value] : row)
      if (validator < n && uid < n) input.bonds[validator][uid] = value / 65535.0;

  const YumaOutput result = yuma_epoch(input);
  const auto stored = bonds_to_u16(result.bonds);
  bonds_out.clear();
  for (std::size_t i = 0; i < stored.size(); ++i)
    for (std::size_t j = 0; j < stored[i].size(); ++j)
      if (stored[i][j] != 0) bonds_out[static_cast<std::uint16_t>(i)][static_cast<std::uint16_t>(j)] = stored[i][j];

  std::vector<UidIncentive> out;
  for (std::size_t i = 0; i < n; ++i) {
    if (result.incentive[i] == 0 && result.dividends[i] == 0 && result.validator_trust[i] == 0) continue;
    UidIncentive u;
    u.uid = static_cast<std::uint16_t>(i);
    u.incentive = result.incentive[i];
    u.share = result.incentive[i];  // Yuma's incentive is normalised already
    u.dividends = result.dividends[i];
    u.consensus = result.consensus[i];
    u.validator_trust = result.validator_trust[i];
    out.push_back(u);
  }
  return out;
}

std::uint64_t LocalChainState::advance_block() {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::uint64_t next = block_ + 1;
  const bool epoch = params_.tempo > 0 && next % params_.tempo == 0;
  std::vector<UidIncentive> computed;
  std::map<std::uint16_t, std::map<std::uint16_t, std::uint16_t>> new_bonds;
  if (epoch) computed = run_epoch_locked(new_bonds);
  SqliteTransaction transaction(*db_);
  auto update = db_->prepare("UPDATE chain_blocks SET block = ?1, epoch_block = ?2 WHERE id = 1");
  update.bind(1, static_cast<std::int64_t>(next))
      .bind(2, static_cast<std::int64_t>(epoch ? next : incentives_.epoch_block))
      .run();
  if (epoch) {
    db_->exec("DELETE FROM incentives");
    auto insert = db_->prepare(
        "INSERT INTO incentives (uid, incentive, share, dividends, consensus, validator_trust) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    for (const auto& entry : computed) {
      insert.bind(1, static_cast<int>(entry.uid)).bind(2, entry.incentive).bind(3, entry.share);
      insert.bind(4, entry.dividends).bind(5, entry.consensus).bind(6, entry.validator_trust).run();
      insert.reset();
    }
    db_->exec("DELETE FROM bonds");
    auto bond = db_->prepare("INSERT INTO bonds (validator_uid, uid, value) VALUES (?1, ?2, ?3)");
    for (const auto& [validator, row] : new_bonds) {
      for (const auto& [uid, value] : row) {
        bond.bind(1, static_cast<int>(validator)).bind(2, static_cast<int>(uid)).bind(3, static_cast<int>(value)).run();
        bond.reset();
      }
    }
  }
  transaction.commit();
  block_ = next;
  if (epoch) {
    incentives_ = {next, std::move(computed)};
    bonds_ = std::move(new_bonds);
  }
  return block_;
}

std::vector<Neuron> LocalChainState::metagraph() {
  std::lock_guard<std::mutex> lock(mutex_);
  return neurons_;
}

std::uint64_t LocalChainState::current_block() {
  std::lock_guard<std::mutex> lock(mutex_);
  return block_;
}

ChainParams LocalChainState::params() {
  std::lock_guard<std::mutex> lock(mutex_);
  return params_;
}

Neuron* LocalChainState::find_locked(const std::string& hotkey) {
  for (auto& n : neurons_) {
    if (n.hotkey == hotkey) return &n;
  }
  return nullptr;
}

void LocalChainState::save_neuron_locked(const Neuron& n) {
  auto upsert = db_->prepare(
      "INSERT OR REPLACE INTO neurons (uid, hotkey, coldkey, stake, role, ip, port, last_update) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  upsert.bind(1, static_cast<int>(n.uid)).bind(2, n.hotkey).bind(3, n.coldkey).bind(4, n.stake);
  upsert.bind(5, role_name(n.role)).bind(6, n.ip).bind(7, static_cast<int>(n.port));
  upsert.bind(8, static_cast<std::int64_t>(n.last_update)).run();
}

WriteResult LocalChainState::register_node(const Registration& r) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string error;
  if (!keys::ss58_decode(r.hotkey, &error)) return refused("register: hotkey: " + error, block_);
  if (!r.coldkey.empty() && !keys::ss58_decode(r.coldkey, &error)) {
    return refused("register: coldkey: " + error, block_);
  }
  if (!std::isfinite(r.stake) || r.stake < 0) {
    return refused("register: stake must be a finite number >= 0, got " + std::to_string(r.stake), block_);
  }
  if (!r.ip.empty() || r.port != 0) {
    std::string problem = address_problem(r.ip, r.port);
    if (!problem.empty()) return refused("register: " + problem, block_);
  }
  Neuron* existing = find_locked(r.hotkey);
  if (!existing && neurons_.size() > 65535) return refused("register: all 65536 uids are taken", block_);
  Neuron n = existing ? *existing : Neuron{};
  if (!existing) n.uid = static_cast<std::uint16_t>(neurons_.size());
  n.hotkey = r.hotkey;
  n.coldkey = r.coldkey.empty() ? r.hotkey : r.coldkey;
  n.stake = r.stake;  // a dev chain grants the stake asked for
  n.role = r.role;
  n.ip = r.ip;
  n.port = r.port;
  n.last_update = block_;
  SqliteTransaction transaction(*db_);
  save_neuron_locked(n);
  transaction.commit();
  if (existing) {
    *existing = n;
  } else {
    neurons_.push_back(n);
  }
  WriteResult ok;
  ok.accepted = true;
  ok.block = block_;
  ok.uid = n.uid;
  return ok;
}

WriteResult LocalChainState::serve(const std::string& hotkey, const std::string& ip, std::uint16_t port) {
  std::lock_guard<std::mutex> lock(mutex_);
  Neuron* existing = find_locked(hotkey);
  if (!existing) return refused("serve: hotkey " + hotkey + " is not registered; register it first", block_);
  std::string problem = address_problem(ip, port);
  if (!problem.empty()) return refused("serve: " + problem, block_);
  Neuron n = *existing;
  n.ip = ip;
  n.port = port;
  n.last_update = block_;
  SqliteTransaction transaction(*db_);
  save_neuron_locked(n);
  transaction.commit();
  *existing = n;
  WriteResult ok;
  ok.accepted = true;
  ok.block = block_;
  ok.uid = n.uid;
  return ok;
}

WriteResult LocalChainState::set_weights(const std::string& validator_hotkey, const std::vector<std::uint16_t>& uids,
                                         const std::vector<std::uint16_t>& values, std::uint64_t version_key) {
  return apply_weights(validator_hotkey, {uids, values, version_key}).result;
}

LocalChainState::WeightsOutcome LocalChainState::apply_weights(const std::string& validator_hotkey,
                                                               const WeightsSubmission& submission) {
  const std::vector<std::uint16_t>& uids = submission.uids;
  const std::vector<std::uint16_t>& values = submission.values;
  const std::uint64_t version_key = submission.version_key;
  std::lock_guard<std::mutex> lock(mutex_);
  Neuron* submitter = find_locked(validator_hotkey);
  WeightsContext context;
  context.submitter = submitter;
  context.submitter_hotkey = validator_hotkey;
  context.neuron_count = neurons_.size();
  context.current_block = block_;
  context.params = params_;
  if (submitter) {
    auto previous = weights_.find(submitter->uid);
    if (previous != weights_.end()) context.last_set_block = previous->second.block;
  }
  if (auto refusal = weights_check(submission, context))
    return {refused(refusal->reason, block_), refusal->rule};

  ValidatorWeights w;
  w.hotkey = validator_hotkey;
  w.uid = submitter->uid;
  w.block = block_;
  w.version_key = version_key;
  // Kept in ascending uid order, zeros dropped: the same vector whatever order it was sent in.
  std::map<std::uint16_t, std::uint16_t> sorted;
  for (std::size_t i = 0; i < uids.size(); ++i) {
    if (values[i] > 0) sorted[uids[i]] = values[i];
  }
  for (const auto& [uid, value] : sorted) {
    w.uids.push_back(uid);
    w.values.push_back(value);
  }
  Neuron updated = *submitter;
  updated.last_update = block_;

  SqliteTransaction transaction(*db_);
  auto remove = db_->prepare("DELETE FROM weights WHERE validator_uid = ?1");
  remove.bind(1, static_cast<int>(w.uid)).run();
  auto insert = db_->prepare("INSERT INTO weights (validator_uid, block, version_key) VALUES (?1, ?2, ?3)");
  insert.bind(1, static_cast<int>(w.uid)).bind(2, static_cast<std::int64_t>(w.block));
  insert.bind(3, static_cast<std::int64_t>(w.version_key)).run();
  auto entry = db_->prepare("INSERT INTO weight_entries (validator_uid, uid, value) VALUES (?1, ?2, ?3)");
  for (std::size_t i = 0; i < w.uids.size(); ++i) {
    entry.bind(1, static_cast<int>(w.uid)).bind(2, static_cast<int>(w.uids[i])).bind(3, static_cast<int>(w.values[i]));
    entry.run();
    entry.reset();
  }
  save_neuron_locked(updated);
  transaction.commit();
  *submitter = updated;
  weights_[w.uid] = w;
  WriteResult ok;
  ok.accepted = true;
  ok.block = block_;
  ok.uid = w.uid;
  return {ok, std::nullopt};
}

std::optional<ValidatorWeights> LocalChainState::weights_of(const std::string& validator_hotkey) {
  std::lock_guard<std::mutex> lock(mutex_);
  Neuron* n = find_locked(validator_hotkey);
  if (!n) return std::nullopt;
  auto it = weights_.find(n->uid);
  if (it == weights_.end()) return std::nullopt;
  return it->second;
}

Incentives LocalChainState::incentives() {
  std::lock_guard<std::mutex> lock(mutex_);
  return incentives_;
}

WriteResult LocalChainState::set_commitment(const std::string& hotkey, const std::string& data) {
  std::lock_guard<std::mutex> lock(mutex_);
  Neuron* n = find_locked(hotkey);
  if (!n) return refused("set_commitment: hotkey " + hotkey + " is not registered; register it first", block_);
  if (data.size() > kCommitmentMaxBytes) {
    return refused("set_commitment: " + std::to_string(data.size()) + " bytes, the chain keeps at most " +
                       std::to_string(kCommitmentMaxBytes) + ": publish less (e.g. fewer tasks, shorter numbers)",
                   block_);
  }
  Commitment c;
  c.hotkey = hotkey;
  c.uid = n->uid;
  c.block = block_;
  c.data = data;
  SqliteTransaction transaction(*db_);
  auto upsert = db_->prepare("INSERT OR REPLACE INTO commitments (uid, block, data) VALUES (?1, ?2, ?3)");
  upsert.bind(1, static_cast<int>(c.uid)).bind(2, static_cast<std::int64_t>(c.block)).bind(3, c.data).run();
  transaction.commit();
  commitments_[c.uid] = c;
  WriteResult ok;
  ok.accepted = true;
  ok.block = block_;
  ok.uid = c.uid;
  return ok;
}

std::vector<Commitment> LocalChainState::commitments() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<Commitment> out;
  for (const auto& [uid, c] : commitments_) {
    Commitment copy = c;
    if (uid < neurons_.size()) copy.hotkey = neurons_[uid].hotkey;
    out.push_back(std::move(copy));
  }
  return out;
}

}  // namespace nineteen::chain
