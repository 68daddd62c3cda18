// Substrate secret URIs: "PHRASE//hard//0///password", "0xSEED//x", "//Alice" (the dev phrase).
#pragma once

#include <string_view>

#include "nineteen/keys/hotkey.hpp"

namespace nineteen::keys {

// Substrate's development phrase, which "//Alice" and friends derive from.
inline constexpr std::string_view kSubstrateDevPhrase =
    "bottom drive obey lake curtain smoke basket hold race lonely fit walk";

// The sr25519 key a secret URI names, as Substrate's Pair::from_string does. Hard junctions only
// ("//name", "//7"); a soft one ("/name") throws std::invalid_argument, as do a bad phrase or seed.
Hotkey hotkey_from_secret_uri(std::string_view uri);

}  // namespace nineteen::keys
