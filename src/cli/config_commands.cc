// medai config print, medai migrate, medai version.
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "storage/data_dir.h"

namespace medai::cli {

void add_config_commands(CLI::App& app) {
  auto flags = std::make_shared<ConfigFlags>();
  auto* config = app.add_subcommand("config", "Inspect the configuration");
  config->require_subcommand(1);
  auto* print = config->add_subcommand("print", "Print the effective configuration (defaults < file < MEDAI_* "
                                                "environment < flags) as JSON");
  flags->add_to(*print);
  print->callback([flags] {
    auto c = flags->load();
    if (!c) fail(c.status());
    std::cout << config_to_json(*c).dump(2) << "\n";
  });

  auto mflags = std::make_shared<ConfigFlags>();
  auto* migrate = app.add_subcommand("migrate", "Apply pending catalog migrations and list the applied ones");
  mflags->add_to(*migrate);
  migrate->callback([mflags] {
    auto c = mflags->load();
    if (!c) fail(c.status());
    auto data = storage::open_data_dir(*c, /*migrate=*/false);
    if (!data) fail(data.status());
    if (Status s = data->catalog->migrate(); !s) fail(s);
    auto applied = data->catalog->applied_migrations();
    if (!applied) fail(applied.status());
    for (const auto& m : *applied) std::cout << m.version << "  " << m.name << "\n";
  });

  auto* version = app.add_subcommand("version", "Print the version");
  version->callback([] { std::cout << "medai " << MEDAI_VERSION << "\n"; });
}

}  // namespace medai::cli
