// Yuma consensus, as Subtensor's epoch computes it (pallets/subtensor/src/epoch/run_epoch.rs,
// `epoch_dense_mechanism`, the original Yuma without liquid alpha), in double precision: stake-weighted
// median consensus per miner, weights clipped at it, incentive from the clipped weights, bonds as an
// EMA of stake-weighted weights, dividends from bonds × incentive. Pure: the local chain keeps the
// inputs (stake, weights, the stored bonds) and calls this once per epoch.
#pragma once

#include <cstdint>
#include <vector>

namespace nineteen::chain {

struct YumaParams {
  double kappa = 0.5;                  // majority ratio for the consensus median (Kappa: 32767/65535)
  double bonds_moving_average = 0.9;   // BondsMovingAverage 900000 / 10^6; EMA alpha = 1 − this
  double bonds_penalty = 1.0;          // 0: bonds from raw weights, 1: from consensus-clipped weights
};

// One epoch's inputs over n uids. Row i of `weights` is uid i's weights (any non-negative scale, as
// set: u16), zero or empty for a uid that set none; the diagonal (self-weight) is ignored.
struct YumaInput {
  std::vector<double> stake;                 // n: any non-negative scale; normalised inside
  std::vector<bool> validator_permit;        // n, or empty: every uid with stake may validate
  std::vector<std::vector<double>> weights;  // n rows; a row shorter than n counts its missing columns as 0
  std::vector<std::vector<double>> bonds;    // the stored bonds (column max = 1), n rows, or empty: none yet
};

struct YumaOutput {
  std::vector<double> stake;            // active validator stake, normalised
  std::vector<double> consensus;        // C_j: stake-weighted kappa-median of the normalised weights on j
  std::vector<double> incentive;        // I_j: Σ_i S_i · min(W_ij, C_j), normalised
  std::vector<double> dividends;        // D_i: Σ_j B_ij · I_j, normalised
  std::vector<double> validator_trust;  // Tv_i: Σ_j min(W_ij, C_j)
  std::vector<double> emission;         // (I + D) normalised; the stake when nothing was earned
  // To store: the EMA bonds, each column max-upscaled to 1; n rows, empty for a uid that holds none.
  std::vector<std::vector<double>> bonds;
};

YumaOutput yuma_epoch(const YumaInput& input, const YumaParams& params = {});

// The stake-weighted median of `score` that leaves at most 1 − majority of the stake above it,
// as Subtensor's weighted_median (mid pivot, deterministic). `stake` is normalised inside.
double stake_weighted_median(const std::vector<double>& stake, const std::vector<double>& score, double majority);

// Subtensor stores bonds as u16 proportions (truncated); the next epoch reads them back as x/65535.
std::vector<std::vector<std::uint16_t>> bonds_to_u16(const std::vector<std::vector<double>>& bonds);
std::vector<std::vector<double>> bonds_from_u16(const std::vector<std::vector<std::uint16_t>>& bonds);

}  // namespace nineteen::chain
