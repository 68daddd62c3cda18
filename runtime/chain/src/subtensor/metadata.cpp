// Decoding runtime metadata V14/V15 (frame-metadata's SCALE layout) and the lookups the client needs.
#include "nineteen/chain/subtensor/metadata.hpp"

#include "nineteen/chain/subtensor/value.hpp"

namespace nineteen::chain::subtensor {
namespace {

constexpr std::uint32_t kMagic = 0x6174656d;  // "meta", little-endian

std::vector<std::string> read_strings(ScaleDecoder& in) {
  std::vector<std::string> out(in.length(1));
  for (auto& s : out) s = in.text();
  return out;
}

std::optional<std::string> read_optional_text(ScaleDecoder& in) {
  if (!in.option_tag()) return std::nullopt;
  return in.text();
}

std::optional<std::uint32_t> read_optional_type(ScaleDecoder& in) {
  if (!in.option_tag()) return std::nullopt;
  return in.compact_u32();
}

std::vector<TypeField> read_fields(ScaleDecoder& in) {
  std::vector<TypeField> fields(in.length(3));
  for (auto& f : fields) {
    f.name = read_optional_text(in);
    f.type = in.compact_u32();
    f.type_name = read_optional_text(in);
    read_strings(in);  // docs
  }
  return fields;
}

TypeDef read_type_def(ScaleDecoder& in) {
  TypeDef d;
  std::uint8_t tag = in.u8();
  switch (tag) {
    case 0:
      d.kind = TypeDef::Kind::composite;
      d.fields = read_fields(in);
      break;
    case 1: {
      d.kind = TypeDef::Kind::variant;
      d.variants.resize(in.length(4));
      for (auto& v : d.variants) {
        v.name = in.text();
        v.fields = read_fields(in);
        v.index = in.u8();
        v.docs = read_strings(in);
      }
      break;
    }
    case 2:
      d.kind = TypeDef::Kind::sequence;
      d.element = in.compact_u32();
      break;
    case 3:
      d.kind = TypeDef::Kind::array;
      d.length = in.u32();
      d.element = in.compact_u32();
      break;
    case 4: {
      d.kind = TypeDef::Kind::tuple;
      d.tuple.resize(in.length(1));
      for (auto& t : d.tuple) t = in.compact_u32();
      break;
    }
    case 5: {
      d.kind = TypeDef::Kind::primitive;
      std::uint8_t p = in.u8();
      if (p > static_cast<std::uint8_t>(Primitive::i256))
        in.fail("unknown primitive type " + std::to_string(p));
      d.primitive = static_cast<Primitive>(p);
      break;
    }
    case 6:
      d.kind = TypeDef::Kind::compact;
      d.element = in.compact_u32();
      break;
    case 7:
      d.kind = TypeDef::Kind::bit_sequence;
      d.element = in.compact_u32();
      d.bit_order = in.compact_u32();
      break;
    default:
      in.fail("unknown type definition tag " + std::to_string(tag));
  }
  return d;
}

TypeRegistry read_registry(ScaleDecoder& in) {
  TypeRegistry reg;
  reg.types.resize(in.length(4));
  for (std::size_t i = 0; i < reg.types.size(); ++i) {
    auto& t = reg.types[i];
    t.id = in.compact_u32();
    if (t.id != i)
      in.fail("type id " + std::to_string(t.id) + " out of order (expected " + std::to_string(i) + ")");
    t.path = read_strings(in);
    t.params.resize(in.length(2));
    for (auto& p : t.params) {
      p.first = in.text();
      p.second = read_optional_type(in);
    }
    t.def = read_type_def(in);
    read_strings(in);  // docs
  }
  return reg;
}

Pallet read_pallet(ScaleDecoder& in, int version) {
  Pallet p;
  p.name = in.text();
  if (in.option_tag()) {
    p.storage_prefix = in.text();
    p.storage.resize(in.length(4));
    for (auto& e : p.storage) {
      e.name = in.text();
      std::uint8_t modifier = in.u8();
      if (modifier > 1) in.fail("storage modifier " + std::to_string(modifier));
      e.optional = modifier == 0;
      std::uint8_t kind = in.u8();
      if (kind == 0) {
        e.value_type = in.compact_u32();
      } else if (kind == 1) {
        e.is_map = true;
        e.hashers.resize(in.length(1));
        for (auto& h : e.hashers) {
          std::uint8_t b = in.u8();
          if (b > 6) in.fail("unknown storage hasher " + std::to_string(b));
          h = static_cast<StorageHasher>(b);
        }
        e.key_type = in.compact_u32();
        e.value_type = in.compact_u32();
      } else {
        in.fail("unknown storage entry kind " + std::to_string(kind));
      }
      e.default_value = in.bytes();
      read_strings(in);  // docs
    }
  }
  p.calls_type = read_optional_type(in);
  p.event_type = read_optional_type(in);
  p.constants.resize(in.length(3));
  for (auto& c : p.constants) {
    c.name = in.text();
    c.type = in.compact_u32();
    c.value = in.bytes();
    read_strings(in);
  }
  p.error_type = read_optional_type(in);
  p.index = in.u8();
  if (version >= 15) read_strings(in);  // pallet docs
  return p;
}

void read_signed_extensions(ScaleDecoder& in, Metadata& m) {
  m.signed_extensions.resize(in.length(3));
  for (auto& e : m.signed_extensions) {
    e.identifier = in.text();
    e.type = in.compact_u32();
    e.additional_signed = in.compact_u32();
  }
}

void check_type(const Metadata& m, std::uint32_t id, const std::string& where) {
  if (id >= m.types.types.size()) {
    throw MetadataError("metadata: " + where + " refers to type " + std::to_string(id) +
                        " but the registry has " + std::to_string(m.types.types.size()) + " types");
  }
}

// Every type id the model refers to must exist, so later lookups cannot go out of range.
void check_references(const Metadata& m) {
  for (const auto& t : m.types.types) {
    const std::string where = "type " + std::to_string(t.id);
    for (const auto& f : t.def.fields) check_type(m, f.type, where);
    for (const auto& v : t.def.variants)
      for (const auto& f : v.fields) check_type(m, f.type, where);
    for (auto e : t.def.tuple) check_type(m, e, where);
    if (t.def.kind == TypeDef::Kind::sequence || t.def.kind == TypeDef::Kind::array ||
        t.def.kind == TypeDef::Kind::compact || t.def.kind == TypeDef::Kind::bit_sequence)
      check_type(m, t.def.element, where);
    if (t.def.kind == TypeDef::Kind::bit_sequence) check_type(m, t.def.bit_order, where);
  }
  for (const auto& p : m.pallets) {
    const std::string where = "pallet " + p.name;
    for (const auto& e : p.storage) {
      check_type(m, e.value_type, where + " storage " + e.name);
      if (e.is_map) check_type(m, e.key_type, where + " storage " + e.name);
    }
    for (const auto& c : p.constants) check_type(m, c.type, where + " constant " + c.name);
    for (auto t : {p.calls_type, p.event_type, p.error_type}) {
      if (!t) continue;
      check_type(m, *t, where);
      if (m.types.get(*t).def.kind != TypeDef::Kind::variant)
        throw MetadataError("metadata: " + where + ": calls/events/errors type " + std::to_string(*t) +
                            " is not an enum");
    }
  }
  for (const auto& e : m.signed_extensions) {
    check_type(m, e.type, "signed extension " + e.identifier);
    check_type(m, e.additional_signed, "signed extension " + e.identifier);
  }
}

}  // namespace

const char* primitive_name(Primitive p) {
  static const char* names[] = {"bool", "char", "str", "u8",  "u16", "u32",  "u64", "u128",
                                "u256", "i8",   "i16", "i32", "i64", "i128", "i256"};
  return names[static_cast<int>(p)];
}

const PortableType& TypeRegistry::get(std::uint32_t id) const {
  if (id >= types.size()) {
    throw MetadataError("metadata: no type " + std::to_string(id) + " (the registry has " +
                        std::to_string(types.size()) + ")");
  }
  return types[id];
}

std::string TypeRegistry::describe(std::uint32_t id) const {
  const auto& t = get(id);
  const auto& d = t.def;
  switch (d.kind) {
    case TypeDef::Kind::primitive:
      return primitive_name(d.primitive);
    case TypeDef::Kind::sequence:
      return "Vec<" + describe(d.element) + ">";
    case TypeDef::Kind::array:
      return "[" + describe(d.element) + "; " + std::to_string(d.length) + "]";
    case TypeDef::Kind::compact:
      return "Compact<" + describe(d.element) + ">";
    case TypeDef::Kind::bit_sequence:
      return "BitVec";
    case TypeDef::Kind::tuple: {
      std::string s = "(";
      for (std::size_t i = 0; i < d.tuple.size(); ++i) s += (i ? ", " : "") + describe(d.tuple[i]);
      return s + ")";
    }
    default:
      break;
  }
  if (!t.path.empty()) {
    if (t.path.back() == "Option" && !t.params.empty() && t.params[0].second) {
      return "Option<" + describe(*t.params[0].second) + ">";
    }
    return t.path.back();
  }
  return "type " + std::to_string(id);
}

bool TypeRegistry::encodes_to_nothing(std::uint32_t id) const {
  // Depth-limited: a recursive type cannot be empty anyway.
  struct Walk {
    const TypeRegistry& r;
    bool empty(std::uint32_t t, int depth) const {
      if (depth > 32) return false;
      const auto& d = r.get(t).def;
      switch (d.kind) {
        case TypeDef::Kind::composite:
          for (const auto& f : d.fields)
            if (!empty(f.type, depth + 1)) return false;
          return true;
        case TypeDef::Kind::tuple:
          for (auto e : d.tuple)
            if (!empty(e, depth + 1)) return false;
          return true;
        case TypeDef::Kind::array:
          return d.length == 0 || empty(d.element, depth + 1);
        default:
          return false;
      }
    }
  };
  return Walk{*this}.empty(id, 0);
}

std::optional<Primitive> TypeRegistry::primitive_of(std::uint32_t id) const {
  for (int depth = 0; depth < 16; ++depth) {
    const auto& d = get(id).def;
    if (d.kind == TypeDef::Kind::primitive) return d.primitive;
    if (d.kind == TypeDef::Kind::composite && d.fields.size() == 1) {
      id = d.fields[0].type;
      continue;
    }
    return std::nullopt;
  }
  return std::nullopt;
}

const Pallet& Metadata::pallet(const std::string& name) const {
  for (const auto& p : pallets)
    if (p.name == name) return p;
  std::string known;
  for (const auto& p : pallets) known += (known.empty() ? "" : ", ") + p.name;
  throw MetadataError("metadata: no pallet \"" + name + "\" (pallets: " + known + ")");
}

const Pallet* Metadata::pallet_by_index(std::uint8_t index) const {
  for (const auto& p : pallets)
    if (p.index == index) return &p;
  return nullptr;
}

bool Metadata::has_call(const std::string& pallet_name, const std::string& call_name) const {
  for (const auto& p : pallets) {
    if (p.name != pallet_name || !p.calls_type) continue;
    for (const auto& v : types.get(*p.calls_type).def.variants)
      if (v.name == call_name) return true;
  }
  return false;
}

CallInfo Metadata::call(const std::string& pallet_name, const std::string& call_name) const {
  const Pallet& p = pallet(pallet_name);
  if (!p.calls_type) throw MetadataError("metadata: pallet \"" + pallet_name + "\" has no calls");
  for (const auto& v : types.get(*p.calls_type).def.variants) {
    if (v.name == call_name) return CallInfo{p.name, v.name, p.index, v.index, &v};
  }
  throw MetadataError("metadata: pallet \"" + pallet_name + "\" has no call \"" + call_name +
                      "\" (this runtime is older or newer than the client expects)");
}

const StorageEntry& Metadata::storage(const std::string& pallet_name, const std::string& entry) const {
  const Pallet& p = pallet(pallet_name);
  for (const auto& e : p.storage)
    if (e.name == entry) return e;
  throw MetadataError("metadata: pallet \"" + pallet_name + "\" has no storage entry \"" + entry + "\"");
}

const PalletConstant& Metadata::constant(const std::string& pallet_name, const std::string& name) const {
  const Pallet& p = pallet(pallet_name);
  for (const auto& c : p.constants)
    if (c.name == name) return c;
  throw MetadataError("metadata: pallet \"" + pallet_name + "\" has no constant \"" + name + "\"");
}

Bytes Metadata::storage_key(const std::string& pallet_name, const std::string& entry_name,
                            const std::vector<Value>& keys) const {
  const Pallet& p = pallet(pallet_name);
  const StorageEntry& e = storage(pallet_name, entry_name);
  Bytes key;
  auto put = [&](const auto& b) { key.insert(key.end(), b.begin(), b.end()); };
  put(twox128(p.storage_prefix));
  put(twox128(e.name));
  const std::string what = pallet_name + "." + entry_name;
  if (!e.is_map) {
    if (!keys.empty()) throw MetadataError("storage " + what + " is a plain value and takes no keys");
    return key;
  }
  std::vector<std::uint32_t> key_types;
  if (e.hashers.size() == 1) {
    key_types.push_back(e.key_type);
  } else {
    const auto& d = types.get(e.key_type).def;
    if (d.kind != TypeDef::Kind::tuple || d.tuple.size() != e.hashers.size())
      throw MetadataError("metadata: storage " + what + ": key type does not match its " +
                          std::to_string(e.hashers.size()) + " hashers");
    key_types = d.tuple;
  }
  if (keys.size() > key_types.size()) {
    throw MetadataError("storage " + what + " takes " + std::to_string(key_types.size()) + " keys, got " +
                        std::to_string(keys.size()));
  }
  // Fewer keys than hashers give a prefix (for iterating a double map).
  for (std::size_t i = 0; i < keys.size(); ++i) {
    Bytes encoded =
        encode_value(types, key_types[i], keys[i], "storage " + what + " key " + std::to_string(i));
    put(apply_storage_hasher(e.hashers[i], encoded));
  }
  return key;
}

std::optional<ModuleErrorInfo> Metadata::module_error(std::uint8_t pallet_index,
                                                      const std::array<std::uint8_t, 4>& error) const {
  const Pallet* p = pallet_by_index(pallet_index);
  if (!p || !p->error_type) return std::nullopt;
  for (const auto& v : types.get(*p->error_type).def.variants) {
    if (v.index == error[0]) {
      std::string doc = v.docs.empty() ? "" : v.docs.front();
      while (!doc.empty() && doc.front() == ' ') doc.erase(doc.begin());
      return ModuleErrorInfo{p->name, v.name, doc};
    }
  }
  return std::nullopt;
}

Metadata decode_metadata(const std::uint8_t* data, std::size_t size) {
  ScaleDecoder in(data, size, "metadata");
  Metadata m;
  try {
    std::uint32_t magic = in.u32();
    if (magic != kMagic) {
      throw MetadataError("metadata: not runtime metadata (the first four bytes are " + hex_encode(data, 4) +
                          ", expected 0x6d657461 \"meta\")");
    }
    m.version = in.u8();
    if (m.version != 14 && m.version != 15) {
      throw MetadataError("metadata: unsupported version " + std::to_string(m.version) +
                          " (this client reads V14 and V15; ask the node for V15 with state_call "
                          "Metadata_metadata_at_version)");
    }
    m.types = read_registry(in);
    m.pallets.resize(in.length(5));
    for (auto& p : m.pallets) p = read_pallet(in, m.version);
    if (m.version == 14) {
      m.extrinsic_type = in.compact_u32();
      m.extrinsic_version = in.u8();
      read_signed_extensions(in, m);
      m.runtime_type = in.compact_u32();
    } else {
      m.extrinsic_version = in.u8();
      m.address_type = in.compact_u32();
      m.call_type = in.compact_u32();
      m.signature_type = in.compact_u32();
      in.compact_u32();  // extra type
      read_signed_extensions(in, m);
      m.runtime_type = in.compact_u32();
      m.apis.resize(in.length(3));
      for (auto& api : m.apis) {
        api.name = in.text();
        api.methods.resize(in.length(4));
        for (auto& f : api.methods) {
          f.name = in.text();
          f.inputs.resize(in.length(2));
          for (auto& i : f.inputs) {
            i.first = in.text();
            i.second = in.compact_u32();
          }
          f.output = in.compact_u32();
          read_strings(in);
        }
        read_strings(in);
      }
      in.compact_u32();  // outer enums: call, event, error
      in.compact_u32();
      in.compact_u32();
      std::size_t custom = in.length(3);
      for (std::size_t i = 0; i < custom; ++i) {
        in.text();
        in.compact_u32();
        in.bytes();
      }
    }
    in.expect_end();
  } catch (const ScaleError& e) {
    throw MetadataError(e.what());
  }
  if (m.version == 14 && m.extrinsic_type) {
    // UncheckedExtrinsic<Address, Call, Signature, Extra>: read the parameter types by name.
    const auto& t = m.types.get(*m.extrinsic_type);
    for (const auto& param : t.params) {
      if (!param.second) continue;
      if (param.first == "Address") m.address_type = param.second;
      if (param.first == "Call") m.call_type = param.second;
      if (param.first == "Signature") m.signature_type = param.second;
    }
  }
  check_references(m);
  return m;
}

Metadata decode_metadata_hex(const std::string& hex) {
  Bytes bytes;
  try {
    bytes = hex_decode(hex, "metadata");
  } catch (const std::invalid_argument& e) {
    throw MetadataError(e.what());
  }
  // Option<Vec<u8>> (Metadata_metadata_at_version): 01 ‖ Compact len ‖ "meta"...
  if (bytes.size() > 8 && bytes[0] == 1 && !(bytes[0] == 0x6d && bytes[1] == 0x65)) {
    ScaleDecoder in(bytes, "metadata");
    in.u8();
    std::size_t n = 0;
    try {
      n = in.length(1);
    } catch (const ScaleError& e) {
      throw MetadataError(e.what());
    }
    if (n == in.remaining()) return decode_metadata(in.cursor(), n);
  }
  if (bytes.size() == 1 && bytes[0] == 0) {
    throw MetadataError("metadata: the node has no metadata at that version (answered None)");
  }
  return decode_metadata(bytes);
}

}  // namespace nineteen::chain::subtensor
