// Runtime metadata (V14, V15) decoded to a model: the portable type registry, pallets, calls,
// storage, constants, errors, signed extensions and (V15) runtime APIs, with lookups by name.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nineteen/chain/chain.hpp"
#include "nineteen/chain/subtensor/hashers.hpp"
#include "nineteen/chain/subtensor/scale.hpp"

namespace nineteen::chain::subtensor {

// A metadata blob that does not decode, or a name it does not have; the message says which.
class MetadataError : public ChainError {
 public:
  using ChainError::ChainError;
};

struct TypeField {
  std::optional<std::string> name;
  std::uint32_t type = 0;
  std::optional<std::string> type_name;
};

struct TypeVariant {
  std::string name;
  std::vector<TypeField> fields;
  std::uint8_t index = 0;
  std::vector<std::string> docs;
};

enum class Primitive : std::uint8_t {
  bool_,
  char_,
  str,
  u8,
  u16,
  u32,
  u64,
  u128,
  u256,
  i8,
  i16,
  i32,
  i64,
  i128,
  i256
};
const char* primitive_name(Primitive p);

struct TypeDef {
  enum class Kind { composite, variant, sequence, array, tuple, primitive, compact, bit_sequence };
  Kind kind = Kind::tuple;
  std::vector<TypeField> fields;      // composite
  std::vector<TypeVariant> variants;  // variant
  std::uint32_t element = 0;          // sequence, array, compact; bit_sequence: the store type
  std::uint32_t length = 0;           // array
  std::vector<std::uint32_t> tuple;   // tuple
  Primitive primitive = Primitive::u8;
  std::uint32_t bit_order = 0;  // bit_sequence
};

struct PortableType {
  std::uint32_t id = 0;
  std::vector<std::string> path;  // e.g. {"sp_runtime", "multiaddress", "MultiAddress"}
  std::vector<std::pair<std::string, std::optional<std::uint32_t>>> params;
  TypeDef def;
};

class TypeRegistry {
 public:
  std::vector<PortableType> types;  // indexed by id (the decoder checks ids are 0..n-1 in order)

  const PortableType& get(std::uint32_t id) const;
  // A readable name: "u16", "Vec<u16>", "[u8; 32]", "Compact<u64>", "(u16, u64)" or the path's last part.
  std::string describe(std::uint32_t id) const;
  // True when the type encodes to no bytes (unit tuples, empty composites, zero-length arrays).
  bool encodes_to_nothing(std::uint32_t id) const;
  // The primitive behind `id`, looking through single-field composites (newtypes); nullopt otherwise.
  std::optional<Primitive> primitive_of(std::uint32_t id) const;
};

struct StorageEntry {
  std::string name;
  bool optional = false;  // modifier Optional (absent = None) rather than Default
  bool is_map = false;
  std::vector<StorageHasher> hashers;
  std::uint32_t key_type = 0;  // map only: one type (one hasher) or a tuple (one per hasher)
  std::uint32_t value_type = 0;
  Bytes default_value;
};

struct PalletConstant {
  std::string name;
  std::uint32_t type = 0;
  Bytes value;
};

struct Pallet {
  std::string name;
  std::uint8_t index = 0;
  std::string storage_prefix;  // empty when the pallet has no storage
  std::vector<StorageEntry> storage;
  std::optional<std::uint32_t> calls_type;  // a variant type, one variant per call
  std::optional<std::uint32_t> event_type;
  std::optional<std::uint32_t> error_type;  // a variant type, one variant per error
  std::vector<PalletConstant> constants;
};

struct SignedExtension {
  std::string identifier;
  std::uint32_t type = 0;               // what the extrinsic carries ("extra")
  std::uint32_t additional_signed = 0;  // what only the signing payload carries
};

struct RuntimeApiMethod {
  std::string name;
  std::vector<std::pair<std::string, std::uint32_t>> inputs;
  std::uint32_t output = 0;
};

struct RuntimeApi {
  std::string name;
  std::vector<RuntimeApiMethod> methods;
};

// A call found by name: its indices and argument list.
struct CallInfo {
  std::string pallet;
  std::string name;
  std::uint8_t pallet_index = 0;
  std::uint8_t call_index = 0;
  const TypeVariant* variant = nullptr;  // fields = arguments; owned by the Metadata
};

// A module error from DispatchError::Module {index, error[4]}, named by the metadata.
struct ModuleErrorInfo {
  std::string pallet;
  std::string name;
  std::string docs;  // the first doc line, if any
};

class Value;

struct Metadata {
  std::uint8_t version = 0;  // 14 or 15
  TypeRegistry types;
  std::vector<Pallet> pallets;
  std::uint8_t extrinsic_version = 0;
  std::vector<SignedExtension> signed_extensions;
  std::optional<std::uint32_t> extrinsic_type;  // V14: the UncheckedExtrinsic type
  std::optional<std::uint32_t> address_type, call_type,
      signature_type;  // V15 (V14: from the extrinsic's params)
  std::uint32_t runtime_type = 0;
  std::vector<RuntimeApi> apis;  // V15 only

  // Lookups throw MetadataError naming what is missing (and, for pallets, what exists).
  const Pallet& pallet(const std::string& name) const;
  const Pallet* pallet_by_index(std::uint8_t index) const;
  bool has_call(const std::string& pallet, const std::string& call) const;
  CallInfo call(const std::string& pallet, const std::string& call) const;
  const StorageEntry& storage(const std::string& pallet, const std::string& entry) const;
  const PalletConstant& constant(const std::string& pallet, const std::string& name) const;
  // The full storage key: twox128(prefix) ‖ twox128(entry) ‖ hasher(SCALE(key_i)) for each key.
  Bytes storage_key(const std::string& pallet, const std::string& entry,
                    const std::vector<Value>& keys = {}) const;
  std::optional<ModuleErrorInfo> module_error(std::uint8_t pallet_index,
                                              const std::array<std::uint8_t, 4>& error) const;
};

// Decodes a "meta"-prefixed blob (what state_getMetadata returns, or the inner bytes of
// Metadata_metadata_at_version). Throws MetadataError: "metadata: unsupported version N",
// "metadata: truncated at byte B ...".
Metadata decode_metadata(const std::uint8_t* data, std::size_t size);
inline Metadata decode_metadata(const Bytes& bytes) {
  return decode_metadata(bytes.data(), bytes.size());
}
// Accepts the hex of either a bare metadata blob or an Option<Vec<u8>> around one (metadata_at_version).
Metadata decode_metadata_hex(const std::string& hex);

}  // namespace nineteen::chain::subtensor
