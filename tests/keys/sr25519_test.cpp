// sr25519 and its parts against known answers: Keccak-f[1600], Merlin's published vector, the dev
// accounts (checked against polkadot-js), BIP39 and PBKDF2; signing round trips and tampering.
#include <gtest/gtest.h>

#include <cstring>

#include "nineteen/keys/bip39.hpp"
#include "nineteen/keys/hotkey.hpp"
#include "nineteen/keys/keccak_f1600.hpp"
#include "nineteen/keys/merlin_transcript.hpp"
#include "nineteen/keys/secret_uri.hpp"
#include "nineteen/keys/sr25519.hpp"

using namespace nineteen::keys;

namespace {

template <std::size_t N>
std::array<std::uint8_t, N> bytes_of(const std::string& hex) {
  auto raw = from_hex(hex.compare(0, 2, "0x") == 0 ? hex.substr(2) : hex);
  EXPECT_TRUE(raw && raw->size() == N) << hex;
  std::array<std::uint8_t, N> out{};
  if (raw) std::memcpy(out.data(), raw->data(), std::min(N, raw->size()));
  return out;
}

template <std::size_t N>
std::string hex_of(const std::array<std::uint8_t, N>& bytes) {
  return to_hex(bytes.data(), N);
}

const std::uint8_t* u8(std::string_view text) { return reinterpret_cast<const std::uint8_t*>(text.data()); }

// Values printed by @polkadot/util-crypto 14 / @polkadot/keyring (tests/bittensor-js).
constexpr const char* kAliceMiniSecret = "e5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a";
constexpr const char* kAlicePublicKey = "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";
constexpr const char* kAliceAddress = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";

}  // namespace

TEST(Keccak, PermutationOfTheZeroState) {
  std::array<std::uint8_t, 200> state{};
  keccak_f1600(state);
  // The first lane of Keccak-f[1600](0) is 0xF1258F7940E1DDE7 (little-endian in the bytes).
  EXPECT_EQ(to_hex(state.data(), 8), "e7dde140798f25f1");
  keccak_f1600(state);
  EXPECT_EQ(to_hex(state.data(), 8), "3ccb6ef94d955c2d");
}

TEST(Merlin, PublishedTestVector) {
  MerlinTranscript t("test protocol");
  t.append_message("some label", "some data");
  std::array<std::uint8_t, 32> challenge{};
  t.challenge_bytes("challenge", challenge.data(), challenge.size());
  EXPECT_EQ(hex_of(challenge), "d5a21972d0d5fe320c0d263fac7fffb8145aa640af6e9bca177c03c7efcf0615");
}

TEST(Merlin, WitnessBytesDependOnWitnessRandomnessAndTranscript) {
  MerlinTranscript t("proto");
  t.append_message("m", "x");
  const std::uint8_t witness[3] = {1, 2, 3}, random_a[32] = {0}, random_b[32] = {1};
  std::uint8_t a[32], again[32], b[32], c[32];
  t.witness_bytes("w", witness, 3, a, 32, random_a);
  t.witness_bytes("w", witness, 3, again, 32, random_a);
  t.witness_bytes("w", witness, 3, b, 32, random_b);
  t.witness_bytes("w", witness, 2, c, 32, random_a);
  EXPECT_EQ(std::memcmp(a, again, 32), 0);  // and the transcript itself was not changed
  EXPECT_NE(std::memcmp(a, b, 32), 0);
  EXPECT_NE(std::memcmp(a, c, 32), 0);
}

TEST(Sr25519, AliceFromHerMiniSecret) {
  Hotkey alice = Hotkey::from_seed(bytes_of<32>(kAliceMiniSecret), KeyScheme::sr25519);
  EXPECT_EQ(alice.scheme(), KeyScheme::sr25519);
  EXPECT_EQ(hex_of(alice.public_key()), kAlicePublicKey);
  EXPECT_EQ(alice.ss58_address(), kAliceAddress);
  // polkadot-js's secretKey is the Ed25519 form: scalar·8 ‖ nonce. Ours (btcli's privateKey) is scalar ‖ nonce.
  auto secret = sr25519_secret_to_bytes(alice.sr25519_secret());
  EXPECT_EQ(to_hex(secret.data() + 32, 32), "925a225d97aa00682d6a59b95b18780c10d7032336e88f3442b42361f4a66011");
  auto ed25519_form = bytes_of<32>("98319d4ff8a9508c4bb0cf0b5a78d760a0b2082c02775e6e82370816fedfff48");
  std::uint8_t carry = 0;
  for (std::size_t i = 0; i < 32; ++i) {  // multiply our scalar by 8
    std::uint8_t next = static_cast<std::uint8_t>(secret[i] >> 5);
    secret[i] = static_cast<std::uint8_t>((secret[i] << 3) | carry);
    carry = next;
  }
  EXPECT_EQ(to_hex(secret.data(), 32), hex_of(ed25519_form));
}

TEST(Sr25519, DevAccountsFromSecretUris) {
  EXPECT_EQ(hotkey_from_secret_uri("//Alice").ss58_address(), kAliceAddress);
  EXPECT_EQ(hex_of(hotkey_from_secret_uri(std::string(kSubstrateDevPhrase) + "//Alice").public_key()),
            kAlicePublicKey);
  EXPECT_EQ(hex_of(hotkey_from_secret_uri(std::string("0x") + kAliceMiniSecret).public_key()), kAlicePublicKey);
  EXPECT_EQ(hex_of(hotkey_from_secret_uri(std::string(kSubstrateDevPhrase) + "//Alice//0///pw").public_key()),
            "36ac42a7d90d93548617c4c3078e75e32e71eeb5d81fccb374af2dc08fee0078");
  // A junction over 32 bytes of SCALE is hashed; a number is a u64.
  EXPECT_EQ(hex_of(hotkey_from_secret_uri("//" + std::string(40, 'x') + "//1234567890123").public_key()),
            "7646fee83d9bf71ad23bbc51b37f05c230e0a54276b6f974081d436b2b57d764");
  EXPECT_THROW(hotkey_from_secret_uri("//Alice/soft"), std::invalid_argument);
  EXPECT_THROW(hotkey_from_secret_uri("0x1234//Alice"), std::invalid_argument);
}

TEST(Bip39, SubstrateDevPhraseGivesTheFactsheetKey) {
  auto mini = bip39_mini_secret(kSubstrateDevPhrase);
  EXPECT_EQ(hex_of(mini), "fac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e");
  EXPECT_EQ(hex_of(Hotkey::from_seed(mini, KeyScheme::sr25519).public_key()),
            "46ebddef8cd9bb167dc30878d7113b7e168e6f0646beffd77d69d39bad76b47a");
}

TEST(Bip39, EntropyRoundTripAndBadPhrases) {
  std::vector<std::uint8_t> entropy(32);
  for (std::size_t i = 0; i < entropy.size(); ++i) entropy[i] = static_cast<std::uint8_t>(i * 37 + 11);
  std::string phrase = bip39_entropy_to_mnemonic(entropy);
  EXPECT_EQ(std::count(phrase.begin(), phrase.end(), ' '), 23);
  EXPECT_EQ(bip39_mnemonic_to_entropy(phrase), entropy);
  EXPECT_EQ(bip39_mnemonic_to_entropy("  BOTTOM drive obey lake curtain smoke basket hold race lonely fit walk\n"),
            bip39_mnemonic_to_entropy(kSubstrateDevPhrase));
  auto message_of = [](const std::string& text) {
    try {
      bip39_mnemonic_to_entropy(text);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(message_of("bottom drive obey lake curtain smoke basket hold race lonely fit").find("11"),
            std::string::npos);
  EXPECT_NE(message_of("bottom drive obey lake curtain smoke basket hold race lonely fit walx").find("word 12 \"walx\""),
            std::string::npos);
  EXPECT_NE(message_of("drive bottom obey lake curtain smoke basket hold race lonely fit walk").find("checksum"),
            std::string::npos);
}

TEST(Bip39, Pbkdf2HmacSha512KnownAnswers) {
  std::uint8_t out[64];
  pbkdf2_hmac_sha512(u8("password"), 8, u8("salt"), 4, 1, out, 64);
  EXPECT_EQ(to_hex(out, 64),
            "867f70cf1ade02cff3752599a3a53dc4af34c7a669815ae5d513554e1c8cf252"
            "c02d470a285a0501bad999bfe943c08f050235d7d68b1da55e63f73b60a57fce");
  pbkdf2_hmac_sha512(u8("password"), 8, u8("salt"), 4, 2, out, 16);
  EXPECT_EQ(to_hex(out, 16), "e1d9c16aa681708a45f5c7c4e215ceb6");
}

TEST(Sr25519, SignVerifyRoundTripAndTampering) {
  Hotkey key = Hotkey::generate();
  EXPECT_EQ(key.scheme(), KeyScheme::sr25519);
  Hotkey other = Hotkey::generate();
  for (std::string message : {std::string(), std::string("hello"), std::string(1000, 'z')}) {
    Signature sig = key.sign(message);
    EXPECT_EQ(sig[63] & 0x80, 0x80);
    EXPECT_TRUE(verify_signature(key.public_key(), message, sig));
    EXPECT_TRUE(verify_signature(KeyScheme::sr25519, key.public_key(), message, sig));
    EXPECT_FALSE(verify_signature(KeyScheme::ed25519, key.public_key(), message, sig));
    EXPECT_NE(key.sign(message), sig) << "signatures are randomised";
    EXPECT_FALSE(verify_signature(key.public_key(), message + "!", sig));
    EXPECT_FALSE(verify_signature(other.public_key(), message, sig));
    for (std::size_t byte : {0u, 17u, 32u, 50u, 63u}) {
      Signature bad = sig;
      bad[byte] ^= byte == 63 ? 0x80 : 0x01;  // byte 63's top bit is the marker
      EXPECT_FALSE(verify_signature(key.public_key(), message, bad)) << "byte " << byte;
    }
    PublicKey bad_key = key.public_key();
    bad_key[3] ^= 1;
    EXPECT_FALSE(verify_signature(bad_key, message, sig));
  }
  // Another signing context gives a signature "substrate" refuses.
  auto sig = sr25519_sign(key.sr25519_secret(), key.public_key(), u8("m"), 1, "other");
  EXPECT_TRUE(sr25519_verify(key.public_key(), u8("m"), 1, sig, "other"));
  EXPECT_FALSE(sr25519_verify(key.public_key(), u8("m"), 1, sig));
  // s not reduced mod l (s + l) is refused, as schnorrkel refuses non-canonical scalars.
  Signature unreduced = key.sign("m");
  unreduced[63] &= 0x7f;
  const auto l = bytes_of<32>("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
  unsigned carry = 0;
  for (std::size_t i = 0; i < 32; ++i) {
    unsigned sum = unreduced[32 + i] + l[i] + carry;
    unreduced[32 + i] = static_cast<std::uint8_t>(sum);
    carry = sum >> 8;
  }
  if ((unreduced[63] & 0x80) == 0) {
    unreduced[63] |= 0x80;
    EXPECT_FALSE(verify_signature(key.public_key(), "m", unreduced));
  }
}

TEST(Sr25519, SecretBytesRoundTripAndRefuseUnreducedScalars) {
  Hotkey key = Hotkey::generate();
  auto bytes = sr25519_secret_to_bytes(key.sr25519_secret());
  auto back = sr25519_secret_from_bytes(bytes.data());
  ASSERT_TRUE(back);
  Hotkey same = Hotkey::from_sr25519_secret(*back);
  EXPECT_FALSE(same.has_seed());
  EXPECT_EQ(same.public_key(), key.public_key());
  EXPECT_TRUE(verify_signature(key.public_key(), "x", same.sign("x")));
  bytes[31] = 0xff;
  EXPECT_FALSE(sr25519_secret_from_bytes(bytes.data()));
  std::array<std::uint8_t, 64> zero{};
  EXPECT_FALSE(sr25519_secret_from_bytes(zero.data()));
}

TEST(Hotkey, Ed25519StillSignsAndVerifies) {
  Hotkey key = Hotkey::generate(KeyScheme::ed25519);
  Signature sig = key.sign("hello");
  EXPECT_EQ(sig[63] & 0x80, 0);
  EXPECT_TRUE(verify_signature(key.public_key(), "hello", sig));
  EXPECT_FALSE(verify_signature(KeyScheme::sr25519, key.public_key(), "hello", sig));
}
