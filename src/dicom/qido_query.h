#pragma once
// QIDO-RS search (PS3.18 10.6) over the DICOM index: parameters → one SQL
// query → DICOM JSON objects. Adapter-neutral: DIMSE C-FIND can build a
// QidoQuery from its identifier the same way.
//
// Matching: single value (exact); `*`/`?` wildcards (SQL LIKE; ASCII
// case-insensitive on SQLite); UID lists (comma or backslash separated);
// DA/TM ranges "a-b", "a-", "-b" (inclusive); integers exact;
// ModalitiesInStudy matches studies with a series of any listed modality.
// fuzzymatching=true: person names match when every word of the query is a
// case-insensitive prefix of some name component (any of the alphabetic,
// ideographic and phonetic groups). Results are sorted (studies: newest
// StudyDate/StudyTime first; series: SeriesNumber; instances:
// InstanceNumber; UIDs break ties) so paging is stable. `orderby` (comma
// separated or repeated keywords/tags, "-" prefix for descending) sorts by
// indexed attributes of the queried level or above first; the default order
// then breaks ties, so paging stays stable. Empty values sort last in both
// directions; text sorts by its UTF-8 bytes.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "access/principal.h"
#include "core/status.h"
#include "storage/catalog.h"

namespace medai::dicom {

enum class QidoLevel { study, series, instance };

struct QidoFilter {
  std::uint32_t tag;
  std::string value;
};

struct QidoSortKey {
  std::uint32_t tag;
  bool descending = false;
};

constexpr std::size_t kQidoMaxSortKeys = 8;

struct QidoQuery {
  QidoLevel level = QidoLevel::study;
  std::string study_uid;   // from the path (/studies/{study}/...)
  std::string series_uid;  // from the path (/studies/{s}/series/{se}/instances)
  std::vector<QidoFilter> filters;
  std::vector<QidoSortKey> order_by;  // before the default order
  std::set<std::uint32_t> include;  // extra attributes to return
  bool include_all = false;
  bool fuzzy = false;
  std::int64_t limit = 1000;
  std::int64_t offset = 0;
  std::vector<std::string> ignored;  // parameters we do not support (for a Warning)
};

constexpr std::int64_t kQidoMaxLimit = 10000;

// Builds a query from URL parameters (keyword or tag "0010,0010"/"00100010"
// names; includefield lists; limit/offset; fuzzymatching; orderby).
// invalid_argument for malformed values, unknown keywords and orderby
// attributes that are not indexed or below the query level (message names
// the attribute and the reason; detail.parameter = "orderby").
Result<QidoQuery> parse_qido(QidoLevel level, std::string study_uid, std::string series_uid,
                             const std::multimap<std::string, std::string>& params);

// Runs the search for `who` (tenancy: own institution; platform admin all).
// `base_url` ("http://host/dicom-web") fills RetrieveURL; empty leaves it out.
// How many matches run_qido() pages through (limit/offset ignored).
Result<std::int64_t> count_qido(storage::Catalog& catalog, const access::Principal& who, const QidoQuery& query);
Result<nlohmann::json> run_qido(storage::Catalog& catalog, const access::Principal& who, const QidoQuery& query,
                                const std::string& base_url);

// Keyword → tag through DCMTK's dictionary; nullopt when unknown.
std::optional<std::uint32_t> tag_from_keyword(const std::string& keyword);

}  // namespace medai::dicom
