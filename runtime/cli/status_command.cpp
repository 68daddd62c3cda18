// `nineteen status URL [--json]`: a node's status page in a terminal, read from its GET /status.json
// (a validator's gateway or a miner), so the terminal shows the facts the page shows.
#include <iostream>

#include "commands.hpp"
#include "nineteen/net/http_client.hpp"
#include "nineteen/net/status_report.hpp"

namespace nineteen::cli {

int status_command(const std::vector<std::string>& args) {
  const char* usage =
      "usage: nineteen status URL [--json]\n"
      "  URL     a validator's gateway or a miner, e.g. http://127.0.0.1:8080 (its GET /status.json is read)\n"
      "  --json  print the JSON as the node sent it, for scripts\n";
  if (print_help_if_asked(args, usage)) return 0;
  CommandLine cl(args, {"json"});
  cl.allow_only({"json"}, usage);
  if (cl.positional().size() != 1) throw UsageError(std::string("expected one URL\n") + usage);
  std::string base = cl.positional().front();
  while (!base.empty() && base.back() == '/') base.pop_back();
  const std::string url = base + "/status.json";

  net::HttpClient client;
  net::ClientRequest request;
  request.url = url;
  net::ClientResult result = client.send(request);
  if (!result.ok()) throw std::runtime_error("cannot read the status: " + result.error_message);
  if (result.status != 200) {
    throw std::runtime_error(url + " answered " + std::to_string(result.status) + ": " + result.body.substr(0, 300));
  }
  net::StatusReport report = net::parse_status_report_json(result.body);  // checked even for --json
  if (cl.flag("json")) {
    std::cout << result.body << "\n";
  } else {
    std::cout << net::render_status_report_text(report);
  }
  return 0;
}

}  // namespace nineteen::cli
