// Yuma consensus in double precision, step for step as Subtensor's epoch_dense_mechanism (original
// Yuma, no liquid alpha; activity cutoff and registration masks are the caller's: a uid that should
// not count has no stake or no weights here).
#include "nineteen/chain/yuma_consensus.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace nineteen::chain {
namespace {

using Matrix = std::vector<std::vector<double>>;

double clean(double x) { return std::isfinite(x) && x > 0 ? x : 0; }

void normalize(std::vector<double>& x) {
  double sum = 0;
  for (double v : x) sum += v;
  if (sum == 0) return;
  for (double& v : x) v /= sum;
}

void col_normalize(Matrix& m, std::size_t n) {
  std::vector<double> sums(n, 0);
  for (const auto& row : m)
    for (std::size_t j = 0; j < n; ++j) sums[j] += row[j];
  for (auto& row : m)
    for (std::size_t j = 0; j < n; ++j)
      if (sums[j] != 0) row[j] /= sums[j];
}

Matrix square(std::size_t n) { return Matrix(n, std::vector<double>(n, 0)); }

}  // namespace

double stake_weighted_median(const std::vector<double>& stake_in, const std::vector<double>& score, double majority) {
  // Subtensor's weighted_median: a binary search on a mid pivot over the stake integral [0, 1];
  // the result is the score where the stake below it first exceeds the minority 1 − majority.
  std::vector<double> stake;
  std::vector<double> values;
  for (std::size_t i = 0; i < stake_in.size() && i < score.size(); ++i) {
    if (clean(stake_in[i]) > 0) {
      stake.push_back(clean(stake_in[i]));
      values.push_back(score[i]);
    }
  }
  if (stake.empty()) return 0;
  normalize(stake);
  double stake_sum = 0;
  for (double s : stake) stake_sum += s;
  const double minority = stake_sum - majority;

  std::vector<std::size_t> partition(stake.size());
  for (std::size_t i = 0; i < partition.size(); ++i) partition[i] = i;
  double partition_lo = 0, partition_hi = stake_sum;
  std::vector<std::size_t> lower, upper;
  for (std::size_t iteration = 0; iteration <= stake.size(); ++iteration) {
    if (partition.empty()) return 0;
    if (partition.size() == 1) return values[partition.front()];
    const double pivot = values[partition[partition.size() / 2]];
    double lo_stake = 0, hi_stake = 0;
    lower.clear();
    upper.clear();
    for (std::size_t i : partition) {
      if (values[i] == pivot) continue;
      if (values[i] < pivot) {
        lo_stake += stake[i];
        lower.push_back(i);
      } else {
        hi_stake += stake[i];
        upper.push_back(i);
      }
    }
    if (minority < partition_lo + lo_stake && !lower.empty()) {
      partition = lower;
      partition_hi = partition_lo + lo_stake;
    } else if (partition_hi - hi_stake <= minority && !upper.empty()) {
      partition = upper;
      partition_lo = partition_hi - hi_stake;
    } else {
      return pivot;
    }
  }
  return 0;
}

YumaOutput yuma_epoch(const YumaInput& input, const YumaParams& params) {
  const std::size_t n = input.stake.size();
  YumaOutput out;

  // Stake, and the active validators' share of it.
  std::vector<double> stake(n);
  for (std::size_t i = 0; i < n; ++i) stake[i] = clean(input.stake[i]);
  normalize(stake);
  auto permitted = [&](std::size_t i) { return input.validator_permit.empty() || input.validator_permit[i]; };
  std::vector<double> active = stake;
  for (std::size_t i = 0; i < n; ++i)
    if (!permitted(i)) active[i] = 0;
  normalize(active);

  // Weights: only permitted validators' rows, no self-weight, each row normalised.
  Matrix weights = square(n);
  for (std::size_t i = 0; i < n && i < input.weights.size(); ++i) {
    if (!permitted(i)) continue;
    for (std::size_t j = 0; j < n && j < input.weights[i].size(); ++j) {
      if (i != j) weights[i][j] = clean(input.weights[i][j]);
    }
    normalize(weights[i]);
  }

  // Consensus per miner, weights clipped at it, validator trust.
  out.consensus.assign(n, 0);
  std::vector<double> column(n);
  for (std::size_t j = 0; j < n; ++j) {
    for (std::size_t i = 0; i < n; ++i) column[i] = weights[i][j];
    out.consensus[j] = stake_weighted_median(active, column, params.kappa);
  }
  Matrix clipped = weights;
  out.validator_trust.assign(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      clipped[i][j] = std::min(clipped[i][j], out.consensus[j]);
      out.validator_trust[i] += clipped[i][j];
    }
  }

  // Incentive: r_j = Σ_i clipped_ij · s_i, normalised.
  out.incentive.assign(n, 0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) out.incentive[j] += clipped[i][j] * active[i];
  normalize(out.incentive);

  // Bonds: EMA of the column-normalised ΔB = W◦S over the stored bonds, column-normalised.
  const double penalty = std::clamp(params.bonds_penalty, 0.0, 1.0);
  Matrix delta = square(n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      delta[i][j] = (weights[i][j] + penalty * (clipped[i][j] - weights[i][j])) * active[i];
  col_normalize(delta, n);
  Matrix bonds = square(n);
  for (std::size_t i = 0; i < n && i < input.bonds.size(); ++i)
    for (std::size_t j = 0; j < n && j < input.bonds[i].size(); ++j) bonds[i][j] = clean(input.bonds[i][j]);
  col_normalize(bonds, n);
  const double alpha = 1 - std::clamp(params.bonds_moving_average, 0.0, 1.0);
  Matrix ema = square(n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) ema[i][j] = alpha * delta[i][j] + (1 - alpha) * bonds[i][j];
  col_normalize(ema, n);

  // Dividends: d_i = Σ_j B_ij · I_j, normalised.
  out.dividends.assign(n, 0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) out.dividends[i] += ema[i][j] * out.incentive[j];
  normalize(out.dividends);

  // Emission: incentive to servers, dividends to validators, over their joint sum; nothing earned
  // (no weights, all clipped away) pays the stake.
  out.emission.assign(n, 0);
  double emission_sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    out.emission[i] = out.incentive[i] + out.dividends[i];
    emission_sum += out.emission[i];
  }
  if (emission_sum == 0) {
    const bool any_active = std::any_of(active.begin(), active.end(), [](double s) { return s > 0; });
    out.emission = any_active ? active : stake;
  } else {
    for (double& e : out.emission) e /= emission_sum;
  }

  // Stored bonds: each column max-upscaled to 1.
  for (std::size_t j = 0; j < n; ++j) {
    double largest = 0;
    for (std::size_t i = 0; i < n; ++i) largest = std::max(largest, ema[i][j]);
    if (largest > 0)
      for (std::size_t i = 0; i < n; ++i) ema[i][j] /= largest;
  }
  out.bonds = std::move(ema);
  out.stake = std::move(active);
  return out;
}

std::vector<std::vector<std::uint16_t>> bonds_to_u16(const std::vector<std::vector<double>>& bonds) {
  std::vector<std::vector<std::uint16_t>> out(bonds.size());
  for (std::size_t i = 0; i < bonds.size(); ++i) {
    out[i].resize(bonds[i].size());
    for (std::size_t j = 0; j < bonds[i].size(); ++j) {
      // Subtensor truncates the proportion times 65535 (fixed-point to_num).
      out[i][j] = static_cast<std::uint16_t>(std::clamp(clean(bonds[i][j]), 0.0, 1.0) * 65535.0);
    }
  }
  return out;
}

std::vector<std::vector<double>> bonds_from_u16(const std::vector<std::vector<std::uint16_t>>& bonds) {
  std::vector<std::vector<double>> out(bonds.size());
  for (std::size_t i = 0; i < bonds.size(); ++i) {
    out[i].resize(bonds[i].size());
    for (std::size_t j = 0; j < bonds[i].size(); ++j) out[i][j] = bonds[i][j] / 65535.0;
  }
  return out;
}

}  // namespace nineteen::chain
