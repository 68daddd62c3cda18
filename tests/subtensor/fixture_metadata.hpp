// The checked-in V15 metadata fixture (bittensor's integration_websocket_at_version.txt, spec 343).
#pragma once

#include <cctype>
#include <fstream>
#include <sstream>
#include <string>

#include "nineteen/chain/subtensor/scale.hpp"

namespace fixture_metadata {

inline std::string path() {
  return std::string(NINETEEN_SOURCE_DIR) + "/runtime/chain/metadata/metadata_v15_spec343.hex";
}

// The file's hex: Option<Vec<u8>> around the metadata, as Metadata_metadata_at_version answers.
inline std::string at_version_hex() {
  std::ifstream f(path());
  std::stringstream s;
  s << f.rdbuf();
  std::string hex = s.str();
  while (!hex.empty() && std::isspace(static_cast<unsigned char>(hex.back()))) hex.pop_back();
  return hex;
}

// The bare "meta" blob inside, as state_getMetadata answers it.
inline nineteen::chain::subtensor::Bytes blob() {
  namespace st = nineteen::chain::subtensor;
  st::Bytes b = st::hex_decode(at_version_hex());
  st::ScaleDecoder d(b);
  d.u8();
  std::size_t n = d.length();
  return st::Bytes(d.cursor(), d.cursor() + n);
}

}  // namespace fixture_metadata
