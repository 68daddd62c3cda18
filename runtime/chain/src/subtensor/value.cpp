// Encoding and decoding dynamic values by the metadata's portable types.
#include "nineteen/chain/subtensor/value.hpp"

namespace nineteen::chain::subtensor {
namespace {

const char* kind_name(Value::Kind k) {
  switch (k) {
    case Value::Kind::uint:
      return "an integer";
    case Value::Kind::boolean:
      return "a boolean";
    case Value::Kind::bytes:
      return "bytes";
    case Value::Kind::text:
      return "text";
    case Value::Kind::list:
      return "a list";
    case Value::Kind::variant:
      return "a variant";
  }
  return "a value";
}

[[noreturn]] void mismatch(const TypeRegistry& types, std::uint32_t type, const Value& v,
                           const std::string& what, const std::string& detail = "") {
  throw MetadataError(what + ": expected " + types.describe(type) + ", got " + v.describe() +
                      (detail.empty() ? "" : " (" + detail + ")"));
}

int primitive_width(Primitive p) {
  switch (p) {
    case Primitive::u8:
    case Primitive::i8:
      return 1;
    case Primitive::u16:
    case Primitive::i16:
      return 2;
    case Primitive::u32:
    case Primitive::i32:
    case Primitive::char_:
      return 4;
    case Primitive::u64:
    case Primitive::i64:
      return 8;
    case Primitive::u128:
    case Primitive::i128:
      return 16;
    case Primitive::u256:
    case Primitive::i256:
      return 32;
    default:
      return 0;
  }
}

bool is_u8(const TypeRegistry& types, std::uint32_t id) {
  const auto& d = types.get(id).def;
  return d.kind == TypeDef::Kind::primitive && d.primitive == Primitive::u8;
}

void encode(const TypeRegistry& types, std::uint32_t type, const Value& v, ScaleEncoder& out,
            const std::string& what, int depth) {
  if (depth > 64) throw MetadataError(what + ": value nests deeper than 64 levels");
  const auto& d = types.get(type).def;
  switch (d.kind) {
    case TypeDef::Kind::primitive: {
      if (d.primitive == Primitive::bool_) {
        if (v.kind() != Value::Kind::boolean) mismatch(types, type, v, what);
        out.boolean(v.as_bool());
        return;
      }
      if (d.primitive == Primitive::str) {
        if (v.kind() != Value::Kind::text && v.kind() != Value::Kind::bytes) mismatch(types, type, v, what);
        out.bytes(v.as_bytes());
        return;
      }
      int width = primitive_width(d.primitive);
      if (v.kind() != Value::Kind::uint || width > 16) mismatch(types, type, v, what);
      u128 x = v.as_uint();
      if (width < 16 && (x >> (8 * width)) != 0) mismatch(types, type, v, what, "out of range");
      for (int i = 0; i < width; ++i) out.u8(static_cast<std::uint8_t>(x >> (8 * i)));
      return;
    }
    case TypeDef::Kind::compact: {
      if (v.kind() != Value::Kind::uint) mismatch(types, type, v, what);
      auto p = types.primitive_of(d.element);
      int width = p ? primitive_width(*p) : 16;
      if (width < 16 && (v.as_uint() >> (8 * width)) != 0) mismatch(types, type, v, what, "out of range");
      out.compact(v.as_uint());
      return;
    }
    case TypeDef::Kind::sequence: {
      if (v.kind() == Value::Kind::bytes || v.kind() == Value::Kind::text) {
        if (!is_u8(types, d.element)) mismatch(types, type, v, what);
        out.bytes(v.as_bytes());
        return;
      }
      if (v.kind() != Value::Kind::list) mismatch(types, type, v, what);
      out.compact(v.items().size());
      for (std::size_t i = 0; i < v.items().size(); ++i)
        encode(types, d.element, v.items()[i], out, what + "[" + std::to_string(i) + "]", depth + 1);
      return;
    }
    case TypeDef::Kind::array: {
      if (v.kind() == Value::Kind::bytes) {
        if (!is_u8(types, d.element)) mismatch(types, type, v, what);
        if (v.as_bytes().size() != d.length)
          mismatch(types, type, v, what, "needs exactly " + std::to_string(d.length) + " bytes");
        out.raw(v.as_bytes());
        return;
      }
      if (v.kind() != Value::Kind::list || v.items().size() != d.length)
        mismatch(types, type, v, what, "needs " + std::to_string(d.length) + " items");
      for (std::size_t i = 0; i < v.items().size(); ++i)
        encode(types, d.element, v.items()[i], out, what + "[" + std::to_string(i) + "]", depth + 1);
      return;
    }
    case TypeDef::Kind::tuple: {
      if (d.tuple.size() == 1 && !(v.kind() == Value::Kind::list && v.items().size() == 1)) {
        encode(types, d.tuple[0], v, out, what, depth + 1);
        return;
      }
      if (v.kind() != Value::Kind::list || v.items().size() != d.tuple.size())
        mismatch(types, type, v, what, "needs " + std::to_string(d.tuple.size()) + " items");
      for (std::size_t i = 0; i < d.tuple.size(); ++i)
        encode(types, d.tuple[i], v.items()[i], out, what + "." + std::to_string(i), depth + 1);
      return;
    }
    case TypeDef::Kind::composite: {
      if (d.fields.size() == 1) {
        // A newtype (AccountId32, H256, Compact wrappers): the value is its one field's.
        if (v.kind() == Value::Kind::list && v.items().size() == 1 &&
            types.get(d.fields[0].type).def.kind != TypeDef::Kind::sequence &&
            types.get(d.fields[0].type).def.kind != TypeDef::Kind::array) {
          encode(types, d.fields[0].type, v.items()[0], out, what, depth + 1);
        } else {
          encode(types, d.fields[0].type, v, out, what, depth + 1);
        }
        return;
      }
      if (v.kind() != Value::Kind::list || v.items().size() != d.fields.size())
        mismatch(types, type, v, what, "needs " + std::to_string(d.fields.size()) + " fields");
      for (std::size_t i = 0; i < d.fields.size(); ++i)
        encode(types, d.fields[i].type, v.items()[i], out,
               what + "." + d.fields[i].name.value_or(std::to_string(i)), depth + 1);
      return;
    }
    case TypeDef::Kind::variant: {
      if (v.kind() != Value::Kind::variant) mismatch(types, type, v, what);
      for (const auto& var : d.variants) {
        if (var.name != v.variant_name()) continue;
        if (v.items().size() != var.fields.size())
          mismatch(types, type, v, what,
                   var.name + " takes " + std::to_string(var.fields.size()) + " fields");
        out.u8(var.index);
        for (std::size_t i = 0; i < var.fields.size(); ++i)
          encode(types, var.fields[i].type, v.items()[i], out,
                 what + "." + var.name + "." + var.fields[i].name.value_or(std::to_string(i)), depth + 1);
        return;
      }
      std::string names;
      for (const auto& var : d.variants) names += (names.empty() ? "" : ", ") + var.name;
      mismatch(types, type, v, what, "variants: " + names);
    }
    case TypeDef::Kind::bit_sequence:
      throw MetadataError(what + ": bit sequences are not supported by this client");
  }
}

Value decode(const TypeRegistry& types, std::uint32_t type, ScaleDecoder& in, int depth) {
  if (depth > 64) in.fail("type nests deeper than 64 levels");
  const auto& d = types.get(type).def;
  switch (d.kind) {
    case TypeDef::Kind::primitive: {
      if (d.primitive == Primitive::bool_) return Value::boolean(in.boolean());
      if (d.primitive == Primitive::str) return Value::text(in.text());
      int width = primitive_width(d.primitive);
      if (width > 16) return Value::bytes(in.raw(static_cast<std::size_t>(width)));
      Bytes b = in.raw(static_cast<std::size_t>(width));
      u128 x = 0;
      for (int i = 0; i < width; ++i) x |= u128{b[static_cast<std::size_t>(i)]} << (8 * i);
      return Value::uint(x);
    }
    case TypeDef::Kind::compact:
      return Value::uint(in.compact());
    case TypeDef::Kind::sequence: {
      if (is_u8(types, d.element)) return Value::bytes(in.bytes());
      std::size_t n = in.length(types.encodes_to_nothing(d.element) ? 0 : 1);
      std::vector<Value> items;
      for (std::size_t i = 0; i < n; ++i) items.push_back(decode(types, d.element, in, depth + 1));
      return Value::list(std::move(items));
    }
    case TypeDef::Kind::array: {
      if (is_u8(types, d.element)) return Value::bytes(in.raw(d.length));
      if (d.length > in.remaining() && !types.encodes_to_nothing(d.element))
        in.fail("array longer than the input");
      std::vector<Value> items;
      for (std::uint32_t i = 0; i < d.length; ++i) items.push_back(decode(types, d.element, in, depth + 1));
      return Value::list(std::move(items));
    }
    case TypeDef::Kind::tuple: {
      std::vector<Value> items;
      for (auto e : d.tuple) items.push_back(decode(types, e, in, depth + 1));
      return Value::list(std::move(items));
    }
    case TypeDef::Kind::composite: {
      if (d.fields.size() == 1) return decode(types, d.fields[0].type, in, depth + 1);
      std::vector<Value> items;
      for (const auto& f : d.fields) items.push_back(decode(types, f.type, in, depth + 1));
      return Value::list(std::move(items));
    }
    case TypeDef::Kind::variant: {
      std::uint8_t index = in.u8();
      for (const auto& var : d.variants) {
        if (var.index != index) continue;
        std::vector<Value> items;
        for (const auto& f : var.fields) items.push_back(decode(types, f.type, in, depth + 1));
        return Value::variant(var.name, std::move(items));
      }
      in.fail("variant index " + std::to_string(index) + " is not in " + types.describe(type));
    }
    case TypeDef::Kind::bit_sequence:
      in.fail("bit sequences are not supported by this client");
  }
  in.fail("unknown type");
}

}  // namespace

std::string Value::describe() const {
  switch (kind_) {
    case Kind::uint:
      return u128_to_string(uint_);
    case Kind::boolean:
      return uint_ ? "true" : "false";
    case Kind::bytes:
      return std::to_string(bytes_.size()) + " bytes";
    case Kind::text:
      return "\"" + as_text() + "\"";
    case Kind::list:
      return "a list of " + std::to_string(items_.size());
    case Kind::variant:
      return name_ + "(" + std::to_string(items_.size()) + " fields)";
  }
  return kind_name(kind_);
}

void encode_value(const TypeRegistry& types, std::uint32_t type, const Value& value, ScaleEncoder& out,
                  const std::string& what) {
  encode(types, type, value, out, what, 0);
}

Bytes encode_value(const TypeRegistry& types, std::uint32_t type, const Value& value,
                   const std::string& what) {
  ScaleEncoder out;
  encode(types, type, value, out, what, 0);
  return out.take();
}

Value decode_value(const TypeRegistry& types, std::uint32_t type, ScaleDecoder& in) {
  return decode(types, type, in, 0);
}

Value zero_value(const TypeRegistry& types, std::uint32_t type) {
  const TypeDef& d = types.get(type).def;
  switch (d.kind) {
    case TypeDef::Kind::primitive:
      if (d.primitive == Primitive::bool_) return Value::boolean(false);
      if (d.primitive == Primitive::str) return Value::text("");
      return Value::uint(0);
    case TypeDef::Kind::compact:
      return Value::uint(0);
    case TypeDef::Kind::sequence:
      return Value::list({});
    case TypeDef::Kind::array: {
      if (types.primitive_of(d.element) == Primitive::u8) return Value::bytes(Bytes(d.length, 0));
      return Value::list(std::vector<Value>(d.length, zero_value(types, d.element)));
    }
    case TypeDef::Kind::tuple: {
      std::vector<Value> items;
      for (auto e : d.tuple) items.push_back(zero_value(types, e));
      return Value::list(std::move(items));
    }
    case TypeDef::Kind::composite: {
      if (d.fields.size() == 1) return zero_value(types, d.fields[0].type);
      std::vector<Value> items;
      for (const auto& f : d.fields) items.push_back(zero_value(types, f.type));
      return Value::list(std::move(items));
    }
    case TypeDef::Kind::variant: {
      if (d.variants.empty()) throw MetadataError("type " + types.describe(type) + " has no variant to zero");
      const TypeVariant& v = d.variants.front();
      std::vector<Value> items;
      for (const auto& f : v.fields) items.push_back(zero_value(types, f.type));
      return Value::variant(v.name, std::move(items));
    }
    default:
      return Value::list({});
  }
}

}  // namespace nineteen::chain::subtensor
