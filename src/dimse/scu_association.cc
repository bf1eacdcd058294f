#include "dimse/scu_association.h"

#include <set>

namespace medai::dimse {

std::vector<StoreBatch> plan_store_batches(const std::vector<InstanceMeta>& metas) {
  const std::vector<std::string> uncompressed = {UID_LittleEndianExplicitTransferSyntax,
                                                 UID_LittleEndianImplicitTransferSyntax};
  std::vector<StoreBatch> batches;
  StoreBatch current;
  std::set<std::pair<std::string, std::string>> exact;
  std::set<std::string> fallback;
  for (std::size_t i = 0; i < metas.size(); ++i) {
    const auto& m = metas[i];
    if (m.sop_class_uid.empty()) continue;
    std::size_t needed = (exact.count({m.sop_class_uid, m.transfer_syntax_uid}) ? 0 : 1) +
                         (fallback.count(m.sop_class_uid) ? 0 : 1);
    if (current.contexts.size() + needed > 128) {
      batches.push_back(std::move(current));
      current = {};
      exact.clear();
      fallback.clear();
    }
    if (exact.insert({m.sop_class_uid, m.transfer_syntax_uid}).second)
      current.contexts.push_back({m.sop_class_uid, {m.transfer_syntax_uid}});
    if (fallback.insert(m.sop_class_uid).second) current.contexts.push_back({m.sop_class_uid, uncompressed});
    current.items.push_back(i);
  }
  if (!current.items.empty()) batches.push_back(std::move(current));
  return batches;
}

}  // namespace medai::dimse
