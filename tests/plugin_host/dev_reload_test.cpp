// Dev reload with calls in flight: old calls finish on the old code, new calls get the new code, and a
// broken update leaves the previous version serving.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "host_fixture.hpp"
#include "nineteen/plugin_host/live_task.hpp"

using namespace host_test;
using namespace std::chrono_literals;

namespace {

// Replaces the plugin file in place, as a rebuild does (same path, new bytes).
void install(const fs::path& from, const fs::path& to) {
  fs::copy_file(from, to, fs::copy_options::overwrite_existing);
  // A distinct mtime even on coarse clocks, so the watcher sees every change.
  static auto tick = fs::file_time_type::clock::now();
  tick += 2s;
  fs::last_write_time(to, tick);
}

const char* kCatalogue = "[tasks.echo]\nplugin = \"versioned\"\ndelay_ms = 400\n";

}  // namespace

TEST(DevReload, InFlightCallsFinishOnOldCodeNewCallsGetNewCode) {
  TempDir dir;
  fs::path plugin = dir.path() / "nineteen_plugin_versioned.so";
  install(fixture("versioned_v1"), plugin);
  auto host = host_with(dir, kCatalogue, /*dev_reload=*/true);
  ASSERT_EQ(status_of(*host, "echo").state, TaskState::ready) << status_of(*host, "echo").reason;

  // A slow call starts on version 1...
  auto in_flight = std::async(std::launch::async, [&] { return host->task("echo")->serve_collect(R"({"text":"old"})"); });
  std::this_thread::sleep_for(100ms);

  // ...version 2 is built over the same file and reloaded while it runs.
  install(fixture("versioned_v2"), plugin);
  auto result = host->reload(plugin);
  ASSERT_TRUE(result.reloaded) << result.message;
  EXPECT_EQ(status_of(*host, "echo").generation, 2u);
  EXPECT_EQ(status_of(*host, "echo").plugin_version, "2.0.0");

  EXPECT_EQ(host->task("echo")->serve_collect(R"({"text":"new"})"), R"([{"v2":"new"}])");
  EXPECT_EQ(in_flight.get(), R"([{"v1":"old"}])");

  // A broken version 3 fails its self-test: version 2 keeps serving.
  install(fixture("versioned_v3"), plugin);
  result = host->reload(plugin);
  EXPECT_FALSE(result.reloaded);
  EXPECT_NE(result.message.find("failed its self-test: fixture: version 3 is broken"), std::string::npos) << result.message;
  EXPECT_NE(result.message.find("the previous version keeps serving"), std::string::npos);
  EXPECT_EQ(host->task("echo")->serve_collect(R"({"text":"still"})"), R"([{"v2":"still"}])");
  EXPECT_EQ(status_of(*host, "echo").generation, 2u);

  // Garbage bytes (a half-written file) are refused the same way.
  std::ofstream(plugin, std::ios::trunc) << "not a library";
  result = host->reload(plugin);
  EXPECT_FALSE(result.reloaded);
  EXPECT_EQ(host->task("echo")->serve_collect(R"({"text":"x"})"), R"([{"v2":"x"}])");
}

TEST(DevReload, TheWatcherReloadsAChangedFile) {
  TempDir dir;
  fs::path plugin = dir.path() / "nineteen_plugin_versioned.so";
  install(fixture("versioned_v1"), plugin);
  auto host = host_with(dir, "[tasks.echo]\nplugin = \"versioned\"\n", /*dev_reload=*/true);
  ASSERT_EQ(host->task("echo")->serve_collect(R"({"text":"a"})"), R"([{"v1":"a"}])");
  host->start_watching(20ms);
  install(fixture("versioned_v2"), plugin);
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (status_of(*host, "echo").generation < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  host->stop_watching();
  EXPECT_EQ(host->task("echo")->serve_collect(R"({"text":"b"})"), R"([{"v2":"b"}])");
}

TEST(DevReload, AFixedPluginComesIntoServiceAfterAFailedStart) {
  TempDir dir;
  fs::path plugin = dir.path() / "nineteen_plugin_versioned.so";
  install(fixture("versioned_v3"), plugin);
  auto host = host_with(dir, "[tasks.echo]\nplugin = \"versioned\"\n", /*dev_reload=*/true);
  EXPECT_EQ(status_of(*host, "echo").state, TaskState::failed);
  install(fixture("versioned_v1"), plugin);
  ASSERT_TRUE(host->reload(plugin).reloaded);
  EXPECT_EQ(status_of(*host, "echo").state, TaskState::ready);
  EXPECT_EQ(host->task("echo")->serve_collect(R"({"text":"a"})"), R"([{"v1":"a"}])");
}

TEST(DevReload, ReloadNeedsDevMode) {
  TempDir dir;
  fs::path plugin = dir.path() / "nineteen_plugin_versioned.so";
  install(fixture("versioned_v1"), plugin);
  auto host = host_with(dir, "[tasks.echo]\nplugin = \"versioned\"\n", /*dev_reload=*/false);
  EXPECT_FALSE(host->reload(plugin).reloaded);
}
