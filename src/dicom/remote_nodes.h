#pragma once
// Remote DICOM nodes an institution registers: who may call our SCP (calling
// AE title, checked against the peer's address) and where we send (C-MOVE
// destinations, result push). Institution administrators manage their own
// nodes; platform administrators all. AE titles are unique platform-wide so
// an incoming association maps to exactly one institution.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "access/principal.h"
#include "core/status.h"
#include "storage/catalog.h"

namespace medai::dicom {

struct RemoteNodeRecord {
  std::string id;
  std::string institution_id;
  std::string name;
  std::string ae_title;
  std::string host;
  std::int64_t port = 104;
  bool allow_store = true;
  bool allow_query = true;
  bool allow_push = true;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};
nlohmann::json to_json(const RemoteNodeRecord& n);

struct NodePatch {
  std::optional<std::string> ae_title, host;
  std::optional<std::int64_t> port;
  std::optional<bool> allow_store, allow_query, allow_push;
};

// AE title rules (PS3.5 VR AE): 1-16 characters, no backslash or control
// characters, not only spaces. Leading/trailing spaces are not significant.
Status validate_ae_title(const std::string& ae);

class RemoteNodes {
 public:
  explicit RemoteNodes(storage::Catalog& catalog) : catalog_(catalog) {}

  Result<RemoteNodeRecord> create(const access::Principal& actor, RemoteNodeRecord node);
  Result<std::vector<RemoteNodeRecord>> list(const access::Principal& actor);
  Result<RemoteNodeRecord> get(const access::Principal& actor, const std::string& id);
  Result<RemoteNodeRecord> update(const access::Principal& actor, const std::string& id, const NodePatch& patch);
  Status remove(const access::Principal& actor, const std::string& id);

  // Adapter lookups (no Principal: the DIMSE layer acts for the node).
  // The node whose AE title is `calling_ae` and whose host is `peer_address`
  // (literally or by name resolution); not_found otherwise.
  Result<RemoteNodeRecord> find_caller(const std::string& calling_ae, const std::string& peer_address);
  // The node of `institution_id` with this AE title (C-MOVE destination / push target).
  Result<RemoteNodeRecord> find_by_ae(const std::string& institution_id, const std::string& ae_title);

 private:
  storage::Catalog& catalog_;
};

}  // namespace medai::dicom
