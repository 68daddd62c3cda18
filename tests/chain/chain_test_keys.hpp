// Deterministic hotkeys and a temp folder for the chain tests.
#pragma once

#include "../store/temp_store_dir.hpp"
#include "nineteen/keys/hotkey.hpp"

namespace nineteen::chain::testing {

inline keys::Hotkey test_key(std::uint8_t n) {
  keys::Seed seed{};
  seed.fill(n);
  return keys::Hotkey::from_seed(seed);
}

using TempChainDir = store::testing::TempStoreDir;

}  // namespace nineteen::chain::testing
