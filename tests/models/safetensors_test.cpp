// Safetensors: round trips, and every kind of broken file gives an error naming file and tensor.
#include "nineteen/models/safetensors.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "nineteen/sdk/error.hpp"
#include "scratch_dir.hpp"

namespace nineteen::models {
namespace {

using testing_support::ScratchDir;
using ::testing::HasSubstr;

std::string bytes_of(const std::vector<float>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_all(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A file with a hand-written header and `data_bytes` bytes of data after it.
std::string raw_file(const std::string& header, size_t data_bytes) {
  std::string out(8, '\0');
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return out + header + std::string(data_bytes, '\0');
}

std::string open_error(const std::string& path) {
  try {
    SafetensorsFile::open(path);
  } catch (const sdk::Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(Safetensors, WritesAndReadsBack) {
  ScratchDir dir;
  std::vector<float> a = {1.5f, -2.0f, 3.25f, 0.0f, 7.0f, 8.0f};
  std::vector<uint16_t> b = {0x3f80, 0xc000};  // bf16 1.0, -2.0
  std::string b_bytes(reinterpret_cast<const char*>(b.data()), 4);
  std::string path = dir.file("x.safetensors");
  write_safetensors(path, {{"a", DType::F32, {2, 3}, bytes_of(a)}, {"b", DType::BF16, {2}, b_bytes}},
                    {{"format", "pt"}});

  SafetensorsFile f = SafetensorsFile::open(path);
  ASSERT_EQ(f.tensors().size(), 2u);
  const TensorView* ta = f.find("a");
  ASSERT_NE(ta, nullptr);
  EXPECT_EQ(ta->dtype, DType::F32);
  EXPECT_EQ(ta->shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(ta->shape_text(), "[2, 3]");
  ASSERT_EQ(ta->byte_size, 24u);
  EXPECT_EQ(std::memcmp(ta->data, a.data(), 24), 0);
  const TensorView* tb = f.find("b");
  ASSERT_NE(tb, nullptr);
  EXPECT_EQ(tb->dtype, DType::BF16);
  EXPECT_EQ(std::memcmp(tb->data, b.data(), 4), 0);
  EXPECT_EQ(f.find("c"), nullptr);
  EXPECT_EQ(f.metadata().at("format"), "pt");
  // The header is padded so the data starts 8-byte aligned.
  uint64_t header_len = 0;
  std::memcpy(&header_len, read_all(path).data(), 8);
  EXPECT_EQ(header_len % 8, 0u);
}

TEST(Safetensors, WriterIsDeterministic) {
  ScratchDir dir;
  std::vector<float> a = {1, 2, 3};
  write_safetensors(dir.file("1.safetensors"), {{"a", DType::F32, {3}, bytes_of(a)}});
  write_safetensors(dir.file("2.safetensors"), {{"a", DType::F32, {3}, bytes_of(a)}});
  EXPECT_EQ(read_all(dir.file("1.safetensors")), read_all(dir.file("2.safetensors")));
}

TEST(Safetensors, WriterRejectsSizeMismatchAndDuplicates) {
  ScratchDir dir;
  std::vector<float> a = {1, 2, 3};
  EXPECT_THROW(write_safetensors(dir.file("x.safetensors"), {{"a", DType::F32, {4}, bytes_of(a)}}), sdk::Error);
  EXPECT_THROW(write_safetensors(dir.file("x.safetensors"),
                                 {{"a", DType::F32, {3}, bytes_of(a)}, {"a", DType::F32, {3}, bytes_of(a)}}),
               sdk::Error);
}

TEST(Safetensors, TruncatedFileNamesFileAndTensor) {
  ScratchDir dir;
  std::vector<float> a(64, 1.0f), b(64, 2.0f);
  std::string path = dir.file("t.safetensors");
  write_safetensors(path, {{"first", DType::F32, {64}, bytes_of(a)}, {"second", DType::F32, {8, 8}, bytes_of(b)}});
  std::string whole = read_all(path);
  write_all(path, whole.substr(0, whole.size() - 10));
  std::string err = open_error(path);
  EXPECT_THAT(err, HasSubstr(path));
  EXPECT_THAT(err, HasSubstr("\"second\""));
  EXPECT_THAT(err, HasSubstr("truncated"));

  // Cut inside the header, and shorter than the length field itself.
  write_all(path, whole.substr(0, 20));
  EXPECT_THAT(open_error(path), HasSubstr("header length"));
  write_all(path, whole.substr(0, 5));
  EXPECT_THAT(open_error(path), HasSubstr("shorter than the 8-byte header length"));
  write_all(path, "");
  EXPECT_THAT(open_error(path), HasSubstr(path));
}

TEST(Safetensors, CorruptHeaderIsAnError) {
  ScratchDir dir;
  std::string path = dir.file("c.safetensors");
  write_all(path, raw_file("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]", 8));
  EXPECT_THAT(open_error(path), HasSubstr("corrupt header"));
  write_all(path, raw_file("[1, 2, 3]", 0));
  EXPECT_THAT(open_error(path), HasSubstr("not a JSON object"));
  write_all(path, raw_file("{\"a\": {\"dtype\": \"F32\", \"shape\": [-2], \"data_offsets\": [0, 8]}}", 8));
  EXPECT_THAT(open_error(path), HasSubstr("\"a\""));
  write_all(path, raw_file("{\"a\": {\"dtype\": \"F32\", \"shape\": [2]}}", 8));
  EXPECT_THAT(open_error(path), HasSubstr("data_offsets"));
  // A length field claiming a gigantic header.
  std::string huge(8, '\xff');
  write_all(path, huge + "{}");
  EXPECT_THAT(open_error(path), HasSubstr("header length field"));
  // Not a file at all.
  EXPECT_THAT(open_error(dir.file("missing.safetensors")), HasSubstr("cannot open"));
}

TEST(Safetensors, UnsupportedDtypeNamesTensor) {
  ScratchDir dir;
  std::string path = dir.file("d.safetensors");
  write_all(path, raw_file("{\"step\": {\"dtype\": \"U8\", \"shape\": [1], \"data_offsets\": [0, 1]}}", 1));
  std::string err = open_error(path);
  EXPECT_THAT(err, HasSubstr("\"step\""));
  EXPECT_THAT(err, HasSubstr("U8"));
  EXPECT_THAT(err, HasSubstr("F32, F16, BF16 or I64"));
}

TEST(Safetensors, ShapeMustMatchByteSpan) {
  ScratchDir dir;
  std::string path = dir.file("s.safetensors");
  write_all(path, raw_file("{\"w\": {\"dtype\": \"F16\", \"shape\": [3], \"data_offsets\": [0, 8]}}", 8));
  std::string err = open_error(path);
  EXPECT_THAT(err, HasSubstr("\"w\""));
  EXPECT_THAT(err, HasSubstr("needs 6 bytes"));
}

TEST(Safetensors, OffsetOutOfRangeAndOverlapAreErrors) {
  ScratchDir dir;
  std::string path = dir.file("o.safetensors");
  write_all(path, raw_file("{\"w\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [8, 24]}}", 16));
  EXPECT_THAT(open_error(path), HasSubstr("past the data section"));
  write_all(path, raw_file("{\"w\": {\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [9, 8]}}", 16));
  EXPECT_THAT(open_error(path), HasSubstr("begin 9 > end 8"));
  write_all(path, raw_file("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
                           " \"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}",
                           16));
  std::string err = open_error(path);
  EXPECT_THAT(err, HasSubstr("overlap"));
  EXPECT_THAT(err, HasSubstr("\"a\""));
  EXPECT_THAT(err, HasSubstr("\"b\""));
}

TEST(Safetensors, ShardedSetByIndexAndByGlob) {
  ScratchDir dir;
  std::vector<float> a = {1, 2}, b = {3, 4, 5};
  write_safetensors(dir.file("model-00001-of-00002.safetensors"), {{"a", DType::F32, {2}, bytes_of(a)}});
  write_safetensors(dir.file("model-00002-of-00002.safetensors"), {{"b", DType::F32, {3}, bytes_of(b)}});
  {
    SafetensorsSet set = SafetensorsSet::open_dir(dir.path());
    ASSERT_NE(set.find("a"), nullptr);
    ASSERT_NE(set.find("b"), nullptr);
    EXPECT_EQ(set.find("b")->element_count(), 3);
    EXPECT_THAT(set.file_of("b"), HasSubstr("model-00002-of-00002"));
    EXPECT_EQ(set.names(), (std::vector<std::string>{"a", "b"}));
  }
  // With an index only the listed shards are read; a stray file is ignored.
  write_safetensors(dir.file("model-extra.safetensors"), {{"a", DType::F32, {2}, bytes_of(a)}});
  EXPECT_THROW(SafetensorsSet::open_dir(dir.path()), sdk::Error);  // "a" twice when globbing
  write_all(dir.file("model.safetensors.index.json"),
            R"({"metadata": {}, "weight_map": {"a": "model-00001-of-00002.safetensors",
                "b": "model-00002-of-00002.safetensors"}})");
  SafetensorsSet set = SafetensorsSet::open_dir(dir.path());
  EXPECT_EQ(set.files().size(), 2u);
  EXPECT_NE(set.find("a"), nullptr);
}

TEST(Safetensors, DirectoryWithoutWeightsSaysWhatIsExpected) {
  ScratchDir dir;
  try {
    SafetensorsSet::open_dir(dir.path());
    FAIL() << "expected an error";
  } catch (const sdk::Error& e) {
    EXPECT_THAT(std::string(e.what()), HasSubstr("model.safetensors"));
  }
}

}  // namespace
}  // namespace nineteen::models
