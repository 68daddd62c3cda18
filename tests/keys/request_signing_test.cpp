// The miner's signature check as a pure function: one accepted request, and each refusal with its reason.
#include <gtest/gtest.h>

#include <map>
#include <regex>

#include "nineteen/keys/request_signing.hpp"

using namespace nineteen::keys;
using namespace std::chrono_literals;

namespace {

class FixedStakes : public StakeSource {
 public:
  std::optional<double> stake_of(const std::string& hotkey) override {
    auto it = stakes.find(hotkey);
    return it == stakes.end() ? std::nullopt : std::optional<double>(it->second);
  }
  std::map<std::string, double> stakes;
};

SignedRequestView view_of(const SignedHeaders& h, std::string_view body) {
  return SignedRequestView{h.validator_hotkey, h.miner_hotkey, h.nonce, h.signature, body};
}

class RequestSigning : public ::testing::Test {
 protected:
  RequestSigning() : replays(1000, std::chrono::nanoseconds(120s).count()) {
    policy.own_hotkey_ss58 = miner.ss58_address();
    policy.min_validator_stake = 1000;
    stakes.stakes[validator.ss58_address()] = 5000;
  }
  Verdict verify(const SignedRequestView& v, std::chrono::system_clock::time_point at) {
    return verify_signed_request(v, policy, replays, stakes, at);
  }

  Hotkey validator = Hotkey::generate();
  Hotkey miner = Hotkey::generate();
  VerifyPolicy policy;
  FixedStakes stakes;
  ReplayCache replays;
  std::chrono::system_clock::time_point now = std::chrono::system_clock::time_point(1'750'000'000s);
  std::string body = "{\"model\":\"chat-tiny\",\"messages\":[]}";
};

}  // namespace

TEST(RequestSigningFormat, MessageAndNonceShapes) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(signing_message("1_ab", "5Miner", "abc"),
            "1_ab:5Miner:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  std::string nonce = make_nonce(std::chrono::system_clock::time_point(1'750'000'000s));
  EXPECT_TRUE(std::regex_match(nonce, std::regex("1750000000000000000_[0-9a-f]{16}"))) << nonce;
  EXPECT_NE(make_nonce(std::chrono::system_clock::time_point(1s)), make_nonce(std::chrono::system_clock::time_point(1s)));
}

TEST_F(RequestSigning, GoodRequestIsAccepted) {
  SignedHeaders h = sign_request(validator, miner.ss58_address(), body, now);
  Verdict v = verify(view_of(h, body), now + 3s);
  EXPECT_TRUE(v.accepted()) << v.reason;
  EXPECT_EQ(v.validator_hotkey, validator.ss58_address());
  EXPECT_EQ(v.stake, 5000.0);
}

TEST_F(RequestSigning, MissingHeadersAreNamed) {
  SignedHeaders h = sign_request(validator, miner.ss58_address(), body, now);
  SignedRequestView v = view_of(h, body);
  v.nonce.reset();
  v.signature = "";
  Verdict verdict = verify(v, now);
  EXPECT_EQ(verdict.status, 401);
  EXPECT_EQ(verdict.code, "missing_header");
  EXPECT_NE(verdict.reason.find("nonce, signature"), std::string::npos) << verdict.reason;
  EXPECT_EQ(verify(SignedRequestView{}, now).status, 401);
}

TEST_F(RequestSigning, RequestForAnotherMinerIsRefused) {
  std::string other = Hotkey::generate().ss58_address();
  SignedHeaders h = sign_request(validator, other, body, now);
  Verdict v = verify(view_of(h, body), now);
  EXPECT_EQ(v.status, 401);
  EXPECT_EQ(v.code, "wrong_miner");
  EXPECT_NE(v.reason.find(other), std::string::npos);
}

TEST_F(RequestSigning, ChangedBodyOrForeignKeyIsABadSignature) {
  SignedHeaders h = sign_request(validator, miner.ss58_address(), body, now);
  Verdict changed = verify(view_of(h, body + " "), now);
  EXPECT_EQ(changed.status, 401);
  EXPECT_EQ(changed.code, "bad_signature");

  SignedHeaders forged = sign_request(Hotkey::generate(), miner.ss58_address(), body, now);
  forged.validator_hotkey = validator.ss58_address();  // claims to be the staked validator
  EXPECT_EQ(verify(view_of(forged, body), now).code, "bad_signature");

  h.signature = "zz";
  Verdict garbled = verify(view_of(h, body), now);
  EXPECT_EQ(garbled.code, "bad_signature");
  EXPECT_NE(garbled.reason.find("128 hex digits"), std::string::npos);
  EXPECT_EQ(replays.size(), 0u) << "refused requests must not use up nonces";
}

TEST_F(RequestSigning, MalformedHotkeyOrNonceIsRefused) {
  SignedHeaders h = sign_request(validator, miner.ss58_address(), body, now);
  SignedHeaders bad_key = h;
  bad_key.validator_hotkey = "5NotAnAddress";
  EXPECT_EQ(verify(view_of(bad_key, body), now).code, "bad_validator_hotkey");
  for (const char* nonce : {"12345", "_abc", "12x_ab", "123_", "123_x-z", "99999999999999999999_ab"}) {
    SignedHeaders bad_nonce = h;
    bad_nonce.nonce = nonce;
    EXPECT_EQ(verify(view_of(bad_nonce, body), now).code, "bad_nonce") << nonce;
  }
}

TEST_F(RequestSigning, NonceOutsideTheWindowIsStale) {
  SignedHeaders old = sign_request(validator, miner.ss58_address(), body, now - 121s);
  Verdict v = verify(view_of(old, body), now);
  EXPECT_EQ(v.status, 401);
  EXPECT_EQ(v.code, "stale_nonce");
  EXPECT_NE(v.reason.find("-121 s"), std::string::npos) << v.reason;
  EXPECT_EQ(verify(view_of(sign_request(validator, miner.ss58_address(), body, now + 121s), body), now).code,
            "stale_nonce");
  EXPECT_TRUE(verify(view_of(sign_request(validator, miner.ss58_address(), body, now - 119s), body), now).accepted());
  EXPECT_TRUE(verify(view_of(sign_request(validator, miner.ss58_address(), body, now + 119s), body), now).accepted());
}

TEST_F(RequestSigning, ReplayIsRefused) {
  SignedHeaders h = sign_request(validator, miner.ss58_address(), body, now);
  ASSERT_TRUE(verify(view_of(h, body), now).accepted());
  Verdict again = verify(view_of(h, body), now + 1s);
  EXPECT_EQ(again.status, 401);
  EXPECT_EQ(again.code, "replayed_nonce");
}

TEST_F(RequestSigning, StakeBelowThresholdOrUnknownIs403) {
  stakes.stakes[validator.ss58_address()] = 999;
  SignedHeaders h = sign_request(validator, miner.ss58_address(), body, now);
  Verdict low = verify(view_of(h, body), now);
  EXPECT_EQ(low.status, 403);
  EXPECT_EQ(low.code, "stake_too_low");
  EXPECT_NE(low.reason.find("999"), std::string::npos) << low.reason;

  Hotkey stranger = Hotkey::generate();
  Verdict unknown = verify(view_of(sign_request(stranger, miner.ss58_address(), body, now), body), now);
  EXPECT_EQ(unknown.status, 403);
  EXPECT_EQ(unknown.code, "not_a_validator");
  EXPECT_EQ(replays.size(), 0u);
}

TEST_F(RequestSigning, SignatureIsHexWithPrefixAndEitherSchemeAndFormIsAccepted) {
  SignedHeaders h = sign_request(validator, miner.ss58_address(), body, now);
  ASSERT_EQ(h.signature.substr(0, 2), "0x");
  EXPECT_EQ(h.signature.size(), 130u);
  SignedHeaders bare = h;
  bare.signature = h.signature.substr(2);  // as older nineteen validators sent it
  EXPECT_TRUE(verify(view_of(bare, body), now).accepted());
  EXPECT_EQ(verify(view_of(h, body), now).code, "replayed_nonce");

  // An ed25519 validator key (an older nineteen key file) still signs acceptably.
  Hotkey old_validator = Hotkey::generate(KeyScheme::ed25519);
  stakes.stakes[old_validator.ss58_address()] = 5000;
  EXPECT_TRUE(verify(view_of(sign_request(old_validator, miner.ss58_address(), body, now), body), now).accepted());

  // fiber's nonce: <unix ns>_<10 letters or digits>.
  SignedHeaders fiber;
  fiber.validator_hotkey = validator.ss58_address();
  fiber.miner_hotkey = miner.ss58_address();
  fiber.nonce = "1750000000000000000_Ab3dEfGh9Z";
  Signature sig = validator.sign(signing_message(fiber.nonce, fiber.miner_hotkey, body));
  fiber.signature = "0x" + to_hex(sig.data(), sig.size());
  EXPECT_TRUE(verify(view_of(fiber, body), now).accepted());
}
