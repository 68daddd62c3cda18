// Extrinsic v4: calls encoded by the metadata's argument types, signed extensions from the metadata's
// list, the signing payload, and the signed extrinsic (MultiAddress::Id, MultiSignature::Sr25519).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "nineteen/chain/subtensor/metadata.hpp"
#include "nineteen/chain/subtensor/value.hpp"

namespace nineteen::chain::subtensor {

using Hash256 = std::array<std::uint8_t, 32>;
using Signature64 = std::array<std::uint8_t, 64>;
// Signs the payload bytes (already hashed when longer than 256 bytes) with the sender's sr25519 key.
using ExtrinsicSigner = std::function<Signature64(const Bytes& payload)>;

// The transaction's lifetime. Mortal eras are valid for `period` blocks (a power of two in 4..65536)
// from their birth block; the signing payload carries the birth block's hash.
struct Era {
  bool immortal = true;
  std::uint64_t period = 0;
  std::uint64_t phase = 0;

  static Era immortal_era() { return Era{}; }
  // As Substrate's Era::mortal: the period rounded up to a power of two and clamped, the phase quantised.
  static Era mortal(std::uint64_t period, std::uint64_t current_block);
  Bytes encode() const;
  // The first block of the era that contains `current_block` (the block whose hash is signed).
  std::uint64_t birth(std::uint64_t current_block) const;
};

struct TxParams {
  std::uint32_t spec_version = 0;
  std::uint32_t transaction_version = 0;
  Hash256 genesis_hash{};
  Era era;                   // immortal by default
  Hash256 era_block_hash{};  // the era's birth block; the genesis hash when immortal
  std::uint64_t nonce = 0;
  u128 tip = 0;
};

struct EncodedExtensions {
  Bytes extra;       // carried in the extrinsic
  Bytes additional;  // only in the signing payload
};

// Named call arguments, in the call's order (names are checked against the metadata).
using CallArgs = std::vector<std::pair<std::string, Value>>;

// pallet index ‖ call index ‖ SCALE(args by the metadata's field types). Throws MetadataError when the
// call is missing or an argument is missing, misnamed, extra or does not fit its type.
Bytes encode_call(const Metadata& metadata, const std::string& pallet, const std::string& call,
                  const CallArgs& args);

// Walks the metadata's signed extensions in order. Known ones: CheckSpecVersion, CheckTxVersion,
// CheckGenesis, CheckMortality (or CheckEra), CheckNonce, ChargeTransactionPayment, ChargeAssetTxPayment,
// CheckMetadataHash (mode Disabled, additional None). An unknown one must encode to nothing, or this throws.
EncodedExtensions encode_signed_extensions(const Metadata& metadata, const TxParams& params);

// call ‖ extra ‖ additional, as signed: blake2b-256 of it when longer than 256 bytes.
Bytes signing_payload(const Bytes& call, const EncodedExtensions& extensions);

// Compact(len) ‖ 0x84 ‖ MultiAddress::Id(public key) ‖ MultiSignature::Sr25519(signature) ‖ extra ‖ call.
Bytes signed_extrinsic(const Metadata& metadata, const Bytes& call, const EncodedExtensions& extensions,
                       const Hash256& public_key, const Signature64& signature);

// Everything above in one: encode extensions, sign the payload with `signer`, assemble.
Bytes build_signed_extrinsic(const Metadata& metadata, const Bytes& call, const TxParams& params,
                             const Hash256& public_key, const ExtrinsicSigner& signer);

// A signed extrinsic read back (what a node, e.g. the local dev chain serving author_submitExtrinsic, needs
// to check the signature and apply the call).
struct DecodedExtrinsic {
  Hash256 signer{};            // MultiAddress::Id
  std::string signature_kind;  // the MultiSignature variant: "Sr25519", "Ed25519", ...
  Signature64 signature{};
  Era era;
  std::uint64_t nonce = 0;
  u128 tip = 0;
  Bytes extra;  // raw, to rebuild the signing payload
  Bytes call;   // pallet index ‖ call index ‖ args
  std::string pallet;
  std::string call_name;
  CallArgs args;  // decoded by the metadata's argument types
};

// Parses Compact(len) ‖ 0x84 ‖ address ‖ signature ‖ extra ‖ call. Throws MetadataError for an unsigned or
// non-v4 extrinsic, an address other than MultiAddress::Id, an unknown call, or bytes left over.
DecodedExtrinsic decode_signed_extrinsic(const Metadata& metadata, const Bytes& extrinsic);

// The bytes the sender must have signed, with the additional data the node knows (spec and transaction
// version, genesis, the era's birth block hash in `node_side.era_block_hash`).
Bytes signing_payload_of(const Metadata& metadata, const DecodedExtrinsic& extrinsic,
                         const TxParams& node_side);

}  // namespace nineteen::chain::subtensor
