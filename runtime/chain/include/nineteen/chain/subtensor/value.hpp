// A dynamic value encoded to, or decoded from, SCALE by a type of the metadata's registry.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nineteen/chain/subtensor/metadata.hpp"
#include "nineteen/chain/subtensor/scale.hpp"

namespace nineteen::chain::subtensor {

// Integers (unsigned up to u128), booleans, byte strings (for [u8; N], Vec<u8> and their newtypes such as
// AccountId32 or H256), text, lists (sequences, arrays, tuples and multi-field composites, positional),
// and variants (enums, Option's None/Some). A single-field composite takes its field's value directly.
class Value {
 public:
  enum class Kind { uint, boolean, bytes, text, list, variant };

  static Value uint(u128 v) {
    Value x(Kind::uint);
    x.uint_ = v;
    return x;
  }
  static Value boolean(bool v) {
    Value x(Kind::boolean);
    x.uint_ = v ? 1 : 0;
    return x;
  }
  static Value bytes(Bytes v) {
    Value x(Kind::bytes);
    x.bytes_ = std::move(v);
    return x;
  }
  template <std::size_t N>
  static Value bytes(const std::array<std::uint8_t, N>& v) {
    return bytes(Bytes(v.begin(), v.end()));
  }
  static Value text(std::string v) {
    Value x(Kind::text);
    x.bytes_.assign(v.begin(), v.end());
    return x;
  }
  static Value list(std::vector<Value> v) {
    Value x(Kind::list);
    x.items_ = std::move(v);
    return x;
  }
  template <typename T>
  static Value uint_list(const std::vector<T>& v) {
    std::vector<Value> items;
    for (const auto& e : v) items.push_back(uint(e));
    return list(std::move(items));
  }
  static Value variant(std::string name, std::vector<Value> fields = {}) {
    Value x(Kind::variant);
    x.name_ = std::move(name);
    x.items_ = std::move(fields);
    return x;
  }
  static Value none() { return variant("None"); }
  static Value some(Value v) { return variant("Some", {std::move(v)}); }

  Kind kind() const { return kind_; }
  u128 as_uint() const { return uint_; }
  bool as_bool() const { return uint_ != 0; }
  const Bytes& as_bytes() const { return bytes_; }
  std::string as_text() const { return std::string(bytes_.begin(), bytes_.end()); }
  const std::vector<Value>& items() const { return items_; }
  const std::string& variant_name() const { return name_; }
  // Short human form for error messages.
  std::string describe() const;

 private:
  explicit Value(Kind k) : kind_(k) {}
  Kind kind_;
  u128 uint_ = 0;
  Bytes bytes_;
  std::vector<Value> items_;
  std::string name_;
};

// Encodes `value` as the registry's type `type`; throws MetadataError naming `what`, the type and the value
// when they do not fit (a string for a u16, 70000 for a u16, 31 bytes for [u8; 32], ...).
void encode_value(const TypeRegistry& types, std::uint32_t type, const Value& value, ScaleEncoder& out,
                  const std::string& what);
Bytes encode_value(const TypeRegistry& types, std::uint32_t type, const Value& value,
                   const std::string& what);

// Decodes one value of `type` (signed integers become their two's-complement bits as uint;
// u256/i256 and bit sequences become bytes). Throws ScaleError on truncated input.
Value decode_value(const TypeRegistry& types, std::uint32_t type, ScaleDecoder& in);

// The zero of `type`: 0, false, "", empty sequences, zeroed arrays, an enum's first variant with zero fields.
// For the fields a producer of events or storage does not care about (e.g. an event's DispatchInfo).
Value zero_value(const TypeRegistry& types, std::uint32_t type);

}  // namespace nineteen::chain::subtensor
