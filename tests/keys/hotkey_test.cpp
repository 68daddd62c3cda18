// ed25519 against RFC 8032's first test vector, signatures that must fail, and seeds of both schemes.
#include <gtest/gtest.h>

#include "nineteen/keys/hotkey.hpp"

using namespace nineteen::keys;

namespace {

template <std::size_t N>
std::array<std::uint8_t, N> bytes_of(const std::string& hex) {
  auto raw = from_hex(hex);
  std::array<std::uint8_t, N> out{};
  std::copy(raw->begin(), raw->end(), out.begin());
  return out;
}

}  // namespace

TEST(Hotkey, Rfc8032TestVector1) {
  Hotkey key = Hotkey::from_seed(bytes_of<32>("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"),
                                 KeyScheme::ed25519);
  EXPECT_EQ(to_hex(key.public_key().data(), 32), "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  Signature sig = key.sign("");
  EXPECT_EQ(to_hex(sig.data(), 64),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065"
            "224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  EXPECT_TRUE(verify_signature(key.public_key(), "", sig));
}

TEST(Hotkey, SignatureFailsForAnotherMessageOrKey) {
  Hotkey a = Hotkey::generate(KeyScheme::ed25519);
  Hotkey b = Hotkey::generate(KeyScheme::ed25519);
  EXPECT_NE(a.public_key(), b.public_key());
  Signature sig = a.sign("hello");
  EXPECT_TRUE(verify_signature(a.public_key(), "hello", sig));
  EXPECT_FALSE(verify_signature(a.public_key(), "hellO", sig));
  EXPECT_FALSE(verify_signature(b.public_key(), "hello", sig));
  sig[5] ^= 1;
  EXPECT_FALSE(verify_signature(a.public_key(), "hello", sig));
}

TEST(Hotkey, SameSeedSameKey) {
  for (KeyScheme scheme : {KeyScheme::sr25519, KeyScheme::ed25519}) {
    Hotkey a = Hotkey::generate(scheme);
    Hotkey again = Hotkey::from_seed(a.seed(), scheme);
    EXPECT_EQ(a.public_key(), again.public_key());
    EXPECT_EQ(a.ss58_address(), again.ss58_address());
    EXPECT_EQ(a.ss58_address()[0], '5');
    EXPECT_NE(Hotkey::from_seed(a.seed(), scheme == KeyScheme::sr25519 ? KeyScheme::ed25519 : KeyScheme::sr25519)
                  .public_key(),
              a.public_key());
  }
  EXPECT_EQ(Hotkey::generate().scheme(), KeyScheme::sr25519);
  EXPECT_EQ(Hotkey::from_seed(Seed{}).scheme(), KeyScheme::sr25519);
}
