// The embeddings plugin's pure parts: §6 quality with worked numbers, the minimum rule, base64,
// reading requests and answers, and the synthetic request generator.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>

#include "embedding_answer.hpp"
#include "embedding_input_synthesizer.hpp"
#include "embedding_quality.hpp"
#include "embeddings_request.hpp"
#include "float_base64.hpp"
#include "nineteen/sdk/error.hpp"

namespace nineteen::embeddings {
namespace {

TEST(EmbeddingQuality, WorkedNumbers) {
  EXPECT_EQ(embedding_quality(1.0), 1.0);
  EXPECT_EQ(embedding_quality(0.999), 1.0);
  EXPECT_NEAR(embedding_quality(0.9945), 0.5, 1e-9);
  EXPECT_NEAR(embedding_quality(0.9918), 0.2, 1e-9);
  EXPECT_EQ(embedding_quality(0.99), 0.0);
  EXPECT_EQ(embedding_quality(-1.0), 0.0);
  EXPECT_EQ(embedding_quality(std::nan("")), 0.0);
}

// Unit vectors along axis 0 tilted towards axis 1 so their cosine with e0 is exactly `c`.
std::vector<float> tilted(double c) { return {static_cast<float>(c), static_cast<float>(std::sqrt(1 - c * c)), 0, 0}; }

TEST(EmbeddingQuality, AnAnswerScoresItsWorstVector) {
  const std::vector<float> reference = {1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0};
  std::vector<float> answer;
  for (double c : {1.0, 0.9945, 0.9995}) {
    auto v = tilted(c);
    answer.insert(answer.end(), v.begin(), v.end());
  }
  sdk::CheckResult r = check_vectors(reference.data(), answer.data(), 3, 4, true);
  EXPECT_NEAR(r.quality, 0.5, 1e-3);
  EXPECT_NE(r.reason.find("vector 1 of 3"), std::string::npos) << r.reason;
  answer[0] = 0;  // vector 0 becomes (0, 0, 0, 0): no direction at all
  EXPECT_EQ(check_vectors(reference.data(), answer.data(), 3, 4, false).quality, 0.0);
}

TEST(EmbeddingQuality, ANormalisingModelsVectorsMustHaveNormOne) {
  const std::vector<float> reference = {1, 0, 0, 0};
  const std::vector<float> scaled = {2, 0, 0, 0};
  EXPECT_EQ(check_vectors(reference.data(), scaled.data(), 1, 4, false).quality, 1.0);
  sdk::CheckResult r = check_vectors(reference.data(), scaled.data(), 1, 4, true);
  EXPECT_EQ(r.quality, 0.0);
  EXPECT_NE(r.reason.find("norm 2"), std::string::npos) << r.reason;
}

TEST(FloatBase64, RoundTripsAndMatchesKnownBytes) {
  const float one = 1.0f;
  EXPECT_EQ(floats_to_base64(&one, 1), "AACAPw==");  // 00 00 80 3f, little-endian
  const std::vector<float> values = {0.0f, -0.0f, 1.5e-42f, -3.25f, 123456.789f, std::numeric_limits<float>::max(),
                                     0.1f};
  for (size_t n = 0; n <= values.size(); ++n) {  // every padding length
    auto back = base64_to_floats(floats_to_base64(values.data(), n));
    ASSERT_TRUE(back) << n;
    ASSERT_EQ(back->size(), n);
    for (size_t i = 0; i < n; ++i) EXPECT_EQ(std::signbit((*back)[i]), std::signbit(values[i]));
    EXPECT_EQ(*back, std::vector<float>(values.begin(), values.begin() + n));
  }
  for (const char* bad : {"AACAPw=", "AACA*w==", "AACAPw==AAAA", "AAAA", "AA=A"}) {
    EXPECT_FALSE(base64_to_floats(bad)) << bad;
  }
}

std::string request_error(const std::string& json) {
  try {
    EmbeddingsRequest::parse(json, 4, 64);
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.code(), NT_INVALID_ARGUMENT) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "accepted " << json;
  return "";
}

TEST(EmbeddingsRequest, ReadsOpenAiShapes) {
  EmbeddingsRequest one = EmbeddingsRequest::parse(R"({"input":"hello","model":"m"})", 4, 64);
  EXPECT_EQ(one.inputs, std::vector<std::string>{"hello"});
  EXPECT_TRUE(one.single_string);
  EXPECT_EQ(one.format, EncodingFormat::Float);
  EXPECT_EQ(one.model, "m");
  EmbeddingsRequest many =
      EmbeddingsRequest::parse(R"({"input":["a","b"],"encoding_format":"base64","dimensions":64,"user":"u"})", 4, 64);
  EXPECT_EQ(many.inputs.size(), 2u);
  EXPECT_EQ(many.format, EncodingFormat::Base64);
}

TEST(EmbeddingsRequest, RefusesBadRequestsNamingTheKey) {
  EXPECT_NE(request_error("not json").find("request: invalid JSON"), std::string::npos);
  EXPECT_NE(request_error("[]").find("expected a JSON object"), std::string::npos);
  EXPECT_NE(request_error("{}").find("missing key \"input\""), std::string::npos);
  EXPECT_NE(request_error(R"({"input":""})").find("key \"input\""), std::string::npos);
  EXPECT_NE(request_error(R"({"input":[]})").find("got a list of 0"), std::string::npos);
  EXPECT_NE(request_error(R"({"input":["a","b","c","d","e"]})").find("1 to 4"), std::string::npos);
  EXPECT_NE(request_error(R"({"input":["a",5]})").find("item 1"), std::string::npos);
  EXPECT_NE(request_error(R"({"input":[[1,2]]})").find("token ids"), std::string::npos);
  EXPECT_NE(request_error(R"({"input":"a","encoding_format":"int8"})").find("key \"encoding_format\""), std::string::npos);
  EXPECT_NE(request_error(R"({"input":"a","dimensions":32})").find("key \"dimensions\""), std::string::npos);
  EXPECT_NE(request_error(R"({"input":"a","model":7})").find("key \"model\""), std::string::npos);
}

TEST(EmbeddingAnswer, WritesOpenAiShapeAndReadsItBack) {
  const std::vector<float> values = {0.1f, -0.25f, 1.0f / 3.0f, 2.0f, 0.0f, -1e-8f};
  for (EncodingFormat format : {EncodingFormat::Float, EncodingFormat::Base64}) {
    const std::string answer = write_embeddings_answer(values, 3, format, "tiny", 17);
    EXPECT_NE(answer.find(R"("object":"list")"), std::string::npos);
    EXPECT_NE(answer.find(R"("usage":{"prompt_tokens":17,"total_tokens":17})"), std::string::npos);
    EXPECT_NE(answer.find(R"("model":"tiny")"), std::string::npos);
    MinerEmbeddings read = read_embeddings_answer("[" + answer + "]", 2, 3, format);
    EXPECT_EQ(read.problem, "");
    EXPECT_EQ(read.values, values);  // shortest float text and base64 both round-trip exactly
  }
  EXPECT_NE(write_embeddings_answer(values, 3, EncodingFormat::Float, "m", 1).find("[0.1,-0.25,0.33333334]"),
            std::string::npos);
}

TEST(EmbeddingAnswer, RefusesWrongShapes) {
  auto problem = [](const std::string& chunks, EncodingFormat format = EncodingFormat::Float) {
    return read_embeddings_answer(chunks, 2, 2, format).problem;
  };
  const std::string item0 = R"({"object":"embedding","index":0,"embedding":[1,0]})";
  const std::string item1 = R"({"object":"embedding","index":1,"embedding":[0,1]})";
  auto answer = [](const std::string& items) { return R"([{"object":"list","data":[)" + items + "]}]"; };
  EXPECT_EQ(problem(answer(item1 + "," + item0)), "");  // any order, by index
  EXPECT_NE(problem("nope").find("not JSON"), std::string::npos);
  EXPECT_NE(problem(answer(item0 + "," + item1) + "x").find("not JSON"), std::string::npos);
  EXPECT_NE(problem("[{},{}]").find("exactly one chunk"), std::string::npos);
  EXPECT_NE(problem(answer(item0)).find("1 vectors for 2 inputs"), std::string::npos);
  EXPECT_NE(problem(answer(item0 + "," + item0)).find("distinct"), std::string::npos);
  EXPECT_NE(problem(answer(item0 + R"(,{"index":1,"embedding":[0,1,2]})")).find("3 values, expected 2"),
            std::string::npos);
  EXPECT_NE(problem(answer(item0 + R"(,{"index":1,"embedding":[0,"1"]})")).find("not a number"), std::string::npos);
  EXPECT_NE(problem(answer(item0 + "," + item1), EncodingFormat::Base64).find("base64 string"), std::string::npos);
  EXPECT_NE(problem(answer(R"({"index":0,"embedding":"AACAPw=="},{"index":1,"embedding":"AACAPw=="})"),
                    EncodingFormat::Base64)
                .find("1 values, expected 2"),
            std::string::npos);
}

TEST(EmbeddingInputSynthesizer, DeterministicAndVaried) {
  std::set<size_t> sizes;
  std::set<std::string> texts;
  int base64 = 0;
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    SyntheticEmbeddingsRequest a = synthesize_embeddings_request(seed), b = synthesize_embeddings_request(seed);
    EXPECT_EQ(a.inputs, b.inputs);
    EXPECT_EQ(a.format, b.format);
    ASSERT_GE(a.inputs.size(), 1u);
    ASSERT_LE(a.inputs.size(), 16u);
    sizes.insert(a.inputs.size());
    base64 += a.format == EncodingFormat::Base64;
    for (const std::string& t : a.inputs) {
      EXPECT_FALSE(t.empty());
      texts.insert(t);
    }
  }
  EXPECT_EQ(sizes.size(), 16u);  // every batch size from 1 to 16 occurs
  EXPECT_GT(base64, 40);
  EXPECT_LT(base64, 120);
  EXPECT_GT(texts.size(), 1500u);  // inputs rarely repeat
}

}  // namespace
}  // namespace nineteen::embeddings
