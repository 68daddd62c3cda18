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

}  // namespace

namespace {

// Buffers for the median, reused across the columns of an epoch (no allocation per column).
struct MedianScratch {
  std::vector<double> stake, values;
  std::vector<std::size_t> partition, lower, upper;
};

// Subtensor's weighted_median: a binary search on a mid pivot over the stake integral [0, 1]; the
// result is the score where the stake below it first exceeds the minority 1 − majority.
double weighted_median(const double* stake_in, const double* score, std::size_t count, double majority,
                       MedianScratch& s) {
  s.stake.clear();
  s.values.clear();
  for (std::size_t i = 0; i < count; ++i) {
    if (clean(stake_in[i]) > 0) {
      s.stake.push_back(clean(stake_in[i]));
      s.values.push_back(score[i]);
    }
  }
  if (s.stake.empty()) return 0;
  normalize(s.stake);
  double stake_sum = 0;
  for (double x : s.stake) stake_sum += x;
  const double minority = stake_sum - majority;

  s.partition.resize(s.stake.size());
  for (std::size_t i = 0; i < s.partition.size(); ++i) s.partition[i] = i;
  double partition_lo = 0, partition_hi = stake_sum;
  for (std::size_t iteration = 0; iteration <= s.stake.size(); ++iteration) {
    if (s.partition.empty()) return 0;
    if (s.partition.size() == 1) return s.values[s.partition.front()];
    const double pivot = s.values[s.partition[s.partition.size() / 2]];
    double lo_stake = 0, hi_stake = 0;
    s.lower.clear();
    s.upper.clear();
    for (std::size_t i : s.partition) {
      if (s.values[i] == pivot) continue;
      if (s.values[i] < pivot) {
        lo_stake += s.stake[i];
        s.lower.push_back(i);
      } else {
        hi_stake += s.stake[i];
        s.upper.push_back(i);
      }
    }
    if (minority < partition_lo + lo_stake && !s.lower.empty()) {
      s.partition.swap(s.lower);
      partition_hi = partition_lo + lo_stake;
    } else if (partition_hi - hi_stake <= minority && !s.upper.empty()) {
      s.partition.swap(s.upper);
      partition_lo = partition_hi - hi_stake;
    } else {
      return pivot;
    }
  }
  return 0;
}

}  // namespace

double stake_weighted_median(const std::vector<double>& stake, const std::vector<double>& score, double majority) {
  MedianScratch scratch;
  return weighted_median(stake.data(), score.data(), std::min(stake.size(), score.size()), majority, scratch);
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

  // Only validator rows can be non-zero (a row without a permit has its weights masked and no ΔB;
  // it keeps only its old bonds): the matrices are rows × n, not n × n, so 64 validators over 4096
  // uids cost 64·4096 cells per matrix. rows[r] is the uid of row r.
  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < n; ++i) {
    bool has_bonds = false;
    if (i < input.bonds.size())
      for (double b : input.bonds[i]) has_bonds = has_bonds || clean(b) > 0;
    if (active[i] > 0 || has_bonds) rows.push_back(i);
  }
  const std::size_t m = rows.size();
  auto matrix = [&]() { return Matrix(m, std::vector<double>(n, 0)); };

  // Weights: only permitted validators' rows, no self-weight, each row normalised.
  Matrix weights = matrix();
  for (std::size_t r = 0; r < m; ++r) {
    const std::size_t i = rows[r];
    if (!permitted(i) || i >= input.weights.size()) continue;
    for (std::size_t j = 0; j < n && j < input.weights[i].size(); ++j) {
      if (i != j) weights[r][j] = clean(input.weights[i][j]);
    }
    normalize(weights[r]);
  }
  std::vector<double> row_stake(m);
  for (std::size_t r = 0; r < m; ++r) row_stake[r] = active[rows[r]];

  // Consensus per miner, weights clipped at it, validator trust.
  out.consensus.assign(n, 0);
  std::vector<double> column(m);
  MedianScratch scratch;
  for (std::size_t j = 0; j < n; ++j) {
    for (std::size_t r = 0; r < m; ++r) column[r] = weights[r][j];
    out.consensus[j] = weighted_median(row_stake.data(), column.data(), m, params.kappa, scratch);
  }
  Matrix clipped = weights;
  out.validator_trust.assign(n, 0);
  for (std::size_t r = 0; r < m; ++r) {
    for (std::size_t j = 0; j < n; ++j) {
      clipped[r][j] = std::min(clipped[r][j], out.consensus[j]);
      out.validator_trust[rows[r]] += clipped[r][j];
    }
  }

  // Incentive: r_j = Σ_i clipped_ij · s_i, normalised.
  out.incentive.assign(n, 0);
  for (std::size_t r = 0; r < m; ++r)
    for (std::size_t j = 0; j < n; ++j) out.incentive[j] += clipped[r][j] * row_stake[r];
  normalize(out.incentive);

  // Bonds: EMA of the column-normalised ΔB = W◦S over the stored bonds, column-normalised.
  const double penalty = std::clamp(params.bonds_penalty, 0.0, 1.0);
  Matrix delta = matrix();
  for (std::size_t r = 0; r < m; ++r)
    for (std::size_t j = 0; j < n; ++j)
      delta[r][j] = (weights[r][j] + penalty * (clipped[r][j] - weights[r][j])) * row_stake[r];
  col_normalize(delta, n);
  Matrix bonds = matrix();
  for (std::size_t r = 0; r < m; ++r) {
    const std::size_t i = rows[r];
    if (i >= input.bonds.size()) continue;
    for (std::size_t j = 0; j < n && j < input.bonds[i].size(); ++j) bonds[r][j] = clean(input.bonds[i][j]);
  }
  col_normalize(bonds, n);
  const double alpha = 1 - std::clamp(params.bonds_moving_average, 0.0, 1.0);
  Matrix& ema = delta;  // in place: ΔB is not needed after this
  for (std::size_t r = 0; r < m; ++r)
    for (std::size_t j = 0; j < n; ++j) ema[r][j] = alpha * delta[r][j] + (1 - alpha) * bonds[r][j];
  col_normalize(ema, n);

  // Dividends: d_i = Σ_j B_ij · I_j, normalised.
  out.dividends.assign(n, 0);
  for (std::size_t r = 0; r < m; ++r)
    for (std::size_t j = 0; j < n; ++j) out.dividends[rows[r]] += ema[r][j] * out.incentive[j];
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

  // Stored bonds: each column max-upscaled to 1; rows of uids that hold none stay empty.
  std::vector<double> largest(n, 0);
  for (std::size_t r = 0; r < m; ++r)
    for (std::size_t j = 0; j < n; ++j) largest[j] = std::max(largest[j], ema[r][j]);
  out.bonds.assign(n, {});
  for (std::size_t r = 0; r < m; ++r) {
    for (std::size_t j = 0; j < n; ++j)
      if (largest[j] > 0) ema[r][j] /= largest[j];
    out.bonds[rows[r]] = std::move(ema[r]);
  }
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
