// tasks.toml parsing: every error names the file, line, key, value and what was expected.
#include <gtest/gtest.h>

#include "nineteen/config/task_catalog.hpp"

using nineteen::config::CatalogError;
using nineteen::config::parse_task_catalog;

TEST(TaskCatalog, ReadsCatalogueKeysAndPassesTheRestToThePlugin) {
  auto c = parse_task_catalog(R"(
[tasks.a]
plugin = "text_transform"
type = "transform"
weight = 3
max_capacity = 120000
volume_per_request = 300
timeout_s = 2.5
mode = "upper"
nested = { depth = 2 }

[tasks.b]
plugin = "x"
weight = 1
)", "tasks.toml");
  ASSERT_EQ(c.tasks.size(), 2u);
  const auto* a = c.find("a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->plugin, "text_transform");
  EXPECT_EQ(a->type, "transform");
  EXPECT_DOUBLE_EQ(a->max_capacity, 120000);
  EXPECT_DOUBLE_EQ(a->volume_per_request, 300);
  EXPECT_DOUBLE_EQ(a->timeout_s, 2.5);
  EXPECT_DOUBLE_EQ(a->normalised_weight, 0.75);
  EXPECT_DOUBLE_EQ(c.find("b")->normalised_weight, 0.25);
  EXPECT_NE(a->plugin_config_json.find("\"mode\""), std::string::npos);
  EXPECT_NE(a->plugin_config_json.find("\"type\""), std::string::npos);
  EXPECT_NE(a->plugin_config_json.find("\"depth\""), std::string::npos);
  EXPECT_EQ(a->plugin_config_json.find("\"weight\""), std::string::npos);
  EXPECT_TRUE(a->error.empty());
}

TEST(TaskCatalog, DisabledAndBrokenTasksGetNoWeight) {
  auto c = parse_task_catalog(R"(
[tasks.on]
plugin = "p"
weight = 2
[tasks.off]
plugin = "p"
weight = 2
enabled = false
[tasks.broken]
plugin = "p"
weight = "high"
)", "tasks.toml");
  EXPECT_DOUBLE_EQ(c.find("on")->normalised_weight, 1.0);
  EXPECT_DOUBLE_EQ(c.find("off")->normalised_weight, 0.0);
  EXPECT_DOUBLE_EQ(c.find("broken")->normalised_weight, 0.0);
}

TEST(TaskCatalog, WrongTypeNamesFileLineKeyValueAndExpectation) {
  auto c = parse_task_catalog("[tasks.chat-tiny]\nplugin = \"llm\"\nweight = \"high\"\n", "tasks.toml");
  EXPECT_EQ(c.find("chat-tiny")->error,
            "tasks.toml:3: task \"chat-tiny\" key \"weight\": expected a number >= 0, got \"high\"");
}

TEST(TaskCatalog, NegativeAndZeroValuesAreRefused) {
  auto c = parse_task_catalog("[tasks.t]\nplugin = \"p\"\nvolume_per_request = 0\n", "f.toml");
  EXPECT_EQ(c.find("t")->error, "f.toml:3: task \"t\" key \"volume_per_request\": expected a number > 0, got 0");
  c = parse_task_catalog("[tasks.t]\nplugin = \"p\"\nmax_capacity = -5\n", "f.toml");
  EXPECT_EQ(c.find("t")->error, "f.toml:3: task \"t\" key \"max_capacity\": expected a number >= 0, got -5");
}

TEST(TaskCatalog, MissingPluginAndBadKindAndEndpoint) {
  auto c = parse_task_catalog("[tasks.t]\nweight = 1\n", "f.toml");
  EXPECT_EQ(c.find("t")->error,
            "f.toml:1: task \"t\": missing key \"plugin\" (a plugin name such as \"llm\", or a path to a .so)");
  c = parse_task_catalog("[tasks.t]\nplugin = \"p\"\nkind = \"video\"\n", "f.toml");
  EXPECT_EQ(c.find("t")->error,
            "f.toml:3: task \"t\" key \"kind\": expected one of \"text\", \"image\", \"embedding\", \"workflow\", got \"video\"");
  c = parse_task_catalog("[tasks.t]\nplugin = \"p\"\nendpoint = \"v1/x\"\n", "f.toml");
  EXPECT_EQ(c.find("t")->error, "f.toml:3: task \"t\" key \"endpoint\": expected a path starting with \"/\", got \"v1/x\"");
  c = parse_task_catalog("[tasks.t]\nplugin = \"p\"\nenabled = \"yes\"\n", "f.toml");
  EXPECT_EQ(c.find("t")->error, "f.toml:3: task \"t\" key \"enabled\": expected true or false, got \"yes\"");
}

TEST(TaskCatalog, PricesPerMillionTokensAreReadAndABadOneNamesFileLineAndKey) {
  auto c = parse_task_catalog("[tasks.t]\nplugin = \"p\"\nprice_per_million_input_tokens = 0.15\n"
                              "price_per_million_output_tokens = 0.6\n[tasks.free]\nplugin = \"p\"\n",
                              "tasks.toml");
  const auto* t = c.find("t");
  ASSERT_TRUE(t->error.empty()) << t->error;
  EXPECT_DOUBLE_EQ(t->price_per_million_input_tokens.value_or(-1), 0.15);
  EXPECT_DOUBLE_EQ(t->price_per_million_output_tokens.value_or(-1), 0.6);
  EXPECT_EQ(t->plugin_config_json.find("price"), std::string::npos) << "a catalogue key, not the plugin's";
  EXPECT_FALSE(c.find("free")->price_per_million_input_tokens.has_value());

  c = parse_task_catalog("[tasks.t]\nplugin = \"p\"\nprice_per_million_input_tokens = \"cheap\"\n"
                         "price_per_million_output_tokens = 1\n", "tasks.toml");
  EXPECT_EQ(c.find("t")->error,
            "tasks.toml:3: task \"t\" key \"price_per_million_input_tokens\": expected a number >= 0, got \"cheap\"");
  c = parse_task_catalog("[tasks.t]\nplugin = \"p\"\nprice_per_million_input_tokens = 1\n"
                         "price_per_million_output_tokens = -2\n", "tasks.toml");
  EXPECT_EQ(c.find("t")->error,
            "tasks.toml:4: task \"t\" key \"price_per_million_output_tokens\": expected a number >= 0, got -2");
  c = parse_task_catalog("[tasks.t]\nplugin = \"p\"\nprice_per_million_input_tokens = 1\n", "tasks.toml");
  EXPECT_EQ(c.find("t")->error,
            "tasks.toml:1: task \"t\": missing key \"price_per_million_output_tokens\" (a price needs both "
            "price_per_million_input_tokens and price_per_million_output_tokens)");
}

TEST(TaskCatalog, OneBadEntryDoesNotSpoilTheOthers) {
  auto c = parse_task_catalog("[tasks.bad]\nplugin = 5\n[tasks.good]\nplugin = \"p\"\n", "f.toml");
  EXPECT_FALSE(c.find("bad")->error.empty());
  EXPECT_TRUE(c.find("good")->error.empty());
  EXPECT_DOUBLE_EQ(c.find("good")->normalised_weight, 1.0);
}

TEST(TaskCatalog, SyntaxErrorsAndShapeErrorsAreFatalWithPosition) {
  try {
    parse_task_catalog("[tasks.t]\nplugin = \n", "f.toml");
    FAIL() << "expected CatalogError";
  } catch (const CatalogError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("f.toml:2:", 0), 0u) << e.what();
    EXPECT_NE(std::string(e.what()).find("not valid TOML"), std::string::npos);
  }
  EXPECT_THROW(parse_task_catalog("title = \"x\"\n", "f.toml"), CatalogError);
  EXPECT_THROW(parse_task_catalog("tasks = 5\n", "f.toml"), CatalogError);
  try {
    parse_task_catalog("[tasks.t]\nplugin = \"p\"\n[other]\nx = 1\n", "f.toml");
    FAIL();
  } catch (const CatalogError& e) {
    EXPECT_STREQ(e.what(), "f.toml:3: unknown top-level key \"other\"; tasks.toml holds only [tasks.<name>] tables");
  }
  EXPECT_THROW(nineteen::config::load_task_catalog("/nonexistent/tasks.toml"), CatalogError);
}
