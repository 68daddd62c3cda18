// The checker's settings file: defaults, every key read, and errors that name the file, line and key.
#include <gtest/gtest.h>

#include "nineteen/checker/checker_config.hpp"

using nineteen::checker::CheckerConfigError;
using nineteen::checker::parse_checker_config;

namespace {

std::string error_of(const std::string& toml) {
  try {
    parse_checker_config(toml, "/etc/nineteen/checker.toml");
  } catch (const CheckerConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(CheckerConfig, DefaultsAndPathsBesideTheFile) {
  auto c = parse_checker_config("[checker]\n", "/etc/nineteen/checker.toml");
  EXPECT_EQ(c.address, "127.0.0.1");
  EXPECT_EQ(c.port, 0);
  EXPECT_EQ(c.tasks_file, "/etc/nineteen/tasks.toml");
  EXPECT_TRUE(c.plugin_dirs.empty());
  EXPECT_EQ(c.settings.workers, 1);
  EXPECT_EQ(c.settings.max_queued_items, 1024u);
  EXPECT_EQ(c.settings.max_batch, 16u);
  EXPECT_EQ(c.settings.max_attempts, 3);
  EXPECT_EQ(c.settings.result_ttl.count(), 3600);
}

TEST(CheckerConfig, ReadsEveryKey) {
  auto c = parse_checker_config(R"([checker]
address = "0.0.0.0"
port = 8093
tasks_file = "catalogue/tasks.toml"
plugins = "/opt/plugins"
tasks = ["reverse-words", "chat"]
workers = 4
max_queued_items = 64
max_batch = 8
max_attempts = 5
result_ttl_s = 60
retry_delay_ms = 250
handler_threads = 3
max_body_bytes = 1048576
)",
                                "/srv/checker.toml");
  EXPECT_EQ(c.address, "0.0.0.0");
  EXPECT_EQ(c.port, 8093);
  EXPECT_EQ(c.tasks_file, "/srv/catalogue/tasks.toml");
  ASSERT_EQ(c.plugin_dirs.size(), 1u);
  EXPECT_EQ(c.plugin_dirs[0], "/opt/plugins");
  EXPECT_EQ(c.only_tasks, (std::vector<std::string>{"reverse-words", "chat"}));
  EXPECT_EQ(c.settings.workers, 4);
  EXPECT_EQ(c.settings.max_queued_items, 64u);
  EXPECT_EQ(c.settings.max_batch, 8u);
  EXPECT_EQ(c.settings.max_attempts, 5);
  EXPECT_EQ(c.settings.result_ttl.count(), 60);
  EXPECT_EQ(c.settings.retry_delay.count(), 250);
  EXPECT_EQ(c.handler_threads, 3);
  EXPECT_EQ(c.max_body_bytes, 1048576u);
}

TEST(CheckerConfig, ErrorsNameTheFileLineKeyAndWhatWasExpected) {
  EXPECT_EQ(error_of("[checker]\nworkers = \"many\"\n"),
            "/etc/nineteen/checker.toml:2: key \"checker.workers\": expected a whole number from 1 to 1024, got \"many\"");
  EXPECT_EQ(error_of("[checker]\n\nmax_batch = 0\n"),
            "/etc/nineteen/checker.toml:3: key \"checker.max_batch\": expected a whole number from 1 to 100000, got 0");
  EXPECT_EQ(error_of("[checker]\nworkers = 1.5\n"),
            "/etc/nineteen/checker.toml:2: key \"checker.workers\": expected a whole number from 1 to 1024, got 1.5");
  EXPECT_NE(error_of("[checker]\nqueue = 3\n").find("unknown key \"checker.queue\" (known: address, port"),
            std::string::npos);
  EXPECT_EQ(error_of("[checker]\ntasks = \"chat\"\n"),
            "/etc/nineteen/checker.toml:2: key \"checker.tasks\": expected an array of task names, e.g. "
            "[\"reverse-words\"], got \"chat\"");
  EXPECT_EQ(error_of("[miner]\n"),
            "/etc/nineteen/checker.toml: no [checker] table (see runtime/checker/README.md for a checker.toml example)");
  EXPECT_NE(error_of("[checker\n").find("/etc/nineteen/checker.toml:1:"), std::string::npos);
  EXPECT_NE(error_of("[checker\n").find("not valid TOML"), std::string::npos);
  EXPECT_THROW(nineteen::checker::load_checker_config("/no/such/checker.toml"), CheckerConfigError);
}
