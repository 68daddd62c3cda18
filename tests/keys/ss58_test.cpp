// SS58 against Substrate's well-known Alice address, and every way an address can be wrong.
#include <gtest/gtest.h>

#include "nineteen/keys/ss58.hpp"

using namespace nineteen::keys;

namespace {

PublicKey alice() {
  auto bytes = from_hex("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d");
  PublicKey key{};
  std::copy(bytes->begin(), bytes->end(), key.begin());
  return key;
}

}  // namespace

TEST(Ss58, KnownAnswerForPrefix42) {
  EXPECT_EQ(ss58_encode(alice()), "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
}

TEST(Ss58, KnownAnswersForOtherPrefixes) {
  // Alice on Polkadot (0) and Kusama (2), as published by Substrate's subkey.
  EXPECT_EQ(ss58_encode(alice(), 0), "15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5");
  EXPECT_EQ(ss58_encode(alice(), 2), "HNZata7iMYWmk5RvZRTiAsSDhV8366zq2YGb3tLH5Upf74F");
}

TEST(Ss58, DecodesBackToTheKey) {
  std::string error;
  auto decoded = ss58_decode("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", &error);
  ASSERT_TRUE(decoded) << error;
  EXPECT_EQ(decoded->prefix, 42);
  EXPECT_EQ(decoded->public_key, alice());
}

TEST(Ss58, TwoBytePrefixesRoundTrip) {
  for (std::uint16_t prefix : {64, 255, 1000, 16383}) {
    std::string address = ss58_encode(alice(), prefix);
    auto decoded = ss58_decode(address, nullptr, prefix);
    ASSERT_TRUE(decoded) << prefix;
    EXPECT_EQ(decoded->prefix, prefix);
    EXPECT_EQ(decoded->public_key, alice());
  }
}

TEST(Ss58, CorruptedAddressIsRejectedByChecksum) {
  std::string address = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
  address[10] = address[10] == 'a' ? 'b' : 'a';
  std::string error;
  EXPECT_FALSE(ss58_decode(address, &error));
  EXPECT_NE(error.find("checksum"), std::string::npos) << error;
  EXPECT_FALSE(is_valid_ss58(address));
}

TEST(Ss58, EachProblemIsNamed) {
  std::string error;
  EXPECT_FALSE(ss58_decode("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQ0", &error));
  EXPECT_NE(error.find("'0' is not a base58 character"), std::string::npos) << error;
  EXPECT_FALSE(ss58_decode("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKut", &error));
  EXPECT_NE(error.find("bytes"), std::string::npos) << error;
  EXPECT_FALSE(ss58_decode("", &error));
  EXPECT_NE(error.find("empty"), std::string::npos) << error;
  EXPECT_FALSE(ss58_decode("15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5", &error));
  EXPECT_NE(error.find("prefix 0, expected 42"), std::string::npos) << error;
  EXPECT_TRUE(ss58_decode("15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5", &error, std::nullopt)) << error;
}

TEST(Hex, RoundTripAndRejects) {
  std::uint8_t bytes[] = {0x00, 0xab, 0xff};
  EXPECT_EQ(to_hex(bytes, 3), "00abff");
  EXPECT_EQ(from_hex("00ABff"), std::string("\x00\xab\xff", 3));
  EXPECT_FALSE(from_hex("abc"));
  EXPECT_FALSE(from_hex("zz"));
}
