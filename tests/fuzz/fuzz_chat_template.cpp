// Fuzz target: a model folder's chat template (text::ChatTemplate::from_model_dir reads
// tokenizer_config.json, or chat_template.jinja beside it), then rendering a conversation with it.
// The input is tokenizer_config.json, then optionally a NUL byte and chat_template.jinja.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "nineteen/sdk/error.hpp"
#include "nineteen/text/chat_template.hpp"

namespace fs = std::filesystem;
namespace text = nineteen::text;

namespace {

// Memory-backed where there is one: the target writes a file per run.
fs::path scratch_dir() { return fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path(); }

}  // namespace

namespace {

const fs::path& model_dir() {
  static const fs::path dir = [] {
    fs::path d = scratch_dir() / ("nineteen-fuzz-chat-template-" + std::to_string(::getpid()));
    fs::create_directories(d);
    return d;
  }();
  // Registered once `dir` is built, so it runs before `dir` is destroyed.
  static const bool removed_at_exit = std::atexit([] {
    std::error_code ignored;
    fs::remove_all(model_dir(), ignored);
  }) == 0;
  (void)removed_at_exit;
  return dir;
}

void write_file(const fs::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t nul = input.find('\0');
  write_file(model_dir() / "tokenizer_config.json", input.substr(0, nul));
  std::error_code ignored;
  if (nul == std::string_view::npos) {
    fs::remove(model_dir() / "chat_template.jinja", ignored);
  } else {
    write_file(model_dir() / "chat_template.jinja", input.substr(nul + 1));
  }
  try {
    const text::ChatTemplate chat = text::ChatTemplate::from_model_dir(model_dir().string());
    chat.render({{"system", "Be brief."}, {"user", "  Hi <|eot_id|> there \n"}, {"assistant", "Hello."}});
    chat.render({{"user", ""}}, false);
  } catch (const nineteen::sdk::Error&) {
  }
  return 0;
}
