// The devnet: folders, keys, models, catalogues and settings for every node, the processes, and the
// weight tables read back from the validator's store.
#include "nineteen/devnet/devnet.hpp"

#include <cstring>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "nineteen/chain/chain_client.hpp"
#include "nineteen/chain/consensus_view.hpp"
#include "nineteen/config/task_catalog.hpp"
#include "nineteen/chain/open_chain.hpp"
#include "nineteen/keys/hotkey_file.hpp"
#include "nineteen/net/http_client.hpp"
#include "nineteen/store/sqlite_validator_store.hpp"

namespace nineteen::devnet {
namespace fs = std::filesystem;

const std::vector<Behaviour>& behaviours() {
  static const std::vector<Behaviour> list = {
      {"honest", "serves the reference model as configured"},
      {"quantized", "the same model with bf16 weights"},
      {"wrong-model", "another model of the same shape (text: the wrong transform)"},
      {"lazy", "made-up answers without running the model"},
      {"slow", "honest, but slower: each chunk held back as long as it took (the text task: 20 ms), within the timeout"},
      {"flaky", "honest, but answers 500 to half of its requests"},
      {"full", "honest, but a concurrency limit of 1, so it answers 429 under load"},
      {"offline", "registered on the chain, never answers"},
  };
  return list;
}

namespace {

bool known_behaviour(const std::string& name) {
  for (const Behaviour& b : behaviours()) {
    if (b.name == name) return true;
  }
  return false;
}

void write_file(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

// "exit 3", or "killed by SIGSEGV (exit 139)" for 128 + a signal.
std::string exit_text(int code) {
  if (code > 128 && code < 128 + 65) {
    const char* name = ::strsignal(code - 128);
    return std::string("killed by ") + (name ? name : "a signal") + ", exit " + std::to_string(code);
  }
  return "exit " + std::to_string(code);
}

// A loopback port nobody listens on (for the offline miner's published address).
uint16_t closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

fs::path self_binary() {
  std::error_code ec;
  return fs::read_symlink("/proc/self/exe", ec);
}

}  // namespace

struct Devnet::State {
  DevnetOptions options;
  fs::path dir, run;
  std::string binary;
  bool llm = false;
  bool embeddings = false;
  bool images = false;
  // The chain's HTTP address (registration: the dev chain grants stake) and its Substrate JSON-RPC, which
  // every node talks to through SubtensorChain, as it would to Bittensor.
  std::string chain_url, chain_rpc_url, checker_url, gateway_url, api_key;
  static constexpr std::uint16_t netuid = 1;

  struct Miner {
    std::string behaviour;
    keys::Hotkey key = keys::Hotkey::generate();
    fs::path folder;
    std::unique_ptr<ChildProcess> process;
    std::string url;
  };
  std::unique_ptr<ChildProcess> chain, checker, validator;
  std::unique_ptr<ChildProcess> backend;  // options.check_backend: the checker's scoring engine
  std::string backend_url;
  std::vector<Miner> miners;
  keys::Hotkey validator_key = keys::Hotkey::generate();

  // Validators after the first: honest ones are processes; a favouring one is scripted here.
  struct ExtraValidator {
    ValidatorSpec spec;
    keys::Hotkey key = keys::Hotkey::generate();
    fs::path folder;
    std::unique_ptr<ChildProcess> process;
    std::shared_ptr<chain::Chain> signer;  // favour: sets its weights through the chain's JSON-RPC
    std::uint64_t copied_block = 0;        // favour: the first validator's weights it copied last
  };
  std::vector<ExtraValidator> extra_validators;
  std::vector<ConsensusRow> consensus;
  scoring::EffectiveTaskWeights task_weights;  // guarded by rows_mutex
  std::vector<scoring::TaskWeightBounds> catalogue_bounds() const {
    std::vector<scoring::TaskWeightBounds> out;
    for (const config::TaskEntry& e : config::parse_task_catalog(catalogue("honest"), "devnet tasks.toml").tasks)
      if (e.enabled && e.error.empty()) out.push_back({e.name, e.weight, e.weight_min, e.weight_max});
    return out;
  }

  // The organic load driver (options.organic_burst > 0).
  std::thread organic_driver;
  mutable std::mutex organic_mutex;
  std::map<int, std::uint64_t> organic_statuses;
  void drive_organic_load();

  std::atomic<bool> stopping{false};
  mutable std::mutex rows_mutex;
  std::vector<MinerRow> rows;

  keys::Hotkey key_for(const std::string& name) {
    fs::path file = dir / "keys" / (name + ".json");
    if (fs::exists(file)) return keys::load_hotkey(file.string()).key;
    fs::create_directories(file.parent_path());
    keys::Hotkey key = keys::Hotkey::generate();
    keys::save_hotkey(key, file.string());
    return key;
  }

  std::unique_ptr<ChildProcess> launch(const std::string& name, const std::vector<std::string>& args,
                                       const std::string& ready_pattern, std::string* captured) {
    auto process = std::make_unique<ChildProcess>(binary, args, (run / "logs" / (name + ".log")).string());
    auto line = process->wait_for_line(std::regex(ready_pattern), std::chrono::seconds(120));
    if (!line) {
      throw std::runtime_error(name + " did not start; its log (" + (run / "logs" / (name + ".log")).string() +
                               ") says:\n" + process->output());
    }
    if (captured) *captured = *line;
    return process;
  }

  void make_models();
  std::string validator_settings(const std::string& key_file, bool gateway, size_t index) const;
  void run_favouring_validators(chain::Chain& reader);
  std::vector<ConsensusRow> read_consensus(chain::Chain& reader, const std::map<std::string, std::string>& behaviour_of);
  // check_backend: the LLM tasks check through that node (the checker's catalogue with --check-backend).
  std::string catalogue(const std::string& behaviour, const std::string& check_backend = "") const;
  std::string miner_settings(const Miner& miner, size_t index) const;
};

Devnet::Devnet(DevnetOptions options) : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.options = std::move(options);
  for (const std::string& b : s.options.miners) {
    if (!known_behaviour(b)) {
      std::string list;
      for (const Behaviour& k : behaviours()) list += (list.empty() ? "" : ", ") + k.name;
      throw std::runtime_error("unknown miner behaviour \"" + b + "\" (known: " + list + ")");
    }
  }
  if (s.options.validators.empty() || s.options.validators.front().behaviour != "honest") {
    throw std::runtime_error("the first validator must be honest (it serves the gateway and the tables)");
  }
  for (const ValidatorSpec& v : s.options.validators) {
    if (v.behaviour != "honest" && v.behaviour != "favour") {
      throw std::runtime_error("unknown validator behaviour \"" + v.behaviour + "\" (known: honest, favour)");
    }
    if (!(v.stake > 0)) throw std::runtime_error("a validator's stake must be above 0");
  }
  s.dir = fs::absolute(s.options.dir);
  s.run = s.dir / "run";
  s.binary = s.options.binary.empty() ? self_binary().string() : s.options.binary;
  fs::path plugins = fs::path(s.binary).parent_path().parent_path() / "lib" / "nineteen" / "plugins";
  const bool maker = fs::exists(fs::path(s.binary).parent_path() / "nineteen-models");
  s.llm = s.options.llm && maker && fs::exists(plugins / "nineteen_plugin_llm.so");
  s.embeddings = s.options.llm && maker && fs::exists(plugins / "nineteen_plugin_embeddings.so");
  s.images = s.options.llm && maker && fs::exists(plugins / "nineteen_plugin_diffusion.so") &&
             fs::exists(plugins / "nineteen_plugin_avatar.so");
}

Devnet::~Devnet() { stop(); }

void Devnet::State::make_models() {
  struct ModelToMake {
    std::string name, kind, variant;
  };
  std::vector<ModelToMake> wanted;
  if (llm) wanted.insert(wanted.end(), {{"tiny-llama", "tiny-llama", "0"}, {"tiny-llama-wrong", "tiny-llama", "1"}});
  if (embeddings) wanted.insert(wanted.end(), {{"tiny-bert", "tiny-bert", "0"}, {"tiny-bert-wrong", "tiny-bert", "1"}});
  if (images) {
    wanted.insert(wanted.end(), {{"tiny-diffusion", "tiny-diffusion", "0"}, {"tiny-diffusion-wrong", "tiny-diffusion", "1"}});
  }
  for (const auto& [name, kind, variant] : wanted) {
    fs::path out = dir / "models" / name;
    // Made before: cached (a diffusers folder has model_index.json at its top, not config.json).
    if (fs::exists(out / "config.json") || fs::exists(out / "model_index.json")) continue;
    fs::create_directories(dir / "models");
    std::printf("making model %s (once; cached in %s)\n", name.c_str(), out.string().c_str());
    std::fflush(stdout);
    ChildProcess maker(binary, {"models", "make", kind, "--out", out.string(), "--variant", variant},
                       (dir / "models" / (name + ".log")).string());
    auto code = maker.wait_exit(std::chrono::minutes(10));
    if (code != 0) throw std::runtime_error("making " + name + " failed:\n" + maker.output());
  }
}

// The task catalogue as one node sees it: the validator and the checker get the reference
// ("honest"); a misbehaving miner gets its own.
std::string Devnet::State::catalogue(const std::string& behaviour, const std::string& check_backend) const {
  std::ostringstream t;
  t << "# written by nineteen devnet for a node that is " << behaviour << "\n";
  if (llm) {
    const std::string model = (dir / "models" / (behaviour == "wrong-model" ? "tiny-llama-wrong" : "tiny-llama")).string();
    // The same model serves chat and plain completions (the README's done list has both).
    for (const char* type : {"chat", "completions"}) {
      const bool chat = std::string(type) == "chat";
      t << "[tasks." << (chat ? "chat" : "completions") << "-tiny-llama]\nplugin = \"llm\"\ntype = \"" << type
        << "\"\nmodel_dir = \"" << model << "\"\n"
        << "dtype = \"" << (behaviour == "quantized" ? "bf16" : "f32") << "\"\nthreads = 1\n"
        << "weight = " << (chat ? "0.6\nweight_min = 0.2\nweight_max = 0.6" : "0.1") << "\nmax_capacity = " << (chat ? "4000" : "1000")
        << "\nvolume_per_request = 40\ntimeout_s = 5\n";
      if (behaviour == "lazy") t << "lazy = true\n";
      if (!check_backend.empty()) {
        t << "check_backend = \"" << check_backend << "\"\ncheck_backend_model = \"completions-tiny-llama\"\n";
      }
      t << "\n";
    }
  }
  // The embeddings plugin has no made-up mode: a lazy miner does not serve it at all.
  if (embeddings && behaviour != "lazy") {
    const std::string model = (dir / "models" / (behaviour == "wrong-model" ? "tiny-bert-wrong" : "tiny-bert")).string();
    t << "[tasks.embed-tiny-bert]\nplugin = \"embeddings\"\ntype = \"embeddings\"\nmodel_dir = \"" << model << "\"\n"
      << "dtype = \"" << (behaviour == "quantized" ? "bf16" : "f32") << "\"\nthreads = 1\n"
      << "weight = 0.1\nmax_capacity = 20000\nvolume_per_request = 200\ntimeout_s = 2\n\n";
  }
  // Images: text-to-image and the avatar workflow over this node's own image-to-image task. No
  // made-up mode either: a lazy miner does not serve them.
  if (images && behaviour != "lazy") {
    const std::string model =
        (dir / "models" / (behaviour == "wrong-model" ? "tiny-diffusion-wrong" : "tiny-diffusion")).string();
    for (const char* type : {"text-to-image", "image-to-image"}) {
      t << "[tasks." << type << "-tiny]\nplugin = \"diffusion\"\ntype = \"" << type << "\"\nmodel_dir = \"" << model
        << "\"\nthreads = 1\nmax_side = 128\nweight = " << (std::string(type) == "text-to-image" ? "0.1" : "0.05")
        << "\nmax_capacity = 800\nvolume_per_request = 10\ntimeout_s = 5\n\n";
    }
    t << "[tasks.avatar-tiny]\nplugin = \"avatar\"\ntarget = \"image-to-image-tiny\"\nmax_side = 128\n"
      << "weight = 0.05\nmax_capacity = 400\nvolume_per_request = 5\ntimeout_s = 5\n\n";
  }
  t << "[tasks.reverse-words]\nplugin = \"text_transform\"\nmode = \"" << (behaviour == "wrong-model" ? "upper" : "reverse")
    << "\"\nweight = " << (llm ? "0.3\nweight_min = 0.1\nweight_max = 0.4" : "1.0") << "\nmax_capacity = 2000\nvolume_per_request = 10\ntimeout_s = 2\n";
  if (behaviour == "lazy") t << "lazy = true\n";
  return t.str();
}

std::string Devnet::State::miner_settings(const Miner& miner, size_t index) const {
  std::ostringstream m;
  m << "# written by nineteen devnet: a miner that is " << miner.behaviour << "\n"
    << "[miner]\nhotkey = \"" << (dir / "keys" / ("miner-" + std::to_string(index) + ".json")).string() << "\"\n"
    << "tasks_file = \"tasks.toml\"\nchain = \"" << chain_rpc_url << "\"\nnetuid = " << netuid
    << "\nhandler_threads = 16\n";
  std::vector<std::string> tasks = {"reverse-words"};
  // Every task kind the project ships has contenders (issue 20).
  if (llm) tasks.insert(tasks.end(), {"chat-tiny-llama", "completions-tiny-llama"});
  if (embeddings && miner.behaviour != "lazy") tasks.push_back("embed-tiny-bert");
  if (images && miner.behaviour != "lazy") tasks.insert(tasks.end(), {"text-to-image-tiny", "image-to-image-tiny", "avatar-tiny"});
  for (const std::string& task : tasks) {
    m << "[miner.tasks." << task << "]\n";
    m << "concurrency = " << (miner.behaviour == "full" ? 1 : 8) << "\n";
    // Slow, not broken: twice this machine's honest time, within the timeout. The text task has no
    // model work to slow down (an honest answer is a few ms of overhead), so it waits 20 ms a chunk.
    if (miner.behaviour == "slow") m << (task == "reverse-words" ? "chunk_delay_ms = 20\n" : "slowdown = 2\n");
    if (miner.behaviour == "flaky") m << "fail_rate = 0.5\nbehaviour_seed = " << index << "\n";
  }
  return m.str();
}

// db and tasks_file are relative to the settings file's own folder.
std::map<std::string, double> devnet_task_votes(const std::string& behaviour, size_t index) {
  if (behaviour == "favour") return {{"reverse-words", 1.0}, {"chat-tiny-llama", 0.0}};
  if (index == 0) return {{"chat-tiny-llama", 0.5}, {"reverse-words", 0.4}};
  return {{"chat-tiny-llama", 0.7}, {"reverse-words", 0.2}};
}

std::string Devnet::State::validator_settings(const std::string& key_file, bool gateway, size_t index) const {
  std::ostringstream v;
  v << "[validator]\nhotkey = \"" << key_file << "\"\nchain = \"" << chain_rpc_url << "\"\nnetuid = " << netuid
    << "\nchecker = \"" << checker_url << "\"\ndb = \"validator.db\"\ntasks_file = \"tasks.toml\"\n"
    << "period_s = " << options.period_s << "\nanswer_timeout_s = " << std::max(5.0, options.period_s / 2)
    << "\nsynthetic_multiplier = " << options.synthetic_multiplier << "\nsenders = 8\n";
  v << "task_votes = {";
  bool first = true;
  for (const auto& [task, weight] : devnet_task_votes(options.validators[index].behaviour, index)) {
    v << (first ? " " : ", ") << "\"" << task << "\" = " << weight;
    first = false;
  }
  v << " }\n";
  if (gateway) v << "\n[gateway]\naddress = \"127.0.0.1\"\nport = 0\n";
  return v.str();
}

std::vector<ValidatorSpec> parse_validator_specs(const std::string& list) {
  std::vector<ValidatorSpec> out;
  std::stringstream items(list);
  for (std::string item; std::getline(items, item, ',');) {
    if (item.empty()) continue;
    ValidatorSpec spec;
    const size_t colon = item.find(':');
    spec.behaviour = item.substr(0, colon);
    if (colon != std::string::npos) {
      const std::string stake = item.substr(colon + 1);
      char* end = nullptr;
      spec.stake = std::strtod(stake.c_str(), &end);
      if (stake.empty() || *end != '\0' || !(spec.stake > 0)) {
        throw std::invalid_argument("--validators: \"" + item + "\": the stake after ':' must be a number above 0");
      }
    }
    out.push_back(spec);
  }
  if (out.empty()) throw std::invalid_argument("--validators: give at least one, e.g. honest:600,honest:300,favour:100");
  return out;
}

// A favouring validator copies the first validator's weights once they are on the chain, then gives
// its colluding miner the largest value and halves every other (max-upscaled, as the chain wants).
void Devnet::State::run_favouring_validators(chain::Chain& reader) {
  auto honest = reader.weights_of(validator_key.ss58_address());
  if (!honest || honest->uids.empty()) return;
  // The colluding miner: the first wrong-model one, else the last; its uid from one metagraph read.
  if (miners.empty()) return;
  const Miner* colluder = &miners.back();
  for (const Miner& m : miners) {
    if (m.behaviour == "wrong-model") {
      colluder = &m;
      break;
    }
  }
  std::optional<std::uint16_t> favoured;
  for (const chain::Neuron& n : reader.metagraph()) {
    if (n.hotkey == colluder->key.ss58_address()) favoured = n.uid;
  }
  if (!favoured) return;
  for (ExtraValidator& v : extra_validators) {
    if (v.spec.behaviour != "favour" || honest->block <= v.copied_block) continue;
    std::map<std::uint16_t, std::uint32_t> values;
    for (size_t k = 0; k < honest->uids.size(); ++k) values[honest->uids[k]] = honest->values[k] / 2;
    values[*favoured] = 65535;
    std::vector<std::uint16_t> uids, scaled;
    for (const auto& [uid, value] : values) {
      if (value == 0) continue;
      uids.push_back(uid);
      scaled.push_back(static_cast<std::uint16_t>(value));
    }
    chain::WriteResult r = v.signer->set_weights(v.key.ss58_address(), uids, scaled, honest->version_key);
    if (r.accepted) v.copied_block = honest->block;  // refused (rate limit): tried again next round
  }
}

std::vector<ConsensusRow> Devnet::State::read_consensus(chain::Chain& reader,
                                                        const std::map<std::string, std::string>& behaviour_of) {
  const auto bounds = catalogue_bounds();
  chain::ConsensusView view = chain::read_consensus_view(reader, &bounds);
  if (!view.error.empty()) throw std::runtime_error(view.error);
  std::vector<std::string> validator_keys = {validator_key.ss58_address()};
  for (const ExtraValidator& v : extra_validators) validator_keys.push_back(v.key.ss58_address());
  std::vector<ConsensusRow> rows;
  for (const chain::ConsensusView::Validator& v : view.validators) {
    ConsensusRow row;
    row.uid = v.uid;
    auto index = std::find(validator_keys.begin(), validator_keys.end(), v.hotkey);
    row.who = index == validator_keys.end()
                  ? "validator ?"
                  : "validator " + options.validators[static_cast<size_t>(index - validator_keys.begin())].behaviour;
    row.stake_share = v.stake_share;
    row.dividends = v.dividends;
    row.validator_trust = v.trust;
    row.task_votes = v.task_votes;
    rows.push_back(row);
  }
  for (const chain::ConsensusView::Miner& m : view.miners) {
    ConsensusRow row;
    row.uid = m.uid;
    auto b = behaviour_of.find(m.hotkey);
    row.who = b == behaviour_of.end() ? "?" : b->second;
    row.weight_by_validator = m.weights;
    row.consensus = m.consensus;
    row.incentive = m.incentive;
    rows.push_back(row);
  }
  std::sort(rows.begin(), rows.end(), [](const ConsensusRow& a, const ConsensusRow& b) { return a.uid < b.uid; });
  std::lock_guard<std::mutex> lock(rows_mutex);
  if (view.task_weights) task_weights = *view.task_weights;
  return rows;
}

void Devnet::start() {
  State& s = *state_;
  fs::create_directories(s.dir);
  fs::remove_all(s.run);  // each run starts a fresh chain and validator; keys and models are kept
  fs::create_directories(s.run / "logs");
  s.make_models();

  // Chain.
  write_file(s.run / "chain" / "chain.toml",
             "[chain]\naddress = \"127.0.0.1\"\nport = 0\nrpc_port = 0\nnetuid = " + std::to_string(State::netuid) +
                 "\ndb = \"chain.db\"\nblock_time_s = 0.5\ntempo = 20\nrate_limit = 2\n");
  s.chain = s.launch("chain", {"chain", "--config", (s.run / "chain" / "chain.toml").string()}, "serving (http://[0-9.:]+)",
                     &s.chain_url);
  if (auto rpc = s.chain->wait_for_line(std::regex("JSON-RPC (ws://[0-9.:]+)"), std::chrono::seconds(5))) {
    s.chain_rpc_url = *rpc;
  } else {
    throw std::runtime_error("the chain did not print its JSON-RPC address (ws://); its log says:\n" + s.chain->output());
  }

  // Keys and registration (the dev chain grants the stake asked for).
  s.validator_key = s.key_for("validator");
  chain::ChainClient(s.chain_url, s.validator_key)
      .register_node(chain::Registration{s.validator_key.ss58_address(), "", s.options.validators.front().stake,
                                         chain::NodeRole::validator, "", 0});
  for (size_t i = 1; i < s.options.validators.size(); ++i) {
    State::ExtraValidator v;
    v.spec = s.options.validators[i];
    v.key = s.key_for("validator-" + std::to_string(i));
    v.folder = s.run / ("validator-" + std::to_string(i) + "-" + v.spec.behaviour);
    chain::ChainClient(s.chain_url, v.key)
        .register_node(chain::Registration{v.key.ss58_address(), "", v.spec.stake, chain::NodeRole::validator, "", 0});
    s.extra_validators.push_back(std::move(v));
  }
  for (size_t i = 0; i < s.options.miners.size(); ++i) {
    State::Miner miner;
    miner.behaviour = s.options.miners[i];
    miner.key = s.key_for("miner-" + std::to_string(i));
    miner.folder = s.run / ("miner-" + std::to_string(i) + "-" + miner.behaviour);
    chain::ChainClient(s.chain_url, miner.key)
        .register_node(chain::Registration{miner.key.ss58_address(), "", 0, chain::NodeRole::miner, "", 0});
    s.miners.push_back(std::move(miner));
  }

  // --check-backend: a second node, an unsigned miner on the reference model, scores for the checker.
  if (s.options.check_backend && s.llm) {
    s.key_for("backend");
    write_file(s.run / "backend" / "tasks.toml",
               "[tasks.completions-tiny-llama]\nplugin = \"llm\"\ntype = \"completions\"\nmodel_dir = \"" +
                   (s.dir / "models" / "tiny-llama").string() + "\"\nthreads = 1\n");
    write_file(s.run / "backend" / "miner.toml",
               "# written by nineteen devnet: the checker's scoring engine (prompt_logprobs), as vLLM would be\n"
               "[miner]\nhotkey = \"" + (s.dir / "keys" / "backend.json").string() +
                   "\"\naddress = \"127.0.0.1\"\ntasks_file = \"tasks.toml\"\nrequire_signatures = false\n"
                   "[miner.tasks.completions-tiny-llama]\nconcurrency = 4\n");
    s.backend = s.launch("backend", {"miner", "--config", (s.run / "backend" / "miner.toml").string()},
                         "listening on (http://[0-9.:]+)", &s.backend_url);
  }
  // Checker, with the reference catalogue.
  write_file(s.run / "checker" / "tasks.toml", s.catalogue("honest", s.backend_url));
  write_file(s.run / "checker" / "checker.toml",
             "[checker]\naddress = \"127.0.0.1\"\nport = 0\ntasks_file = \"tasks.toml\"\nworkers = 1\n");
  s.checker = s.launch("checker", {"checker", "--config", (s.run / "checker" / "checker.toml").string()},
                       "listening on (http://[0-9.:]+)", &s.checker_url);

  // Miners.
  for (size_t i = 0; i < s.miners.size(); ++i) {
    State::Miner& miner = s.miners[i];
    if (miner.behaviour == "offline") {
      chain::WriteResult served = chain::open_chain(s.chain_rpc_url, State::netuid, miner.key)
                                      ->serve(miner.key.ss58_address(), "127.0.0.1", closed_port());
      if (!served.accepted) throw std::runtime_error("the offline miner's serve_axon was refused: " + served.reason);
      continue;
    }
    write_file(miner.folder / "tasks.toml", s.catalogue(miner.behaviour));
    write_file(miner.folder / "miner.toml", s.miner_settings(miner, i));
    miner.process = s.launch("miner-" + std::to_string(i) + "-" + miner.behaviour,
                             {"miner", "--config", (miner.folder / "miner.toml").string()},
                             "listening on (http://[0-9.:]+)", &miner.url);
  }

  // Validators: the first serves the gateway; other honest ones score the same miners on their own.
  write_file(s.run / "validator" / "tasks.toml", s.catalogue("honest"));
  write_file(s.run / "validator" / "validator.toml",
             s.validator_settings((s.dir / "keys" / "validator.json").string(), true, 0));
  s.validator = s.launch("validator", {"validator", "--config", (s.run / "validator" / "validator.toml").string()},
                         "(running)", nullptr);
  for (size_t i = 0; i < s.extra_validators.size(); ++i) {
    State::ExtraValidator& v = s.extra_validators[i];
    const std::string name = "validator-" + std::to_string(i + 1) + "-" + v.spec.behaviour;
    if (v.spec.behaviour == "favour") {
      v.signer = chain::open_chain(s.chain_rpc_url, State::netuid, v.key);
      // Its task vote, as a validator process would publish it: all for the text task.
      chain::WriteResult voted =
          v.signer->set_commitment(v.key.ss58_address(), scoring::encode_task_votes(devnet_task_votes("favour", i + 1)));
      if (!voted.accepted) throw std::runtime_error("the favouring validator's task vote was refused: " + voted.reason);
      continue;
    }
    write_file(v.folder / "tasks.toml", s.catalogue("honest"));
    write_file(v.folder / "validator.toml",
               s.validator_settings((s.dir / "keys" / ("validator-" + std::to_string(i + 1) + ".json")).string(), false,
                                    i + 1));
    v.process = s.launch(name, {"validator", "--config", (v.folder / "validator.toml").string()}, "(running)", nullptr);
  }
  if (auto url = s.validator->wait_for_line(std::regex("gateway listening on (http://[0-9.:]+)"), std::chrono::seconds(5))) {
    s.gateway_url = *url;
    // A key for the person at the terminal (the gateway's own command, as an operator would run it).
    ChildProcess apikey(s.binary, {"apikey", "create", "--db", (s.run / "validator" / "validator.db").string(), "--name", "devnet"},
                        (s.run / "logs" / "apikey.log").string());
    if (apikey.wait_exit(std::chrono::seconds(30)) == 0) {
      std::smatch m;
      const std::string out = apikey.output();
      if (std::regex_search(out, m, std::regex("(nt-[0-9a-f]+)"))) s.api_key = m[1];
    }
  }
  if (s.options.organic_burst > 0) {
    if (s.api_key.empty()) throw std::runtime_error("organic load needs the gateway and an API key; the validator made none");
    s.organic_driver = std::thread([&s] { s.drive_organic_load(); });
  }
}

std::vector<MinerRow> Devnet::latest_rows() const {
  std::lock_guard<std::mutex> lock(state_->rows_mutex);
  return state_->rows;
}

std::map<int, std::uint64_t> Devnet::organic_statuses() const {
  std::lock_guard<std::mutex> lock(state_->organic_mutex);
  return state_->organic_statuses;
}

// Users as an OpenAI client sends them: bursts of concurrent requests through the gateway, the text
// task always and the tiny chat when it is served, with fresh words each time.
void Devnet::State::drive_organic_load() {
  std::mt19937_64 rng(std::random_device{}());
  auto next = std::chrono::steady_clock::now();
  while (!stopping) {
    next += std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(options.organic_every_s));
    std::vector<std::thread> burst;
    for (int i = 0; i < options.organic_burst; ++i) {
      const OrganicRequest user = organic_user_request(llm && i % 2 == 1, rng);
      net::ClientRequest request;
      request.method = "POST";
      request.url = gateway_url + user.path;
      request.body = user.body;
      request.headers.set("Authorization", "Bearer " + api_key);
      request.headers.set("Content-Type", "application/json");
      burst.emplace_back([this, request] {
        int status = 0;  // 0: no answer at all (connection refused, timeout)
        try {
          status = net::HttpClient().send(request).status;
        } catch (const std::exception&) {
        }
        std::lock_guard<std::mutex> lock(organic_mutex);
        ++organic_statuses[status];
      });
    }
    for (std::thread& t : burst) t.join();
    while (!stopping && std::chrono::steady_clock::now() < next) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

OrganicRequest organic_user_request(bool chat, std::mt19937_64& rng) {
  if (chat) return {"/v1/chat/completions", organic_chat_body(rng)};
  // The words users of the devnet type: everyday words, not the synthetic generator's list.
  static const char* const kWords[] = {
      "apple",  "travel", "music",  "summer", "coffee", "planet", "doctor", "garden", "yellow", "friend",
      "window", "little", "orange", "pocket", "castle", "number", "silent", "button", "mirror", "rabbit",
      "forest", "dinner", "bottle", "circle", "sunday", "paper",  "stone",  "river",  "cloud",  "bread",
      "train",  "quiet",  "light",  "maple",  "harbor", "signal", "orbit",  "candle", "tiger",  "spring",
      "market", "letter", "school", "winter", "butter", "purple", "island", "wonder"};
  std::uniform_int_distribution<int> length(2, 16);
  std::uniform_int_distribution<std::size_t> pick(0, sizeof(kWords) / sizeof(kWords[0]) - 1);
  std::string text;
  for (int w = 0, n = length(rng); w < n; ++w) text += (w ? " " : "") + std::string(kWords[pick(rng)]);
  const bool stream = std::bernoulli_distribution(0.5)(rng);
  return {"/v1/text/transform",
          R"({"model":"reverse-words","text":")" + text + "\"" + (stream ? R"(,"stream":true})" : "}")};
}

std::vector<ConsensusRow> Devnet::latest_consensus() const {
  std::lock_guard<std::mutex> lock(state_->rows_mutex);
  return state_->consensus;
}

std::map<std::string, double> Devnet::latest_task_weights() const {
  std::lock_guard<std::mutex> lock(state_->rows_mutex);
  return state_->task_weights.weight;
}

std::string Devnet::validator_log() const { return state_->validator ? state_->validator->output() : ""; }
std::string Devnet::gateway_url() const { return state_->gateway_url; }
std::string Devnet::chain_rpc_url() const { return state_->chain_rpc_url; }
std::uint16_t Devnet::chain_netuid() { return State::netuid; }
std::string Devnet::api_key() const { return state_->api_key; }

namespace {

std::string tables(const std::vector<MinerRow>& rows, const std::vector<std::string>& offline) {
  std::ostringstream out;
  char line[256];
  std::set<std::string> tasks;
  for (const MinerRow& r : rows) tasks.insert(r.task);
  for (const std::string& task : tasks) {
    out << "task " << task << "\n";
    std::snprintf(line, sizeof line, "  %-12s %4s %9s %13s %7s %7s %8s %7s %10s %14s\n", "behaviour", "uid", "capacity",
                  "checked/kept", "period", "served", "quality", "speed+", "task share", "overall weight");
    out << line;
    std::vector<MinerRow> sorted;
    for (const MinerRow& r : rows) {
      if (r.task == task) sorted.push_back(r);
    }
    std::sort(sorted.begin(), sorted.end(), [](const MinerRow& a, const MinerRow& b) { return a.task_share > b.task_share; });
    for (const MinerRow& r : sorted) {
      const std::string checked = std::to_string(r.checked) + "/" + std::to_string(r.kept);
      std::snprintf(line, sizeof line, "  %-12s %4u %9.0f %13s %7.3f %7.3f %8.3f %+7.3f %9.2f%% %13.2f%%\n",
                    r.behaviour.c_str(), r.uid, r.capacity, checked.c_str(), r.period_score, r.served_share, r.quality,
                    r.speed_bonus, 100 * r.task_share, 100 * r.weight);
      out << line;
    }
  }
  out << "overall\n";
  std::snprintf(line, sizeof line, "  %-12s %4s %8s\n", "behaviour", "uid", "weight");
  out << line;
  std::map<unsigned, const MinerRow*> by_uid;
  for (const MinerRow& r : rows) by_uid[r.uid] = &r;
  std::vector<const MinerRow*> miners;
  for (const auto& [uid, r] : by_uid) miners.push_back(r);
  std::sort(miners.begin(), miners.end(), [](const MinerRow* a, const MinerRow* b) { return a->weight > b->weight; });
  for (const MinerRow* r : miners) {
    std::snprintf(line, sizeof line, "  %-12s %4u %7.2f%%\n", r->behaviour.c_str(), r->uid, 100 * r->weight);
    out << line;
  }
  for (const std::string& b : offline) {
    std::snprintf(line, sizeof line, "  %-12s %4s %7.2f%%  (never answered; not a contender)\n", b.c_str(), "-", 0.0);
    out << line;
  }
  return out.str();
}

// Each validator's published task vote beside the stake-weighted median and the effective weight.
std::string task_weights_table(const std::vector<ConsensusRow>& rows, const scoring::EffectiveTaskWeights& weights) {
  std::ostringstream out;
  char line[256];
  out << "task weights (" << (weights.from_votes ? "stake-weighted median of the validators' votes, clipped to tasks.toml's bounds"
                                                 : std::string("no vote: the catalogue's"))
      << ")\n";
  std::snprintf(line, sizeof line, "  %-24s", "task");
  out << line;
  std::vector<const ConsensusRow*> voters;
  for (const ConsensusRow& r : rows) {
    if (r.who.rfind("validator", 0) != 0) continue;
    voters.push_back(&r);
    std::snprintf(line, sizeof line, " %8s", ("vote v" + std::to_string(r.uid)).c_str());
    out << line;
  }
  std::snprintf(line, sizeof line, " %8s %10s\n", "median", "effective");
  out << line;
  for (const auto& [task, weight] : weights.weight) {
    std::snprintf(line, sizeof line, "  %-24s", task.c_str());
    out << line;
    for (const ConsensusRow* v : voters) {
      auto it = v->task_votes.find(task);
      if (it == v->task_votes.end()) {
        std::snprintf(line, sizeof line, " %8s", "-");
      } else {
        std::snprintf(line, sizeof line, " %8.3f", it->second);
      }
      out << line;
    }
    auto median = weights.median.find(task);
    std::snprintf(line, sizeof line, " %8.3f %9.2f%%\n", median == weights.median.end() ? 0.0 : median->second, 100 * weight);
    out << line;
  }
  return out.str();
}

std::string consensus_table(const std::vector<ConsensusRow>& rows, std::uint64_t epoch_block) {
  std::ostringstream out;
  char line[256];
  out << "consensus (Yuma, the chain's epoch at block " << epoch_block << ")\n";
  size_t validators = 0;
  for (const ConsensusRow& r : rows) validators = std::max(validators, r.weight_by_validator.size());
  std::snprintf(line, sizeof line, "  %-12s %4s", "miner", "uid");
  out << line;
  for (size_t i = 0; i < validators; ++i) {
    std::snprintf(line, sizeof line, " %8s", ("w v" + std::to_string(i)).c_str());
    out << line;
  }
  std::snprintf(line, sizeof line, " %10s %10s\n", "consensus", "incentive");
  out << line;
  for (const ConsensusRow& r : rows) {
    if (r.who.rfind("validator", 0) == 0) continue;
    std::snprintf(line, sizeof line, "  %-12s %4u", r.who.c_str(), r.uid);
    out << line;
    for (double w : r.weight_by_validator) {
      std::snprintf(line, sizeof line, " %7.2f%%", 100 * w);
      out << line;
    }
    std::snprintf(line, sizeof line, " %10.4f %9.2f%%\n", r.consensus, 100 * r.incentive);
    out << line;
  }
  std::snprintf(line, sizeof line, "  %-18s %4s %8s %8s %10s\n", "validator", "uid", "stake", "trust", "dividends");
  out << line;
  for (const ConsensusRow& r : rows) {
    if (r.who.rfind("validator", 0) != 0) continue;
    std::snprintf(line, sizeof line, "  %-18s %4u %7.1f%% %8.3f %9.2f%%\n", r.who.c_str(), r.uid, 100 * r.stake_share,
                  r.validator_trust, 100 * r.dividends);
    out << line;
  }
  return out.str();
}

}  // namespace

void Devnet::run(const std::function<void(const std::string&)>& print) {
  State& s = *state_;
  std::map<std::string, std::string> behaviour_of;
  std::vector<std::string> offline;
  for (const auto& m : s.miners) {
    behaviour_of[m.key.ss58_address()] = m.behaviour;
    if (m.behaviour == "offline") offline.push_back("offline");
  }
  {
    std::ostringstream hello;
    hello << "devnet up in " << s.dir.string() << ": chain " << s.chain_rpc_url << " (Substrate JSON-RPC, netuid "
          << State::netuid << "; registration on " << s.chain_url << "), checker " << s.checker_url
          << (s.backend ? " (checking the LLM tasks through the node at " + s.backend_url + ")" : std::string()) << ", "
          << s.miners.size() << " miners (";
    for (size_t i = 0; i < s.miners.size(); ++i) hello << (i ? ", " : "") << s.miners[i].behaviour;
    hello << ")";
    if (!s.extra_validators.empty()) {
      hello << ", " << s.options.validators.size() << " validators (";
      for (size_t i = 0; i < s.options.validators.size(); ++i) {
        hello << (i ? ", " : "") << s.options.validators[i].behaviour << " stake " << s.options.validators[i].stake;
      }
      hello << ")";
    }
    hello << ", periods of " << s.options.period_s << " s" << (s.llm ? "" : " (no LLM plugin: text task only)") << "\n";
    if (!s.gateway_url.empty()) {
      const std::string body = s.llm ? "{\"model\":\"chat-tiny-llama\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}],"
                                       "\"max_tokens\":20,\"stream\":true}"
                                     : "{\"model\":\"reverse-words\",\"text\":\"hello devnet\"}";
      hello << "gateway (OpenAI-compatible): " << s.gateway_url << "  API key: " << s.api_key << "\n"
            << "try it: curl -N " << s.gateway_url << (s.llm ? "/v1/chat/completions" : "/v1/text/transform")
            << " -H 'Authorization: Bearer " << s.api_key << "' -H 'Content-Type: application/json' -d '" << body
            << "'\n"
            << "status page: " << s.gateway_url << "/  (contenders become routable after the first period)\n";
    }
    for (const auto& m : s.miners) {
      if (m.behaviour == "honest" && !m.url.empty()) {
        hello << "try a miner: " << s.binary << " query --key " << (s.dir / "keys" / "validator.json").string()
              << " --miner " << m.url << " --task reverse-words --request '{\"text\":\"hello devnet\"}'\n";
        break;
      }
    }
    print(hello.str());
  }
  store::SqliteValidatorStore store((s.run / "validator" / "validator.db").string());
  std::shared_ptr<chain::Chain> reader =
      s.extra_validators.empty() ? nullptr : chain::open_chain(s.chain_rpc_url, State::netuid);
  auto last_favour = std::chrono::steady_clock::now();
  std::optional<std::int64_t> seen;
  // The tables count every answer of this run: the store is new at each start.
  const std::chrono::system_clock::time_point started{};
  int settings = 0;
  while (!s.stopping) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    // Every node is watched: the chain, checker and validator are the network (their loss stops the
    // devnet); a miner that dies is reported once and the network goes on without it.
    for (auto [name, process] : {std::pair<const char*, ChildProcess*>{"chain", s.chain.get()},
                                 {"checker", s.checker.get()}, {"validator", s.validator.get()}}) {
      if (!process) continue;
      auto code = process->wait_exit(std::chrono::milliseconds(0));
      if (code) throw std::runtime_error(std::string("the ") + name + " stopped (" + exit_text(*code) + "):\n" + process->output());
    }
    for (size_t i = 0; i < s.extra_validators.size(); ++i) {
      ChildProcess* process = s.extra_validators[i].process.get();
      if (!process) continue;
      if (auto code = process->wait_exit(std::chrono::milliseconds(0))) {
        throw std::runtime_error("validator " + std::to_string(i + 1) + " stopped (" + exit_text(*code) + "):\n" +
                                 process->output());
      }
    }
    for (size_t i = 0; i < s.miners.size(); ++i) {
      State::Miner& miner = s.miners[i];
      if (!miner.process) continue;
      if (auto code = miner.process->wait_exit(std::chrono::milliseconds(0))) {
        const std::string name = "miner-" + std::to_string(i) + "-" + miner.behaviour;
        print("devnet: " + name + " (" + miner.behaviour + ", " + miner.url + ") stopped (" + exit_text(*code) +
              "); its log is " + (s.run / "logs" / (name + ".log")).string() + ". The network goes on without it.\n");
        miner.process.reset();
      }
    }
    if (reader && std::chrono::steady_clock::now() - last_favour > std::chrono::seconds(1)) {
      last_favour = std::chrono::steady_clock::now();
      try {
        s.run_favouring_validators(*reader);
      } catch (const std::exception& e) {
        print(std::string("devnet: the favouring validator could not set weights: ") + e.what() + "\n");
      }
    }
    auto latest = store.latest_weight_setting();
    if (!latest || latest == seen) continue;
    seen = latest;
    std::map<std::pair<std::string, std::string>, store::AnswerTally> tallies;
    for (store::AnswerTally& t : store.answer_tallies(started)) tallies[{t.task, t.miner_hotkey}] = t;
    std::vector<MinerRow> rows;
    for (const store::WeightBreakdownRecord& r : store.weight_breakdowns(*latest)) {
      MinerRow row;
      if (auto t = tallies.find({r.task, r.miner_hotkey}); t != tallies.end()) {
        row.checked = t->second.checked;
        row.kept = t->second.kept();
      }
      row.behaviour = behaviour_of.count(r.miner_hotkey) ? behaviour_of[r.miner_hotkey] : "?";
      row.hotkey = r.miner_hotkey;
      row.uid = r.figures.uid;
      row.task = r.task;
      row.capacity = r.figures.capacity;
      row.period_score = r.figures.period_history;
      row.served_share = r.figures.served_share;
      row.quality = r.figures.quality;
      row.speed_bonus = r.figures.speed_bonus;
      row.task_share = r.figures.task_score;
      row.weight = r.final_weight;
      rows.push_back(row);
    }
    {
      std::lock_guard<std::mutex> lock(s.rows_mutex);
      s.rows = rows;
    }
    ++settings;
    std::string consensus;
    if (reader) {
      std::vector<ConsensusRow> epoch = s.read_consensus(*reader, behaviour_of);
      consensus = consensus_table(epoch, reader->incentives().epoch_block);
      std::lock_guard<std::mutex> lock(s.rows_mutex);
      consensus += task_weights_table(epoch, s.task_weights);
      s.consensus = std::move(epoch);
    }
    std::string organic;
    if (s.options.organic_burst > 0) {
      std::lock_guard<std::mutex> lock(s.organic_mutex);
      organic = "organic users so far (HTTP status: requests):";
      for (const auto& [status, count] : s.organic_statuses)
        organic += " " + (status ? std::to_string(status) : std::string("no answer")) + ": " + std::to_string(count);
      organic += "\n";
    }
    print("weights #" + std::to_string(settings) + "\n" + tables(rows, offline) + consensus + organic);
    if (s.options.exit_after && s.options.periods > 0 && settings >= s.options.periods) break;
  }
}

void Devnet::stop() {
  State& s = *state_;
  s.stopping = true;
  if (s.organic_driver.joinable()) s.organic_driver.join();
  // Validator first (it stops sending), then miners, checker, chain; each gets SIGTERM, then time.
  std::vector<ChildProcess*> order;
  if (s.validator) order.push_back(s.validator.get());
  for (auto& v : s.extra_validators) {
    if (v.process) order.push_back(v.process.get());
  }
  for (auto& m : s.miners) {
    if (m.process) order.push_back(m.process.get());
  }
  if (s.checker) order.push_back(s.checker.get());
  if (s.backend) order.push_back(s.backend.get());
  if (s.chain) order.push_back(s.chain.get());
  for (ChildProcess* p : order) p->signal(SIGTERM);
  for (ChildProcess* p : order) {
    if (!p->wait_exit(std::chrono::seconds(15))) p->signal(SIGKILL);
  }
  s.validator.reset();
  for (auto& v : s.extra_validators) v.process.reset();
  for (auto& m : s.miners) m.process.reset();
  s.checker.reset();
  s.backend.reset();
  s.chain.reset();
}

}  // namespace nineteen::devnet
