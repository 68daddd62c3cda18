// The conformance runner on a good task, and on tasks that break its rules.
#include <gtest/gtest.h>

#include "host_fixture.hpp"
#include "nineteen/plugin_host/conformance.hpp"

using namespace host_test;

TEST(Conformance, TheShippedTextTransformPasses) {
  TempDir dir;
  auto host = host_with(dir, "[tasks.t]\nplugin = \"text_transform\"\nmode = \"rot13\"\n", true);
  auto report = nineteen::plugin_host::run_conformance(*host, "t");
  for (const auto& c : report.checks) EXPECT_TRUE(c.passed) << c.name << ": " << c.detail;
  EXPECT_TRUE(report.passed());
  EXPECT_GE(report.checks.size(), 10u);
}

TEST(Conformance, ATaskThatFailedToLoadFailsConformance) {
  TempDir dir;
  auto host = host_with(dir, "[tasks.bad]\nplugin = \"fixture_selftest_fails\"\n", true);
  auto report = nineteen::plugin_host::run_conformance(*host, "bad");
  EXPECT_FALSE(report.passed());
  ASSERT_FALSE(report.checks.empty());
  EXPECT_EQ(report.checks[0].name, "task loads");
  EXPECT_NE(report.checks[0].detail.find("failed its self-test"), std::string::npos);
}

TEST(Conformance, PerturbationChangesEveryStringAndNumber) {
  EXPECT_EQ(nineteen::plugin_host::perturb_json(R"([{"word":"abc","n":1}])"), R"([{"word":"cba~","n":2}])");
}
