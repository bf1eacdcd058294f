#pragma once
// Training runs and evaluations belong to an institution: members see their
// own, platform administrators every institution's.
#include <cstdint>
#include <string>

#include "access/principal.h"
#include "core/status.h"
#include "storage/catalog.h"

namespace medai::training {

// The WHERE clause for the caller's rows; the institution is parameter $1
// (a no-op condition on it for platform administrators).
inline std::string institution_scope(const access::Principal& who) {
  return who.is_platform_admin() ? "WHERE $1 = $1 " : "WHERE institution_id = $1 ";
}

// How many rows of `table` the caller sees: the total of its list.
inline Result<std::int64_t> count_in_scope(storage::Catalog& catalog, const std::string& table,
                                           const access::Principal& who) {
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog.begin(storage::TxMode::read_only));
  MEDAI_ASSIGN_OR_RETURN(auto row, tx->query_one("SELECT COUNT(*) AS n FROM " + table + " " + institution_scope(who),
                                                 {who.institution_id}));
  return row ? row->get_int("n") : 0;
}

}  // namespace medai::training
