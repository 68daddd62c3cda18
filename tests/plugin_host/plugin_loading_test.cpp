// Loading real plugin libraries: the good ones load, each broken fixture is refused with its reason.
#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>
#include <utility>

#include "host_fixture.hpp"
#include "nineteen/plugin_host/live_task.hpp"
#include "nineteen/plugin_host/plugin_library.hpp"

using namespace host_test;
using nineteen::plugin_host::PluginError;
using nineteen::plugin_host::PluginLibrary;
using nineteen::plugin_host::TaskCallError;

namespace {

std::string load_error(const fs::path& file) {
  try {
    PluginLibrary::load(file, {});
  } catch (const PluginError& e) {
    return e.what();
  }
  return "(loaded)";
}

}  // namespace

TEST(PluginLoading, ShippedPluginExportsOnlyTheEntrySymbol) {
  auto symbols = nineteen::plugin_host::exported_symbols(fs::path(SHIPPED_PLUGIN_DIR) / "nineteen_plugin_text_transform.so");
  EXPECT_EQ(symbols, std::vector<std::string>{"nineteen_plugin_entry"});
}

TEST(PluginLoading, WrongMajorIsRefusedNamingBothVersionsAndTheFile) {
  fs::path f = fixture("wrong_major");
  EXPECT_EQ(load_error(f), f.string() + ": plugin ABI 2.0 is not compatible with host ABI 1.1 (the major versions "
                                        "must be equal; rebuild the plugin against this host's SDK)");
}

TEST(PluginLoading, NewerMinorIsRefused) {
  fs::path f = fixture("newer_minor");
  EXPECT_EQ(load_error(f), f.string() + ": plugin ABI 1.7 is newer than host ABI 1.1 (upgrade the host, or "
                                        "rebuild the plugin against this host's SDK)");
}

TEST(PluginLoading, MissingEntrySymbolIsRefused) {
  fs::path f = fixture("no_entry");
  EXPECT_EQ(load_error(f), f.string() + ": does not export the entry symbol \"nineteen_plugin_entry\" (define it "
                                        "with NINETEEN_PLUGIN(...) from <nineteen/sdk/export.hpp>)");
}

TEST(PluginLoading, ExtraExportedSymbolsAreRefused) {
  fs::path f = fixture("extra_symbols");
  std::string error = load_error(f);
  EXPECT_EQ(error.rfind(f.string() + ": exports symbols besides \"nineteen_plugin_entry\": ", 0), 0u) << error;
  // The hand-written leak is named first, before the mangled C++ names.
  EXPECT_EQ(error.find("fixture_leaked_helper"), f.string().size() + std::string(": exports symbols besides \"nineteen_plugin_entry\": ").size()) << error;
  EXPECT_NE(error.find("(build it with nineteen_add_plugin(), which hides everything else)"), std::string::npos);
}

TEST(PluginLoading, EntryReturningAnErrorIsRefusedWithItsMessage) {
  fs::path f = fixture("entry_error");
  EXPECT_EQ(load_error(f), f.string() + ": the entry function failed: fixture: no GPU found");
}

TEST(PluginLoading, MissingFileAndNonLibrary) {
  EXPECT_EQ(load_error("/nonexistent/x.so"), "/nonexistent/x.so: no such plugin file");
  TempDir dir;
  fs::path junk = dir.write("junk.so", "this is not an ELF file");
  EXPECT_EQ(load_error(junk), junk.string() + ": not a loadable shared library (no ELF header; a half-written file?)");
}

TEST(PluginLoading, ThrowingTaskCreateBecomesAStatus) {
  TempDir dir;
  auto host = host_with(dir, "[tasks.t]\nplugin = \"fixture_init_throws\"\n");
  auto s = status_of(*host, "t");
  EXPECT_EQ(s.state, TaskState::failed);
  EXPECT_EQ(s.reason, dir.path().string() +
                          "/tasks.toml:1: task \"t\" (nineteen_plugin_fixture_init_throws.so): task_create: fixture: "
                          "model file is corrupt");
  EXPECT_EQ(host->task("t"), nullptr);
}

TEST(PluginLoading, TaskFailingItsSelfTestStaysOutOfService) {
  TempDir dir;
  auto host = host_with(dir, "[tasks.t]\nplugin = \"fixture_selftest_fails\"\n");
  auto s = status_of(*host, "t");
  EXPECT_EQ(s.state, TaskState::failed);
  EXPECT_EQ(s.reason,
            "task \"t\" failed its self-test: the task's own answer checked as 0.250000 (fixture: always 0.25)");
  EXPECT_EQ(host->task("t"), nullptr);
}

TEST(PluginLoading, OneBadPluginNeverStopsTheOthers) {
  TempDir dir;
  auto host = host_with(dir, R"(
[tasks.reverse]
plugin = "text_transform"
mode = "reverse"
[tasks.upper]
plugin = "text_transform"
mode = "upper"
[tasks.major]
plugin = "fixture_wrong_major"
[tasks.missing]
plugin = "does_not_exist"
[tasks.badmode]
plugin = "text_transform"
mode = "sideways"
[tasks.off]
plugin = "fixture_entry_error"
enabled = false
)");
  EXPECT_EQ(status_of(*host, "reverse").state, TaskState::ready);
  EXPECT_EQ(status_of(*host, "upper").state, TaskState::ready);
  EXPECT_EQ(status_of(*host, "major").state, TaskState::failed);
  EXPECT_EQ(status_of(*host, "off").state, TaskState::disabled);
  auto missing = status_of(*host, "missing");
  EXPECT_EQ(missing.state, TaskState::failed);
  EXPECT_EQ(missing.reason, "plugin \"does_not_exist\" not found; searched: " +
                                (dir.path() / "nineteen_plugin_does_not_exist.so").string() + ", " +
                                SHIPPED_PLUGIN_DIR "/nineteen_plugin_does_not_exist.so, " +
                                FIXTURE_PLUGIN_DIR "/nineteen_plugin_does_not_exist.so");
  EXPECT_EQ(status_of(*host, "badmode").reason,
            dir.path().string() +
                "/tasks.toml:12: task \"badmode\" (nineteen_plugin_text_transform.so): key \"mode\": expected one of "
                "\"reverse\", \"upper\", \"rot13\", got \"sideways\"");

  // Two tasks from one library, configured differently, both serve.
  EXPECT_EQ(host->task("reverse")->serve_collect(R"({"text":"abc de","stream":true})"),
            R"([{"index":0,"word":"cba"},{"index":1,"word":"ed"},{"done":true,"words":2}])");
  EXPECT_EQ(host->task("upper")->serve_collect(R"({"text":"abc de","stream":true})"),
            R"([{"index":0,"word":"ABC"},{"index":1,"word":"DE"},{"done":true,"words":2}])");
}

// Issue 20: `wieght = 0.3` went to the plugin as config, and the task ran with weight 1.
TEST(PluginLoading, TaskStateNamesRoundTripAndUnknownTextIsRefused) {
  using nineteen::plugin_host::parse_task_state;
  using nineteen::plugin_host::task_state_name;
  const std::pair<TaskState, std::string> names[] = {{TaskState::loading, "loading"},
                                                     {TaskState::loaded, "loaded"},
                                                     {TaskState::ready, "ready"},
                                                     {TaskState::failed, "failed"},
                                                     {TaskState::disabled, "disabled"}};
  for (const auto& [state, name] : names) {
    EXPECT_EQ(task_state_name(state), name);
    EXPECT_EQ(parse_task_state(name), state) << name;
    std::ostringstream streamed;
    streamed << state;
    EXPECT_EQ(streamed.str(), name);
  }
  for (const std::string text : {"", "Ready", "ready ", "serving", "unknown"}) {
    try {
      parse_task_state(text);
      ADD_FAILURE() << "accepted \"" << text << "\"";
    } catch (const std::invalid_argument& e) {
      EXPECT_EQ(std::string(e.what()), "unknown task state \"" + text +
                                           "\" (a task's state is one of: loading, loaded, ready, failed, disabled)");
    }
  }
}

TEST(PluginLoading, AMisspeltKeyKeepsTheTaskOutNamingFileTaskAndTheKeyMeant) {
  TempDir dir;
  auto host = host_with(dir, R"(
[tasks.typo]
plugin = "text_transform"
mode = "upper"
wieght = 0.3
[tasks.fine]
plugin = "text_transform"
weight = 0.3
)");
  auto typo = status_of(*host, "typo");
  EXPECT_EQ(typo.state, TaskState::failed);
  EXPECT_EQ(typo.reason, dir.path().string() +
                             "/tasks.toml:2: task \"typo\" (nineteen_plugin_text_transform.so): unknown key \"wieght\" "
                             "(known: type, mode, max_words, word_delay_ms, lazy, stop_early); did you mean `weight` (a "
                             "key of the task catalogue)?");
  EXPECT_EQ(host->task("typo"), nullptr);
  EXPECT_EQ(status_of(*host, "fine").state, TaskState::ready);
}

TEST(PluginLoading, CatalogueKeysMustAgreeWithTheDescriptor) {
  TempDir dir;
  auto host = host_with(dir, "[tasks.t]\nplugin = \"text_transform\"\nendpoint = \"/v1/other\"\n");
  EXPECT_EQ(status_of(*host, "t").reason,
            dir.path().string() + "/tasks.toml:1: task \"t\" key \"endpoint\" is \"/v1/other\" but the plugin "
                                  "describes \"/v1/text/transform\" (remove the key or make them agree)");
}

TEST(PluginLoading, PluginByRelativePathFromTheCatalogue) {
  TempDir dir;
  fs::copy_file(fs::path(SHIPPED_PLUGIN_DIR) / "nineteen_plugin_text_transform.so", dir.path() / "mine.so");
  auto host = host_with(dir, "[tasks.t]\nplugin = \"./mine.so\"\n");
  EXPECT_EQ(status_of(*host, "t").state, TaskState::ready) << status_of(*host, "t").reason;
}

TEST(PluginLoading, BadRequestsAreErrorsNotCrashes) {
  TempDir dir;
  auto host = host_with(dir, "[tasks.t]\nplugin = \"text_transform\"\nmax_words = 3\n");
  auto task = host->task("t");
  ASSERT_NE(task, nullptr);
  auto code_of = [&](const std::string& request) {
    try {
      task->serve_collect(request);
    } catch (const TaskCallError& e) {
      return std::string(nineteen::plugin_host::code_name(e.code())) + ": " + e.what();
    }
    return std::string("answered");
  };
  EXPECT_EQ(code_of("{\"text\": 5}"), "invalid_argument: request key \"text\": expected a string, got 5");
  EXPECT_EQ(code_of("{"), "invalid_argument: request: invalid JSON at byte 1: Missing a name for object member.");
  EXPECT_EQ(code_of("{\"text\":\"a b c d\"}"),
            "invalid_argument: request key \"text\": 4 words, more than this task's max_words 3");
}

TEST(PluginLoading, AWorkflowCallsAnotherTaskThroughTheHost) {
  TempDir dir;
  // The workflow sorts before its target, so this also shows load order does not matter.
  auto host = host_with(dir, R"(
[tasks.a-workflow]
plugin = "fixture_invoker"
target = "z-reverse"
[tasks.z-reverse]
plugin = "text_transform"
[tasks.loop]
plugin = "fixture_invoker"
target = "loop"
[tasks.to-nowhere]
plugin = "fixture_invoker"
target = "nothing"
)");
  ASSERT_EQ(status_of(*host, "a-workflow").state, TaskState::ready) << status_of(*host, "a-workflow").reason;
  EXPECT_EQ(host->task("a-workflow")->serve_collect(R"({"text":"ab","stream":true})"),
            R"([{"via":"z-reverse","inner":[{"index":0,"word":"ba"},{"done":true,"words":1}]}])");
  EXPECT_EQ(status_of(*host, "to-nowhere").reason,
            "task \"to-nowhere\" failed its self-test: invoke: no task \"nothing\" is loaded (enable it "
            "in tasks.toml)");
  // A task invoking itself is stopped at the depth limit instead of recursing forever.
  EXPECT_NE(status_of(*host, "loop").reason.find("nested deeper than 8 calls"), std::string::npos)
      << status_of(*host, "loop").reason;
}
