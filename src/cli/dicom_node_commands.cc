// medai dicom nodes add|list|remove: remote DICOM nodes on a data folder
// (server running or not), as the local operator (platform administrator).
// The same records are managed over REST at /api/v1/dicom-nodes.
#include <iostream>
#include <memory>

#include "access/directory.h"
#include "cli/commands.h"
#include "core/phi.h"
#include "dicom/remote_nodes.h"
#include "storage/data_dir.h"

namespace medai::cli {
namespace {

struct NodeFlags {
  ConfigFlags config;
  std::string name, ae, host, institution, id;
  int port = 104;
  bool no_store = false, no_query = false, no_push = false;
};

storage::DataDir open_data(const ConfigFlags& flags, Config& config) {
  auto c = flags.load();
  if (!c) fail(c.status());
  config = *c;
  auto data = storage::open_data_dir(config);
  if (!data) fail(data.status());
  phi::set_mask_key(data->secret);
  return std::move(*data);
}

}  // namespace

void add_dicom_node_commands(CLI::App& dicom) {
  auto* nodes = dicom.add_subcommand("nodes", "Remote DICOM nodes (PACS, modalities) allowed to talk to this server");
  nodes->require_subcommand(1);
  auto f = std::make_shared<NodeFlags>();

  auto* add = nodes->add_subcommand("add", "Register a node: who may call us, and where we may send");
  f->config.add_to(*add);
  add->add_option("--name", f->name, "handle, unique in the institution")->required();
  add->add_option("--ae", f->ae, "the node's AE title")->required();
  add->add_option("--host", f->host, "host name or IP address it connects from / listens on")->required();
  add->add_option("--port", f->port, "its DIMSE port")->check(CLI::Range(1, 65535));
  add->add_option("--institution", f->institution, "institution handle that owns the node's data")->required();
  add->add_flag("--no-store", f->no_store, "may not send us instances");
  add->add_flag("--no-query", f->no_query, "may not query or retrieve");
  add->add_flag("--no-push", f->no_push, "we may not send to it");
  add->callback([f] {
    Config config;
    auto data = open_data(f->config, config);
    access::Directory directory(*data.catalog, config.auth);
    const auto system = access::system_principal();
    auto inst = directory.find_institution(system, f->institution);
    if (!inst) fail(inst.status());
    dicom::RemoteNodes nodes(*data.catalog);
    dicom::RemoteNodeRecord n;
    n.name = f->name;
    n.ae_title = f->ae;
    n.host = f->host;
    n.port = f->port;
    n.institution_id = inst->id;
    n.allow_store = !f->no_store;
    n.allow_query = !f->no_query;
    n.allow_push = !f->no_push;
    auto created = nodes.create(system, n);
    if (!created) fail(created.status());
    std::cout << dicom::to_json(*created).dump(2) << "\n";
  });

  auto* list = nodes->add_subcommand("list", "List registered nodes");
  f->config.add_to(*list);
  list->callback([f] {
    Config config;
    auto data = open_data(f->config, config);
    dicom::RemoteNodes nodes(*data.catalog);
    auto all = nodes.list(access::system_principal());
    if (!all) fail(all.status());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& n : *all) out.push_back(dicom::to_json(n));
    std::cout << out.dump(2) << "\n";
  });

  auto* remove = nodes->add_subcommand("remove", "Remove a node by id");
  f->config.add_to(*remove);
  remove->add_option("id", f->id, "node id")->required();
  remove->callback([f] {
    Config config;
    auto data = open_data(f->config, config);
    dicom::RemoteNodes nodes(*data.catalog);
    if (Status s = nodes.remove(access::system_principal(), f->id); !s) fail(s);
    std::cout << "removed " << f->id << "\n";
  });
}

}  // namespace medai::cli
