// Commands that talk to a running server with --server/--token.
#include <iostream>
#include <memory>

#include "cli/api_client.h"
#include "cli/commands.h"

namespace medai::cli {

void add_client_commands(CLI::App& app) {
  auto flags = std::make_shared<ServerFlags>();
  auto* whoami = app.add_subcommand("whoami", "Show the user, institution and roles behind a token");
  flags->add_to(*whoami);
  whoami->callback([flags] {
    ApiClient client(flags->server, flags->token);
    auto me = client.call("GET", "/api/v1/me");
    if (!me) fail(me.status());
    std::cout << me->dump(2) << "\n";
  });
}

}  // namespace medai::cli
