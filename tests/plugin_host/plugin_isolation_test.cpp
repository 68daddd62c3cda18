// Plugin isolation (issue 17, item 2) against real worker processes of the real `nineteen` binary:
// a plugin that crashes, aborts, throws across the ABI, hangs or leaks costs only the calls in flight
// on its own worker; other plugins keep serving; the task serves again after the worker's restart.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <future>
#include <thread>

#include "host_fixture.hpp"
#include "nineteen/plugin_host/live_task.hpp"

using namespace host_test;
using namespace std::chrono_literals;
using nineteen::plugin_host::CallControl;
using nineteen::plugin_host::LiveTask;
using nineteen::plugin_host::PluginHost;
using nineteen::plugin_host::PluginHostOptions;
using nineteen::plugin_host::TaskCallError;

namespace {

const char* kCatalogue = R"(
[tasks.crashy]
plugin = "fixture_crashes"
[tasks.reverse-words]
plugin = "text_transform"
mode = "reverse"
)";

PluginHostOptions isolated_options(const TempDir& dir, bool dev_reload = false) {
  PluginHostOptions options;
  options.search_dirs = {dir.path(), SHIPPED_PLUGIN_DIR, FIXTURE_PLUGIN_DIR};
  options.dev_reload = dev_reload;
  options.isolation.process = true;
  options.isolation.worker_executable = NINETEEN_BINARY;
  options.isolation.memory_limit_mb = 200;
  options.isolation.cancel_grace_s = 0.5;
  options.isolation.call_timeout_s = 5;
  return options;
}

std::unique_ptr<PluginHost> isolated_host(const TempDir& dir, const std::string& toml, bool dev_reload = false) {
  auto host = std::make_unique<PluginHost>(isolated_options(dir, dev_reload));
  host->load(nineteen::config::load_task_catalog(dir.write("tasks.toml", toml).string()));
  return host;
}

struct Outcome {
  int32_t code = 0;  // 0: served
  std::string text;  // the answer, or the error message
};

// Serves `text`; cancels the call after `cancel_after` (as the miner's deadline does) when given.
Outcome serve(LiveTask& task, const std::string& text, std::chrono::milliseconds cancel_after = 0ms) {
  CallControl control;
  std::thread canceller;
  if (cancel_after.count() > 0) {
    canceller = std::thread([&] {
      std::this_thread::sleep_for(cancel_after);
      control.cancelled = true;
    });
  }
  Outcome out;
  std::string body;
  try {
    task.serve("{\"text\":\"" + text + "\"}", [&](std::string_view chunk) {
      body.append(chunk.data(), chunk.size());
      return true;
    }, &control);
    out.text = body;
  } catch (const TaskCallError& e) {
    out.code = e.code();
    out.text = e.what();
  }
  if (canceller.joinable()) canceller.join();
  return out;
}

// Polls until the task answers `hello` again (the worker restarted and re-created it).
bool serves_again(PluginHost& host, const std::string& name) {
  for (auto deadline = std::chrono::steady_clock::now() + 30s; std::chrono::steady_clock::now() < deadline;) {
    if (auto task = host.task(name)) {
      Outcome o = serve(*task, "hello");
      if (o.code == 0) return o.text == R"({"echo":"hello"})";
      EXPECT_EQ(o.code, NT_UNAVAILABLE) << o.text;
      EXPECT_NE(o.text.find("restarting"), std::string::npos) << o.text;
    }
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

}  // namespace

TEST(PluginIsolation, EachCrashKindFailsItsCallOthersServeAndTheTaskComesBack) {
  TempDir dir;
  auto host = isolated_host(dir, kCatalogue);
  ASSERT_EQ(status_of(*host, "crashy").state, TaskState::ready) << status_of(*host, "crashy").reason;
  ASSERT_EQ(status_of(*host, "reverse-words").state, TaskState::ready) << status_of(*host, "reverse-words").reason;
  auto other = host->task("reverse-words");
  const int other_pid = other->library().worker_pid();
  ASSERT_GT(other_pid, 0);
  ASSERT_NE(other_pid, host->task("crashy")->library().worker_pid()) << "one worker per plugin";
  ASSERT_NE(other_pid, ::getpid());

  struct Kind {
    const char* text;
    const char* says;
    std::chrono::milliseconds cancel_after;
  };
  const Kind kinds[] = {
      {"segv", "died of SIGSEGV; restarting it", 0ms},
      {"abort", "died of SIGABRT; restarting it", 0ms},
      {"hang", "hung: a serve call did not return within 0.5 s of its cancellation", 200ms},
      {"leak", "over its limit of 200 MiB (plugin_memory_limit_mb)", 0ms},
  };
  unsigned restarts = 0;
  for (const Kind& kind : kinds) {
    SCOPED_TRACE(kind.text);
    auto crashy = host->task("crashy");
    const int pid = crashy->library().worker_pid();
    Outcome o = serve(*crashy, kind.text, kind.cancel_after);
    EXPECT_EQ(o.code, NT_UNAVAILABLE) << o.text;
    EXPECT_NE(o.text.find("the plugin worker for crashes (nineteen_plugin_fixture_crashes.so) (pid " +
                          std::to_string(pid) + ")"),
              std::string::npos)
        << o.text;
    EXPECT_NE(o.text.find(kind.says), std::string::npos) << o.text;
    // Another plugin's task is untouched: same worker, still serving.
    Outcome fine = serve(*other, "abc de");
    EXPECT_EQ(fine.code, 0) << fine.text;
    EXPECT_EQ(other->library().worker_pid(), other_pid);
    // The crashed task serves again by itself, from a new worker.
    EXPECT_TRUE(serves_again(*host, "crashy"));
    EXPECT_NE(crashy->library().worker_pid(), pid);
    EXPECT_EQ(crashy->library().worker_restarts(), ++restarts);
  }
  EXPECT_EQ(::kill(other_pid, 0), 0);
}

TEST(PluginIsolation, AThrowAcrossTheAbiIsAnErrorAndTheWorkerStays) {
  TempDir dir;
  auto host = isolated_host(dir, kCatalogue);
  auto crashy = host->task("crashy");
  ASSERT_TRUE(crashy);
  const int pid = crashy->library().worker_pid();
  Outcome o = serve(*crashy, "throw");
  EXPECT_EQ(o.code, NT_INTERNAL) << o.text;
  EXPECT_EQ(o.text, "the plugin threw an exception across the ABI: fixture: thrown across the ABI");
  EXPECT_EQ(serve(*crashy, "hello").text, R"({"echo":"hello"})");
  EXPECT_EQ(crashy->library().worker_pid(), pid);
  EXPECT_EQ(crashy->library().worker_restarts(), 0u);
}

TEST(PluginIsolation, ACrashingCheckIsAFailedCheckAndCheckingResumes) {
  TempDir dir;
  PluginHostOptions options = isolated_options(dir);
  options.isolation.call_timeout_s = 3;  // a check running longer is a hang
  PluginHost host_object(options);
  host_object.load(nineteen::config::load_task_catalog(dir.write("tasks.toml", kCatalogue).string()));
  PluginHost* host = &host_object;
  auto crashy = host->task("crashy");
  ASSERT_TRUE(crashy);
  const std::vector<std::string> good_request = {R"({"text":"hi"})"}, good_answer = {R"([{"echo":"hi"}])"};
  EXPECT_EQ(crashy->check(good_request, good_answer)[0].quality, 1.0);
  const std::pair<const char*, const char*> kinds[] = {
      {"abort", "died of SIGABRT"},
      {"segv", "died of SIGSEGV"},
      {"leak", "over its limit of 200 MiB"},
      {"hang", "hung: a task_check call did not return within 3 s (plugin_call_timeout_s)"},
  };
  for (const auto& [kind, says] : kinds) {
    SCOPED_TRACE(kind);
    try {
      crashy->check({std::string("{\"text\":\"") + kind + "\"}"}, {"[]"});
      ADD_FAILURE() << "the check returned";
    } catch (const TaskCallError& e) {
      EXPECT_EQ(e.code(), NT_UNAVAILABLE);
      EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
    }
    EXPECT_TRUE(serves_again(*host, "crashy"));
    EXPECT_EQ(crashy->check(good_request, good_answer)[0].quality, 1.0);
  }
}

TEST(PluginIsolation, EveryCallInFlightOnTheDeadWorkerFailsAtOnce) {
  TempDir dir;
  auto host = isolated_host(dir, kCatalogue);
  auto crashy = host->task("crashy");
  ASSERT_TRUE(crashy);
  // Two calls hang (never cancelled), then a third crashes the worker: all three fail together.
  auto hung1 = std::async(std::launch::async, [&] { return serve(*crashy, "hang"); });
  auto hung2 = std::async(std::launch::async, [&] { return serve(*crashy, "hang"); });
  std::this_thread::sleep_for(200ms);
  Outcome crashed = serve(*crashy, "segv");
  for (Outcome o : {crashed, hung1.get(), hung2.get()}) {
    EXPECT_EQ(o.code, NT_UNAVAILABLE) << o.text;
    EXPECT_NE(o.text.find("died of SIGSEGV"), std::string::npos) << o.text;
  }
  EXPECT_TRUE(serves_again(*host, "crashy"));
}

TEST(PluginIsolation, AWorkflowInvokesATaskInAnotherWorker) {
  TempDir dir;
  auto host = isolated_host(dir, R"(
[tasks.a-workflow]
plugin = "fixture_invoker"
target = "z-reverse"
[tasks.z-reverse]
plugin = "text_transform"
[tasks.loop]
plugin = "fixture_invoker"
target = "loop"
)");
  ASSERT_EQ(status_of(*host, "a-workflow").state, TaskState::ready) << status_of(*host, "a-workflow").reason;
  EXPECT_NE(host->task("a-workflow")->library().worker_pid(), host->task("z-reverse")->library().worker_pid());
  EXPECT_EQ(host->task("a-workflow")->serve_collect(R"({"text":"ab","stream":true})"),
            R"([{"via":"z-reverse","inner":[{"index":0,"word":"ba"},{"done":true,"words":1}]}])");
  // The depth limit holds across the process boundary too.
  EXPECT_NE(status_of(*host, "loop").reason.find("nested deeper than 8 calls"), std::string::npos)
      << status_of(*host, "loop").reason;
}

TEST(PluginIsolation, DevReloadStartsANewWorkerAndTheOldOneEnds) {
  TempDir dir;
  fs::path plugin = dir.path() / "nineteen_plugin_versioned.so";
  fs::copy_file(fixture("versioned_v1"), plugin);
  auto host = isolated_host(dir, "[tasks.echo]\nplugin = \"versioned\"\n", /*dev_reload=*/true);
  ASSERT_EQ(status_of(*host, "echo").state, TaskState::ready) << status_of(*host, "echo").reason;
  const int old_pid = host->task("echo")->library().worker_pid();
  EXPECT_EQ(host->task("echo")->serve_collect(R"({"text":"a"})"), R"([{"v1":"a"}])");
  fs::copy_file(fixture("versioned_v2"), plugin, fs::copy_options::overwrite_existing);
  auto result = host->reload(plugin);
  ASSERT_TRUE(result.reloaded) << result.message;
  EXPECT_EQ(host->task("echo")->serve_collect(R"({"text":"b"})"), R"([{"v2":"b"}])");
  EXPECT_NE(host->task("echo")->library().worker_pid(), old_pid);
  // The old task had no call in flight: its library closed and its worker ended.
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = ::kill(old_pid, 0) != 0;
    if (!gone) std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(gone) << "worker " << old_pid << " still runs";
}

TEST(PluginIsolation, AWorkerThatCannotStartIsAClearLoadError) {
  TempDir dir;
  PluginHostOptions options = isolated_options(dir);
  options.isolation.worker_executable = dir.path() / "no-such-nineteen";
  PluginHost host(options);
  host.load(nineteen::config::load_task_catalog(dir.write("tasks.toml", kCatalogue).string()));
  EXPECT_EQ(status_of(host, "crashy").state, TaskState::failed);
  EXPECT_NE(status_of(host, "crashy").reason.find("no-such-nineteen is not there"), std::string::npos)
      << status_of(host, "crashy").reason;
}
