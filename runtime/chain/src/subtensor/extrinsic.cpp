// Extrinsic v4 assembly from the metadata: nothing about indices or extension order is hard-coded.
#include "nineteen/chain/subtensor/extrinsic.hpp"

#include "nineteen/chain/subtensor/hashers.hpp"

namespace nineteen::chain::subtensor {
namespace {

int trailing_zeros(std::uint64_t x) {
  int n = 0;
  while (x != 0 && (x & 1) == 0) {
    x >>= 1;
    ++n;
  }
  return n;
}

// The index of `name` in the variant type `type`; `fallback` when the type is not a variant with it.
std::uint8_t variant_index(const Metadata& m, std::optional<std::uint32_t> type, const std::string& name,
                           std::uint8_t fallback) {
  if (!type) return fallback;
  const auto& d = m.types.get(*type).def;
  if (d.kind != TypeDef::Kind::variant) return fallback;
  for (const auto& v : d.variants)
    if (v.name == name) return v.index;
  throw MetadataError("metadata: " + m.types.describe(*type) + " has no variant \"" + name + "\"");
}

}  // namespace

Era Era::mortal(std::uint64_t period, std::uint64_t current_block) {
  std::uint64_t p = 4;
  while (p < period && p < 65536) p <<= 1;
  Era e;
  e.immortal = false;
  e.period = p;
  std::uint64_t phase = current_block % p;
  std::uint64_t quantize = std::max<std::uint64_t>(p >> 12, 1);
  e.phase = phase / quantize * quantize;
  return e;
}

Bytes Era::encode() const {
  if (immortal) return {0};
  std::uint64_t quantize = std::max<std::uint64_t>(period >> 12, 1);
  std::uint64_t low = std::min(15, std::max(1, trailing_zeros(period) - 1));
  std::uint64_t encoded = low | ((phase / quantize) << 4);
  return {static_cast<std::uint8_t>(encoded & 0xff), static_cast<std::uint8_t>(encoded >> 8)};
}

std::uint64_t Era::birth(std::uint64_t current) const {
  if (immortal) return 0;
  return (std::max(current, phase) - phase) / period * period + phase;
}

Bytes encode_call(const Metadata& metadata, const std::string& pallet, const std::string& call,
                  const CallArgs& args) {
  CallInfo info = metadata.call(pallet, call);
  const auto& fields = info.variant->fields;
  const std::string what = pallet + "." + call;
  if (args.size() != fields.size()) {
    std::string names;
    for (const auto& f : fields)
      names += (names.empty() ? "" : ", ") + f.name.value_or("?") + ": " + metadata.types.describe(f.type);
    throw MetadataError(what + " takes " + std::to_string(fields.size()) + " arguments (" + names +
                        "), got " + std::to_string(args.size()));
  }
  ScaleEncoder out;
  out.u8(info.pallet_index);
  out.u8(info.call_index);
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const std::string name = fields[i].name.value_or("");
    if (!name.empty() && args[i].first != name) {
      throw MetadataError(what + " argument " + std::to_string(i) + " is \"" + name +
                          "\" in this runtime, got \"" + args[i].first + "\"");
    }
    encode_value(metadata.types, fields[i].type, args[i].second, out,
                 what + " argument \"" + args[i].first + "\"");
  }
  return out.take();
}

EncodedExtensions encode_signed_extensions(const Metadata& metadata, const TxParams& params) {
  EncodedExtensions out;
  ScaleEncoder extra, additional;
  const auto& types = metadata.types;
  for (const auto& ext : metadata.signed_extensions) {
    const std::string& id = ext.identifier;
    const std::string what = "signed extension " + id;
    bool extra_done = false, additional_done = false;
    if (id == "CheckMortality" || id == "CheckEra") {
      extra.raw(params.era.encode());
      encode_value(types, ext.additional_signed, Value::bytes(params.era_block_hash), additional, what);
      extra_done = additional_done = true;
    } else if (id == "CheckNonce") {
      encode_value(types, ext.type, Value::uint(params.nonce), extra, what);
      extra_done = true;
    } else if (id == "ChargeTransactionPayment") {
      encode_value(types, ext.type, Value::uint(params.tip), extra, what);
      extra_done = true;
    } else if (id == "ChargeAssetTxPayment") {
      encode_value(types, ext.type, Value::list({Value::uint(params.tip), Value::none()}), extra, what);
      extra_done = true;
    } else if (id == "CheckSpecVersion") {
      encode_value(types, ext.additional_signed, Value::uint(params.spec_version), additional, what);
      additional_done = true;
    } else if (id == "CheckTxVersion") {
      encode_value(types, ext.additional_signed, Value::uint(params.transaction_version), additional, what);
      additional_done = true;
    } else if (id == "CheckGenesis") {
      encode_value(types, ext.additional_signed, Value::bytes(params.genesis_hash), additional, what);
      additional_done = true;
    } else if (id == "CheckMetadataHash") {
      // Mode Disabled and no hash: the node does not check the metadata digest.
      encode_value(types, ext.type, Value::variant("Disabled"), extra, what);
      encode_value(types, ext.additional_signed, Value::none(), additional, what);
      extra_done = additional_done = true;
    }
    if (!extra_done && !types.encodes_to_nothing(ext.type)) {
      throw MetadataError(what + " carries a " + types.describe(ext.type) +
                          " that this client does not know how to fill; it cannot sign for this runtime");
    }
    if (!additional_done && !types.encodes_to_nothing(ext.additional_signed)) {
      throw MetadataError(what + " signs a " + types.describe(ext.additional_signed) +
                          " that this client does not know how to fill; it cannot sign for this runtime");
    }
  }
  out.extra = extra.take();
  out.additional = additional.take();
  return out;
}

Bytes signing_payload(const Bytes& call, const EncodedExtensions& ext) {
  Bytes payload;
  payload.reserve(call.size() + ext.extra.size() + ext.additional.size());
  payload.insert(payload.end(), call.begin(), call.end());
  payload.insert(payload.end(), ext.extra.begin(), ext.extra.end());
  payload.insert(payload.end(), ext.additional.begin(), ext.additional.end());
  if (payload.size() > 256) {
    auto h = blake2_256(payload);
    return Bytes(h.begin(), h.end());
  }
  return payload;
}

Bytes signed_extrinsic(const Metadata& metadata, const Bytes& call, const EncodedExtensions& ext,
                       const Hash256& public_key, const Signature64& signature) {
  if (metadata.extrinsic_version != 4) {
    throw MetadataError("metadata: extrinsic version " + std::to_string(metadata.extrinsic_version) +
                        " (this client builds version 4)");
  }
  ScaleEncoder body;
  body.u8(0x80 | 4);  // signed, version 4
  body.u8(variant_index(metadata, metadata.address_type, "Id", 0));
  body.raw(public_key);
  body.u8(variant_index(metadata, metadata.signature_type, "Sr25519", 1));
  body.raw(signature);
  body.raw(ext.extra);
  body.raw(call);
  ScaleEncoder out;
  out.compact(body.data().size());
  out.raw(body.data());
  return out.take();
}

Bytes build_signed_extrinsic(const Metadata& metadata, const Bytes& call, const TxParams& params,
                             const Hash256& public_key, const ExtrinsicSigner& signer) {
  EncodedExtensions ext = encode_signed_extensions(metadata, params);
  Signature64 signature = signer(signing_payload(call, ext));
  return signed_extrinsic(metadata, call, ext, public_key, signature);
}

namespace {

Era decode_era(ScaleDecoder& in) {
  std::uint8_t first = in.u8();
  if (first == 0) return Era::immortal_era();
  std::uint16_t encoded = static_cast<std::uint16_t>(first | (in.u8() << 8));
  Era e;
  e.immortal = false;
  e.period = std::uint64_t{2} << (encoded % 16);
  std::uint64_t quantize = std::max<std::uint64_t>(e.period >> 12, 1);
  e.phase = static_cast<std::uint64_t>(encoded >> 4) * quantize;
  if (e.period < 4 || e.phase >= e.period) in.fail("invalid mortal era");
  return e;
}

}  // namespace

DecodedExtrinsic decode_signed_extrinsic(const Metadata& metadata, const Bytes& bytes) {
  DecodedExtrinsic x;
  try {
    ScaleDecoder in(bytes, "extrinsic");
    std::size_t len = in.length(1);
    if (len != in.remaining())
      in.fail("length prefix " + std::to_string(len) + " does not match the " +
              std::to_string(in.remaining()) + " bytes that follow");
    std::uint8_t version = in.u8();
    if (version != (0x80 | 4)) {
      throw MetadataError("extrinsic: version byte " + std::to_string(version) +
                          " (expected 0x84: signed, version 4)");
    }
    std::uint8_t address = in.u8();
    if (address != variant_index(metadata, metadata.address_type, "Id", 0))
      throw MetadataError("extrinsic: the sender is not a MultiAddress::Id (variant " +
                          std::to_string(address) + ")");
    x.signer = in.array<32>();
    std::uint8_t kind = in.u8();
    x.signature_kind = "variant " + std::to_string(kind);
    if (metadata.signature_type) {
      for (const auto& v : metadata.types.get(*metadata.signature_type).def.variants)
        if (v.index == kind) x.signature_kind = v.name;
    } else if (kind == 1) {
      x.signature_kind = "Sr25519";
    }
    if (x.signature_kind != "Sr25519" && x.signature_kind != "Ed25519")
      throw MetadataError("extrinsic: signature " + x.signature_kind +
                          " is not a 64-byte sr25519/ed25519 signature");
    x.signature = in.array<64>();
    std::size_t extra_start = in.position();
    for (const auto& ext : metadata.signed_extensions) {
      if (ext.identifier == "CheckMortality" || ext.identifier == "CheckEra") {
        x.era = decode_era(in);
      } else if (ext.identifier == "CheckNonce") {
        x.nonce = static_cast<std::uint64_t>(decode_value(metadata.types, ext.type, in).as_uint());
      } else if (ext.identifier == "ChargeTransactionPayment") {
        x.tip = decode_value(metadata.types, ext.type, in).as_uint();
      } else if (!metadata.types.encodes_to_nothing(ext.type)) {
        decode_value(metadata.types, ext.type, in);
      }
    }
    x.extra.assign(bytes.begin() + static_cast<std::ptrdiff_t>(extra_start),
                   bytes.begin() + static_cast<std::ptrdiff_t>(in.position()));
    x.call.assign(bytes.begin() + static_cast<std::ptrdiff_t>(in.position()), bytes.end());
    std::uint8_t pallet_index = in.u8();
    std::uint8_t call_index = in.u8();
    const Pallet* pallet = metadata.pallet_by_index(pallet_index);
    if (!pallet || !pallet->calls_type)
      throw MetadataError("extrinsic: no pallet with calls at index " + std::to_string(pallet_index));
    const TypeVariant* call = nullptr;
    for (const auto& v : metadata.types.get(*pallet->calls_type).def.variants)
      if (v.index == call_index) call = &v;
    if (!call)
      throw MetadataError("extrinsic: pallet " + pallet->name + " has no call at index " +
                          std::to_string(call_index));
    x.pallet = pallet->name;
    x.call_name = call->name;
    for (const auto& f : call->fields)
      x.args.emplace_back(f.name.value_or(""), decode_value(metadata.types, f.type, in));
    in.expect_end();
  } catch (const ScaleError& e) {
    throw MetadataError(e.what());
  }
  return x;
}

Bytes signing_payload_of(const Metadata& metadata, const DecodedExtrinsic& x, const TxParams& node_side) {
  TxParams p = node_side;
  p.era = x.era;
  p.nonce = x.nonce;
  p.tip = x.tip;
  EncodedExtensions ext = encode_signed_extensions(metadata, p);
  ext.extra = x.extra;  // exactly as sent
  return signing_payload(x.call, ext);
}

}  // namespace nineteen::chain::subtensor
