// sr25519 over libsodium's ristretto255 and our Merlin transcript, following schnorrkel's sign/verify.
#include "nineteen/keys/sr25519.hpp"

#include <sodium.h>

#include <cstring>

#include "nineteen/keys/hotkey.hpp"
#include "nineteen/keys/merlin_transcript.hpp"

namespace nineteen::keys {
namespace {

constexpr std::size_t kScalarBytes = crypto_core_ristretto255_SCALARBYTES;
static_assert(kScalarBytes == 32 && crypto_core_ristretto255_BYTES == 32, "ristretto255 sizes");

// A wide (64-byte) challenge reduced mod l: schnorrkel's challenge_scalar / from_bytes_mod_order_wide.
std::array<std::uint8_t, 32> challenge_scalar(MerlinTranscript& t, std::string_view label) {
  std::uint8_t wide[64];
  t.challenge_bytes(label, wide, sizeof wide);
  std::array<std::uint8_t, 32> k{};
  crypto_core_ristretto255_scalar_reduce(k.data(), wide);
  return k;
}

bool is_canonical_scalar(const std::uint8_t* bytes32) {
  std::uint8_t wide[64] = {0};
  std::memcpy(wide, bytes32, 32);
  std::uint8_t reduced[32];
  crypto_core_ristretto255_scalar_reduce(reduced, wide);
  return sodium_memcmp(reduced, bytes32, 32) == 0;
}

// signing_context(context).bytes(message), then schnorrkel's "Schnorr-sig" protocol up to the public key.
MerlinTranscript signing_transcript(std::string_view context, const PublicKey& public_key, const std::uint8_t* message,
                                    std::size_t size) {
  MerlinTranscript t("SigningContext");
  t.append_message("", context);
  t.append_message("sign-bytes", message, size);
  t.append_message("proto-name", "Schnorr-sig");
  t.append_message("sign:pk", public_key.data(), public_key.size());
  return t;
}

}  // namespace

void Sr25519SecretKey::wipe() {
  sodium_memzero(scalar.data(), scalar.size());
  sodium_memzero(nonce.data(), nonce.size());
}

Sr25519SecretKey sr25519_expand_mini_secret(const Sr25519MiniSecret& mini_secret) {
  ensure_sodium();
  std::uint8_t hash[64];
  crypto_hash_sha512(hash, mini_secret.data(), mini_secret.size());
  Sr25519SecretKey secret;
  std::memcpy(secret.scalar.data(), hash, 32);
  secret.scalar[0] &= 248;
  secret.scalar[31] &= 63;
  secret.scalar[31] |= 64;
  // Divide by the cofactor (a 3-bit right shift of the little-endian number): the clamped Ed25519
  // scalar is a multiple of 8, and this keeps it a clean representative mod l (it is < 2^252 < l).
  std::uint8_t carry = 0;
  for (int i = 31; i >= 0; --i) {
    std::uint8_t low = secret.scalar[static_cast<std::size_t>(i)] & 0x07;
    secret.scalar[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>((secret.scalar[static_cast<std::size_t>(i)] >> 3) | carry);
    carry = static_cast<std::uint8_t>(low << 5);
  }
  std::memcpy(secret.nonce.data(), hash + 32, 32);
  sodium_memzero(hash, sizeof hash);
  return secret;
}

PublicKey sr25519_public_key(const Sr25519SecretKey& secret) {
  ensure_sodium();
  PublicKey public_key{};
  // Fails only for the zero scalar, which neither expansion nor from_bytes can give a usable key for.
  if (crypto_scalarmult_ristretto255_base(public_key.data(), secret.scalar.data()) != 0) public_key.fill(0);
  return public_key;
}

std::array<std::uint8_t, 64> sr25519_secret_to_bytes(const Sr25519SecretKey& secret) {
  std::array<std::uint8_t, 64> out{};
  std::memcpy(out.data(), secret.scalar.data(), 32);
  std::memcpy(out.data() + 32, secret.nonce.data(), 32);
  return out;
}

std::optional<Sr25519SecretKey> sr25519_secret_from_bytes(const std::uint8_t* bytes64) {
  ensure_sodium();
  if (!is_canonical_scalar(bytes64) || sodium_is_zero(bytes64, 32)) return std::nullopt;
  Sr25519SecretKey secret;
  std::memcpy(secret.scalar.data(), bytes64, 32);
  std::memcpy(secret.nonce.data(), bytes64 + 32, 32);
  return secret;
}

Sr25519Signature sr25519_sign(const Sr25519SecretKey& secret, const PublicKey& public_key, const std::uint8_t* message,
                              std::size_t size, std::string_view context) {
  ensure_sodium();
  MerlinTranscript t = signing_transcript(context, public_key, message, size);

  std::uint8_t wide[64];
  t.witness_bytes("signing", secret.nonce.data(), secret.nonce.size(), wide, sizeof wide);
  std::uint8_t r[32];
  crypto_core_ristretto255_scalar_reduce(r, wide);
  sodium_memzero(wide, sizeof wide);

  Sr25519Signature signature{};
  // r is zero with probability 2^-252; the base multiplication refuses it, so draw again.
  while (crypto_scalarmult_ristretto255_base(signature.data(), r) != 0) {
    crypto_core_ristretto255_scalar_random(r);
  }
  t.append_message("sign:R", signature.data(), 32);
  std::array<std::uint8_t, 32> k = challenge_scalar(t, "sign:c");

  std::uint8_t s[32];
  crypto_core_ristretto255_scalar_mul(s, k.data(), secret.scalar.data());
  crypto_core_ristretto255_scalar_add(s, s, r);
  sodium_memzero(r, sizeof r);
  std::memcpy(signature.data() + 32, s, 32);
  signature[63] |= 0x80;  // schnorrkel's marker: tells sr25519 from the older Ed25519-style encoding
  return signature;
}

bool sr25519_verify(const PublicKey& public_key, const std::uint8_t* message, std::size_t size,
                    const Sr25519Signature& signature, std::string_view context) {
  ensure_sodium();
  if ((signature[63] & 0x80) == 0) return false;
  std::uint8_t s[32];
  std::memcpy(s, signature.data() + 32, 32);
  s[31] &= 0x7f;
  if (!is_canonical_scalar(s)) return false;
  if (crypto_core_ristretto255_is_valid_point(public_key.data()) != 1) return false;

  MerlinTranscript t = signing_transcript(context, public_key, message, size);
  t.append_message("sign:R", signature.data(), 32);
  std::array<std::uint8_t, 32> k = challenge_scalar(t, "sign:c");

  // R must equal s·B − k·A. libsodium refuses identity results; for a valid key and signature they
  // occur with negligible probability, so a refusal is a failed verification.
  std::uint8_t s_b[32], k_a[32], expected_r[32];
  if (crypto_scalarmult_ristretto255_base(s_b, s) != 0) return false;
  if (crypto_scalarmult_ristretto255(k_a, k.data(), public_key.data()) != 0) return false;
  if (crypto_core_ristretto255_sub(expected_r, s_b, k_a) != 0) return false;
  return sodium_memcmp(expected_r, signature.data(), 32) == 0;
}

Sr25519MiniSecret sr25519_hard_derive(const Sr25519SecretKey& parent, const Sr25519ChainCode& chain_code) {
  MerlinTranscript t("SchnorrRistrettoHDKD");
  t.append_message("sign-bytes", "");
  t.append_message("chain-code", chain_code.data(), chain_code.size());
  t.append_message("secret-key", parent.scalar.data(), parent.scalar.size());
  Sr25519MiniSecret child{};
  t.challenge_bytes("HDKD-hard", child.data(), child.size());
  return child;
}

}  // namespace nineteen::keys
