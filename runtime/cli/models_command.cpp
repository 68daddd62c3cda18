// `nineteen models ...`: runs the model toolkit's program (nineteen-models, beside this binary), so
// that the host itself never links libtorch.
#include <unistd.h>

#include <filesystem>

#include "commands.hpp"

namespace nineteen::cli {

int models_command(const std::vector<std::string>& args) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path tool = fs::read_symlink("/proc/self/exe", ec).parent_path() / "nineteen-models";
  if (ec || !fs::exists(tool)) {
    throw UsageError("the model toolkit program was not found at " + tool.string() +
                     " (it is built when NINETEEN_WITH_TORCH is ON)");
  }
  std::vector<std::string> argv_storage;
  argv_storage.push_back(tool.string());
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::execv(tool.c_str(), argv.data());
  throw std::runtime_error("cannot run " + tool.string());
}

}  // namespace nineteen::cli
