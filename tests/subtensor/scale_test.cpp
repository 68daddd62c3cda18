// SCALE codec and hashers: known encodings, round trips, and truncated or garbage input refused clearly.
#include "nineteen/chain/subtensor/scale.hpp"

#include <gtest/gtest.h>

#include "nineteen/chain/subtensor/hashers.hpp"

namespace st = nineteen::chain::subtensor;

namespace {
std::string enc_compact(st::u128 v) {
  st::ScaleEncoder e;
  e.compact(v);
  return st::hex_encode(e.data(), false);
}
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(ScaleCodec, CompactEncodingsMatchTheSpec) {
  EXPECT_EQ(enc_compact(0), "00");
  EXPECT_EQ(enc_compact(1), "04");
  EXPECT_EQ(enc_compact(42), "a8");
  EXPECT_EQ(enc_compact(63), "fc");
  EXPECT_EQ(enc_compact(64), "0101");
  EXPECT_EQ(enc_compact(69), "1501");
  EXPECT_EQ(enc_compact(16383), "fdff");
  EXPECT_EQ(enc_compact(16384), "02000100");
  EXPECT_EQ(enc_compact(1073741823), "feffffff");
  EXPECT_EQ(enc_compact(1073741824), "0300000040");
  EXPECT_EQ(enc_compact(UINT64_MAX), "13ffffffffffffffff");
  st::u128 big = ~st::u128{0};
  EXPECT_EQ(enc_compact(big), "33ffffffffffffffffffffffffffffffff");
}

TEST(ScaleCodec, RoundTripsEveryKind) {
  st::ScaleEncoder e;
  e.u8(7);
  e.boolean(true);
  e.u16(0xBEEF);
  e.u32(0xDEADBEEF);
  e.u64(0x0123456789ABCDEFULL);
  st::u128 big = (st::u128{0x1122334455667788ULL} << 64) | 0x99AABBCCDDEEFF00ULL;
  e.u128le(big);
  for (st::u128 v : {st::u128{0}, st::u128{63}, st::u128{64}, st::u128{16384}, st::u128{1} << 40, big})
    e.compact(v);
  e.bytes({1, 2, 3});
  e.text("héllo");
  e.u8(1);  // Some
  e.u16(9);
  e.u8(0);  // None
  std::array<std::uint8_t, 4> arr{9, 8, 7, 6};
  e.raw(arr);

  st::ScaleDecoder d(e.data());
  EXPECT_EQ(d.u8(), 7);
  EXPECT_TRUE(d.boolean());
  EXPECT_EQ(d.u16(), 0xBEEF);
  EXPECT_EQ(d.u32(), 0xDEADBEEFu);
  EXPECT_EQ(d.u64(), 0x0123456789ABCDEFULL);
  EXPECT_TRUE(d.u128le() == big);
  for (st::u128 v : {st::u128{0}, st::u128{63}, st::u128{64}, st::u128{16384}, st::u128{1} << 40, big})
    EXPECT_TRUE(d.compact() == v);
  EXPECT_EQ(d.bytes(), (st::Bytes{1, 2, 3}));
  EXPECT_EQ(d.text(), "héllo");
  ASSERT_TRUE(d.option_tag());
  EXPECT_EQ(d.u16(), 9);
  EXPECT_FALSE(d.option_tag());
  EXPECT_EQ((d.array<4>()), arr);
  d.expect_end();
}

TEST(ScaleCodec, TruncatedInputNamesTheByteAndNeverReadsPast) {
  st::Bytes three{1, 2, 3};
  st::ScaleDecoder d(three, "neurons");
  d.u8();
  EXPECT_EQ(error_of([&] { d.u32(); }), "neurons: truncated at byte 1 reading a u32 (needs 4 bytes, 2 left)");
  EXPECT_EQ(d.position(), 1u);  // a failed read consumes nothing

  // A length prefix claiming more elements than bytes left is refused before allocating.
  st::Bytes lying{0xfe, 0xff, 0xff, 0xff, 0x01};
  st::ScaleDecoder l(lying, "vec");
  EXPECT_NE(error_of([&] {
              l.length(1);
            }).find("vec: truncated at byte 0: a length of 1073741823 with only 1 bytes left"),
            std::string::npos);

  st::Bytes wide{0xff};  // compact of 67 bytes
  st::ScaleDecoder w(wide, "x");
  EXPECT_NE(error_of([&] { w.compact(); }).find("wider than u128"), std::string::npos);

  st::Bytes bad_bool{2};
  st::ScaleDecoder b(bad_bool, "flag");
  EXPECT_NE(error_of([&] { b.boolean(); }).find("bool byte 2 is neither 0 nor 1"), std::string::npos);

  st::Bytes left{1, 2};
  st::ScaleDecoder e(left, "x");
  e.u8();
  EXPECT_EQ(error_of([&] { e.expect_end(); }), "x: 1 bytes left over after byte 1");

  st::Bytes big_compact{0x13, 1, 2, 3, 4, 5, 6, 7, 8};  // 9-byte compact? no: 0x13 = 8 bytes (u64)
  st::ScaleDecoder c(big_compact, "x");
  EXPECT_NO_THROW(c.compact_u64());
  st::Bytes too_big{0x17, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  st::ScaleDecoder c2(too_big, "x");
  EXPECT_NE(error_of([&] { c2.compact_u64(); }).find("does not fit in u64"), std::string::npos);
}

TEST(ScaleCodec, HexHelpers) {
  EXPECT_EQ(st::hex_decode("0x0aFF"), (st::Bytes{0x0a, 0xff}));
  EXPECT_EQ(st::hex_decode("0aff"), (st::Bytes{0x0a, 0xff}));
  EXPECT_EQ(st::hex_encode(st::Bytes{0x0a, 0xff}), "0x0aff");
  EXPECT_NE(error_of([] { st::hex_decode("0xabc", "genesis"); }).find("genesis: expected hex"),
            std::string::npos);
  EXPECT_EQ(st::u128_to_string((st::u128{1} << 64)), "18446744073709551616");
}

TEST(Hashers, XxHash64ReferenceValues) {
  // From the xxHash reference implementation.
  EXPECT_EQ(st::xxhash64(nullptr, 0, 0), 0xEF46DB3751D8E999ULL);
  const std::string abc = "abc";
  EXPECT_EQ(st::xxhash64(reinterpret_cast<const std::uint8_t*>(abc.data()), 3, 0), 0x44BC2CF5AD770999ULL);
  const std::string fox = "The quick brown fox jumps over the lazy dog";
  EXPECT_EQ(st::xxhash64(reinterpret_cast<const std::uint8_t*>(fox.data()), fox.size(), 0),
            0x0B242D361FDA71BCULL);
}

TEST(Hashers, WellKnownSubstrateStoragePrefixes) {
  EXPECT_EQ(st::hex_encode(st::twox128("System"), false), "26aa394eea5630e07c48ae0c9558cef7");
  EXPECT_EQ(st::hex_encode(st::twox128("Account"), false), "b99d880ec681799c0cf30e8886371da9");
  EXPECT_EQ(st::hex_encode(st::twox128("Timestamp"), false), "f0c365c3cf59d671eb72da0e7a4113c4");
  EXPECT_EQ(st::hex_encode(st::twox128("Now"), false), "9f1f0515f462cdcf84e0f1d6045dfcbb");
}

TEST(Hashers, StorageHashersShapes) {
  st::Bytes key{0x05, 0x00};
  EXPECT_EQ(st::apply_storage_hasher(st::StorageHasher::identity, key), key);
  auto b = st::apply_storage_hasher(st::StorageHasher::blake2_128_concat, key);
  ASSERT_EQ(b.size(), 18u);
  EXPECT_EQ(st::Bytes(b.end() - 2, b.end()), key);
  auto t = st::apply_storage_hasher(st::StorageHasher::twox64_concat, key);
  ASSERT_EQ(t.size(), 10u);
  EXPECT_EQ(st::Bytes(t.end() - 2, t.end()), key);
  auto h = st::blake2_256(st::Bytes{});
  // blake2b-256 of the empty string.
  EXPECT_EQ(st::hex_encode(h, false), "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
}
