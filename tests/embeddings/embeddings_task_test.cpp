// The embeddings task on tiny models, made through the plugin as the host does: the OpenAI answer,
// its own answers checking 1, a wrong model's 0, noise below 1, one bad vector sinking an answer,
// wrong shapes 0, work, bad requests and configs refused with the key named.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <random>

#include <rapidjson/document.h>

#include "embedding_answer.hpp"
#include "embeddings_plugin.hpp"
#include "embeddings_task.hpp"
#include "float_base64.hpp"
#include "nineteen/models/bert_tiny_maker.hpp"
#include "nineteen/sdk/json.hpp"
#include "sdk_error_text.hpp"  // tests/text

namespace nineteen::embeddings {
namespace {

// The tiny model and its variant (same shape and tokenizer, other weights), made once per process.
class TinyBerts {
 public:
  static TinyBerts& get() {
    static TinyBerts models;
    return models;
  }
  std::string reference, wrong;
  ~TinyBerts() {
    std::error_code ec;
    std::filesystem::remove_all(folder_, ec);
  }

 private:
  TinyBerts() {
    folder_ = (std::filesystem::path(::testing::TempDir()) / ("nineteen-embeddings-" + std::to_string(::getpid()))).string();
    reference = folder_ + "/tiny-bert";
    wrong = folder_ + "/tiny-bert-variant-1";
    models::TinyBertOptions options;
    models::make_tiny_bert(reference, options);
    options.variant = 1;
    models::make_tiny_bert(wrong, options);
  }
  std::string folder_;
};

std::unique_ptr<sdk::Task> make_task(sdk::Plugin& plugin, const std::string& dir, const std::string& extra = "") {
  const std::string json = "{\"type\":\"embeddings\",\"model_dir\":" + sdk::json_quote(dir) + ",\"threads\":1" +
                           (extra.empty() ? "" : "," + extra) + "}";
  rapidjson::Document doc = sdk::parse_json(json, "config");
  return plugin.create_task("embed-tiny", sdk::JsonObject(doc, "task \"embed-tiny\" config"));
}

std::string serve(sdk::Task& task, const std::string& request) {
  sdk::CollectingCall call;
  task.serve(request, call);
  EXPECT_EQ(call.chunks.size(), 1u);
  return call.response_json();
}

// Runs a call that must throw sdk::Error(NT_INVALID_ARGUMENT); returns the message.
template <class Call>
std::string error_text(Call call) {
  return text::testing::sdk_error_text(call, NT_INVALID_ARGUMENT);
}

class EmbeddingsTaskTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    plugin_ = new EmbeddingsPlugin(sdk::Host());
    task_ = make_task(*plugin_, TinyBerts::get().reference).release();
    wrong_ = make_task(*plugin_, TinyBerts::get().wrong).release();
  }
  static void TearDownTestSuite() {
    delete task_;
    delete wrong_;
    delete plugin_;
  }
  static double check(const std::string& request, const std::string& response, std::string* reason = nullptr) {
    auto r = task_->check({request}, {response});
    if (reason) *reason = r[0].reason;
    return r[0].quality;
  }
  static EmbeddingsPlugin* plugin_;
  static sdk::Task* task_;
  static sdk::Task* wrong_;
};
EmbeddingsPlugin* EmbeddingsTaskTest::plugin_ = nullptr;
sdk::Task* EmbeddingsTaskTest::task_ = nullptr;
sdk::Task* EmbeddingsTaskTest::wrong_ = nullptr;

const char* const kRequest = R"({"model":"tiny-bert","input":["The river ran past the mill.","Eight bits make a byte.","Zürich"]})";

TEST_F(EmbeddingsTaskTest, DescribesItself) {
  sdk::TaskDescriptor d = task_->describe();
  EXPECT_EQ(d.kind, "embedding");
  EXPECT_EQ(d.endpoint, "/v1/embeddings");
  EXPECT_FALSE(d.stream);
  EXPECT_EQ(d.work_unit, "tokens");
  EXPECT_EQ(d.model, "tiny-bert");
}

TEST_F(EmbeddingsTaskTest, AnswersInOpenAiShape) {
  const std::string response = serve(*task_, kRequest);
  rapidjson::Document doc;
  doc.Parse(response.c_str());
  ASSERT_TRUE(doc.IsArray() && doc.Size() == 1) << response;
  const auto& answer = doc[0];
  EXPECT_STREQ(answer["object"].GetString(), "list");
  EXPECT_STREQ(answer["model"].GetString(), "tiny-bert");
  ASSERT_EQ(answer["data"].Size(), 3u);
  for (rapidjson::SizeType i = 0; i < 3; ++i) {
    EXPECT_STREQ(answer["data"][i]["object"].GetString(), "embedding");
    EXPECT_EQ(answer["data"][i]["index"].GetInt(), static_cast<int>(i));
    EXPECT_EQ(answer["data"][i]["embedding"].Size(), 64u);
  }
  EXPECT_EQ(answer["usage"]["prompt_tokens"].GetDouble(), task_->work(kRequest, response));
  EXPECT_GT(answer["usage"]["prompt_tokens"].GetInt(), 3 * 3);
  EXPECT_EQ(answer["usage"]["total_tokens"], answer["usage"]["prompt_tokens"]);
}

TEST_F(EmbeddingsTaskTest, Base64CarriesTheSameVectors) {
  const std::string as_float = serve(*task_, kRequest);
  std::string base64_request = kRequest;
  base64_request.insert(base64_request.size() - 1, R"(,"encoding_format":"base64")");
  const std::string as_base64 = serve(*task_, base64_request);
  MinerEmbeddings a = read_embeddings_answer(as_float, 3, 64, EncodingFormat::Float);
  MinerEmbeddings b = read_embeddings_answer(as_base64, 3, 64, EncodingFormat::Base64);
  ASSERT_EQ(a.problem, "");
  ASSERT_EQ(b.problem, "");
  EXPECT_EQ(a.values, b.values);
  EXPECT_EQ(check(base64_request, as_base64), 1.0);
  // The float answer to a base64 request is the wrong format.
  std::string reason;
  EXPECT_EQ(check(base64_request, as_float, &reason), 0.0);
  EXPECT_NE(reason.find("base64"), std::string::npos) << reason;
}

TEST_F(EmbeddingsTaskTest, OwnAnswersCheckOneInOneBatch) {
  std::vector<std::string> requests, responses;
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    requests.push_back(task_->synthesize(seed));
    responses.push_back(serve(*task_, requests.back()));
  }
  std::vector<std::string_view> rq(requests.begin(), requests.end()), rs(responses.begin(), responses.end());
  auto together = task_->check(rq, rs);
  for (size_t i = 0; i < requests.size(); ++i) {
    EXPECT_EQ(together[i].quality, 1.0) << together[i].reason;
    EXPECT_EQ(task_->check({rq[i]}, {rs[i]})[0].quality, together[i].quality);
  }
}

TEST_F(EmbeddingsTaskTest, AWrongModelsVectorsScoreZero) {
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    const std::string request = task_->synthesize(seed);
    std::string reason;
    EXPECT_EQ(check(request, serve(*wrong_, request), &reason), 0.0) << reason;
  }
}

// The answer to kRequest with every vector moved by Gaussian noise of `sigma` per element, then
// renormalised (a careful cheat keeps norms at 1).
std::string noisy_answer(sdk::Task& task, double sigma, int only_vector = -1) {
  MinerEmbeddings clean = read_embeddings_answer(serve(task, kRequest), 3, 64, EncodingFormat::Float);
  std::mt19937_64 bits(7);
  std::normal_distribution<double> noise(0.0, sigma);
  for (size_t v = 0; v < 3; ++v) {
    if (only_vector >= 0 && static_cast<int>(v) != only_vector) continue;
    double norm = 0;
    for (size_t k = 0; k < 64; ++k) {
      float& x = clean.values[v * 64 + k];
      x = static_cast<float>(x + noise(bits));
      norm += double(x) * x;
    }
    for (size_t k = 0; k < 64; ++k) clean.values[v * 64 + k] = static_cast<float>(clean.values[v * 64 + k] / std::sqrt(norm));
  }
  return "[" + write_embeddings_answer(clean.values, 64, EncodingFormat::Float, "tiny-bert", 1) + "]";
}

TEST_F(EmbeddingsTaskTest, SmallNoiseScoresBelowOne) {
  std::string reason;
  const double q = check(kRequest, noisy_answer(*task_, 0.012), &reason);
  EXPECT_LT(q, 1.0) << reason;
  EXPECT_GT(q, 0.0) << reason;
  EXPECT_EQ(check(kRequest, noisy_answer(*task_, 0.001)), 1.0);  // float-rounding-sized noise passes
  EXPECT_EQ(check(kRequest, noisy_answer(*task_, 0.05)), 0.0);
}

TEST_F(EmbeddingsTaskTest, OneBadVectorAmongGoodOnesSinksTheAnswer) {
  std::string reason;
  EXPECT_EQ(check(kRequest, noisy_answer(*task_, 0.2, 1), &reason), 0.0);
  EXPECT_NE(reason.find("vector 1 of 3"), std::string::npos) << reason;
}

TEST_F(EmbeddingsTaskTest, WrongShapesScoreZeroWithAReason) {
  const std::string good = serve(*task_, kRequest);
  const std::string other = serve(*task_, R"({"input":["one","two"]})");
  std::string reason;
  EXPECT_EQ(check(kRequest, other, &reason), 0.0);
  EXPECT_NE(reason.find("2 vectors for 3 inputs"), std::string::npos) << reason;
  EXPECT_EQ(check(kRequest, "{}", &reason), 0.0);
  EXPECT_EQ(check(kRequest, good.substr(0, good.size() / 2), &reason), 0.0);
  EXPECT_NE(reason.find("not JSON"), std::string::npos) << reason;
  EXPECT_EQ(check("not json", good, &reason), 0.0);
  EXPECT_NE(reason.find("request is unreadable"), std::string::npos) << reason;
  EXPECT_EQ(task_->work(kRequest, other), 0.0);
  EXPECT_EQ(task_->work("not json", good), 0.0);
}

TEST_F(EmbeddingsTaskTest, LongInputsAreTruncated) {
  std::string words;
  for (int i = 0; i < 2000; ++i) words += "river ";
  auto small = make_task(*plugin_, TinyBerts::get().reference, "\"max_input_tokens\":16");
  const std::string request = R"({"input":")" + words + R"("})";
  const std::string response = serve(*small, request);
  EXPECT_EQ(small->work(request, response), 16.0);
  EXPECT_NE(response.find(R"("prompt_tokens":16)"), std::string::npos);
  EXPECT_EQ(small->check({request}, {response})[0].quality, 1.0);
}

TEST_F(EmbeddingsTaskTest, BadRequestsAreRefusedNamingTheKey) {
  EXPECT_NE(error_text([&] { serve(*task_, R"({"input":[]})"); }).find("key \"input\""), std::string::npos);
  EXPECT_NE(error_text([&] { serve(*task_, R"({"input":"x","encoding_format":"hex"})"); }).find("encoding_format"),
            std::string::npos);
  EXPECT_NE(error_text([&] { serve(*task_, "{}"); }).find("missing key \"input\""), std::string::npos);
  auto limited = make_task(*plugin_, TinyBerts::get().reference, "\"max_inputs\":2");
  EXPECT_NE(error_text([&] { serve(*limited, kRequest); }).find("1 to 2 non-empty strings, got a list of 3"),
            std::string::npos);
}

TEST_F(EmbeddingsTaskTest, BadConfigsAreRefusedNamingTheKey) {
  const std::string dir = TinyBerts::get().reference;
  EXPECT_NE(error_text([&] { make_task(*plugin_, dir, "\"max_batchh\":4"); }).find("unknown key \"max_batchh\""),
            std::string::npos);
  EXPECT_NE(error_text([&] { make_task(*plugin_, dir, "\"dtype\":\"fp8\""); }).find("key \"dtype\""), std::string::npos);
  EXPECT_NE(error_text([&] { make_task(*plugin_, dir, "\"max_input_tokens\":999"); }).find("\"max_input_tokens\": expected 3 to 256"),
            std::string::npos);
  try {
    make_task(*plugin_, dir + "-missing");
    ADD_FAILURE() << "loaded a missing folder";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.code(), NT_NOT_FOUND);
    EXPECT_NE(std::string(e.what()).find("make tiny-bert"), std::string::npos) << e.what();
  }
}

TEST_F(EmbeddingsTaskTest, BatchSizeDoesNotChangeTheAnswer) {
  auto one_at_a_time = make_task(*plugin_, TinyBerts::get().reference, "\"max_batch\":1");
  const std::string request = task_->synthesize(3);
  EXPECT_EQ(check(request, serve(*one_at_a_time, request)), 1.0);
}

}  // namespace
}  // namespace nineteen::embeddings
