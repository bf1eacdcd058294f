#include "dicom/qido_query.h"

#include <dcmtk/dcmdata/dcdict.h>
#include <dcmtk/dcmdata/dcdicent.h>
#include <dcmtk/dcmdata/dctag.h>

#include <charconv>
#include <optional>

#include "dicom/dicom_json.h"
#include "dicom/index_attributes.h"

namespace medai::dicom {
namespace {

using nlohmann::json;
using storage::Params;

enum class Kind { uid, text, code, person_name, date, time, integer, modalities, count, fixed };

struct Attribute {
  std::uint32_t tag;
  const char* keyword;
  const char* vr;
  QidoLevel level;
  const char* column;  // qualified: st. / se. / i.
  Kind kind;
};

// Every attribute the index can match on or return.
constexpr Attribute kAttributes[] = {
    {0x00100010, "PatientName", "PN", QidoLevel::study, "st.patient_name", Kind::person_name},
    {0x00100020, "PatientID", "LO", QidoLevel::study, "st.patient_id", Kind::text},
    {0x00100030, "PatientBirthDate", "DA", QidoLevel::study, "st.patient_birth_date", Kind::date},
    {0x00100040, "PatientSex", "CS", QidoLevel::study, "st.patient_sex", Kind::code},
    {0x0020000D, "StudyInstanceUID", "UI", QidoLevel::study, "st.study_uid", Kind::uid},
    {0x00080020, "StudyDate", "DA", QidoLevel::study, "st.study_date", Kind::date},
    {0x00080030, "StudyTime", "TM", QidoLevel::study, "st.study_time", Kind::time},
    {0x00080050, "AccessionNumber", "SH", QidoLevel::study, "st.accession_number", Kind::text},
    {0x00080090, "ReferringPhysicianName", "PN", QidoLevel::study, "st.referring_physician_name", Kind::person_name},
    {0x00200010, "StudyID", "SH", QidoLevel::study, "st.study_id", Kind::text},
    {0x00081030, "StudyDescription", "LO", QidoLevel::study, "st.study_description", Kind::text},
    {0x00080061, "ModalitiesInStudy", "CS", QidoLevel::study, "st.modalities", Kind::modalities},
    {0x00201206, "NumberOfStudyRelatedSeries", "IS", QidoLevel::study, "st.series_count", Kind::count},
    {0x00201208, "NumberOfStudyRelatedInstances", "IS", QidoLevel::study, "st.instance_count", Kind::count},
    {0x00080056, "InstanceAvailability", "CS", QidoLevel::study, "", Kind::fixed},
    {0x00080005, "SpecificCharacterSet", "CS", QidoLevel::study, "", Kind::fixed},
    {0x00081190, "RetrieveURL", "UR", QidoLevel::study, "", Kind::fixed},
    {0x0020000E, "SeriesInstanceUID", "UI", QidoLevel::series, "se.series_uid", Kind::uid},
    {0x00080060, "Modality", "CS", QidoLevel::series, "se.modality", Kind::code},
    {0x00200011, "SeriesNumber", "IS", QidoLevel::series, "se.series_number", Kind::integer},
    {0x0008103E, "SeriesDescription", "LO", QidoLevel::series, "se.series_description", Kind::text},
    {0x00080021, "SeriesDate", "DA", QidoLevel::series, "se.series_date", Kind::date},
    {0x00080031, "SeriesTime", "TM", QidoLevel::series, "se.series_time", Kind::time},
    {0x00180015, "BodyPartExamined", "CS", QidoLevel::series, "se.body_part_examined", Kind::code},
    {0x00400244, "PerformedProcedureStepStartDate", "DA", QidoLevel::series, "se.pps_start_date", Kind::date},
    {0x00400245, "PerformedProcedureStepStartTime", "TM", QidoLevel::series, "se.pps_start_time", Kind::time},
    {0x00201209, "NumberOfSeriesRelatedInstances", "IS", QidoLevel::series, "se.instance_count", Kind::count},
    {0x00080016, "SOPClassUID", "UI", QidoLevel::instance, "i.sop_class_uid", Kind::uid},
    {0x00080018, "SOPInstanceUID", "UI", QidoLevel::instance, "i.sop_instance_uid", Kind::uid},
    {0x00200013, "InstanceNumber", "IS", QidoLevel::instance, "i.instance_number", Kind::integer},
    {0x00280010, "Rows", "US", QidoLevel::instance, "i.rows_count", Kind::integer},
    {0x00280011, "Columns", "US", QidoLevel::instance, "i.columns_count", Kind::integer},
    {0x00280100, "BitsAllocated", "US", QidoLevel::instance, "i.bits_allocated", Kind::integer},
    {0x00280008, "NumberOfFrames", "IS", QidoLevel::instance, "i.number_of_frames", Kind::integer},
    {0x00083002, "AvailableTransferSyntaxUID", "UI", QidoLevel::instance, "i.transfer_syntax", Kind::uid},
};

const Attribute* find_attribute(std::uint32_t tag) {
  for (const auto& a : kAttributes)
    if (a.tag == tag) return &a;
  return nullptr;
}

// Returned by default at each level (PS3.18 Tables 6.7.1-2, -2a, -2b).
const std::vector<std::uint32_t>& defaults(QidoLevel level) {
  static const std::vector<std::uint32_t> study = {
      0x00080005, 0x00080020, 0x00080030, 0x00080050, 0x00080056, 0x00080061, 0x00080090, 0x00081190, 0x00100010,
      0x00100020, 0x00100030, 0x00100040, 0x0020000D, 0x00200010, 0x00081030, 0x00201206, 0x00201208};
  static const std::vector<std::uint32_t> series = {0x00080005, 0x00080060, 0x0008103E, 0x00081190, 0x0020000D,
                                                    0x0020000E, 0x00200011, 0x00201209, 0x00400244, 0x00400245};
  static const std::vector<std::uint32_t> instance = {0x00080005, 0x00080016, 0x00080018, 0x00080056, 0x00081190,
                                                      0x0020000D, 0x0020000E, 0x00200013, 0x00280010, 0x00280011,
                                                      0x00280100, 0x00280008, 0x00083002};
  return level == QidoLevel::study ? study : level == QidoLevel::series ? series : instance;
}

std::vector<std::string> split_list(const std::string& value) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : value) {
    if (c == ',' || c == '\\') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else if (c != ' ') {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

bool has_wildcard(const std::string& v) { return v.find_first_of("*?") != std::string::npos; }

// DICOM wildcards → LIKE pattern with '\' as escape.
std::string like_pattern(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '*') out.push_back('%');
    else if (c == '?') out.push_back('_');
    else if (c == '%' || c == '_' || c == '\\') out += std::string("\\") + c;
    else out.push_back(c);
  }
  return out;
}

Result<std::uint32_t> resolve_name(const std::string& name) {
  std::string n = name;
  if (n.size() == 9 && n[4] == ',') n.erase(4, 1);
  if (auto t = parse_tag_key(n)) return *t;
  if (auto t = tag_from_keyword(name)) return *t;
  return make_error(ErrorCode::invalid_argument, "unknown attribute '" + name.substr(0, 64) + "'",
                    {{"parameter", name.substr(0, 64)}});
}

const char* level_name(QidoLevel level) {
  return level == QidoLevel::study ? "study" : level == QidoLevel::series ? "series" : "instance";
}

// One orderby entry: "[-|+]keyword-or-tag". A '+' may arrive as a space (form encoding).
Status add_sort_key(QidoQuery& q, std::string entry) {
  while (!entry.empty() && entry.front() == ' ') entry.erase(entry.begin());
  while (!entry.empty() && entry.back() == ' ') entry.pop_back();
  if (entry.empty()) return Status::ok();  // "a,,b" or an empty orderby
  bool descending = false;
  if (entry.front() == '-' || entry.front() == '+') {
    descending = entry.front() == '-';
    entry.erase(entry.begin());
  }
  const std::string shown = entry.substr(0, 64);
  auto bad = [&](const std::string& why) {
    return make_error(ErrorCode::invalid_argument, "orderby: " + why, {{"parameter", "orderby"}, {"attribute", shown}});
  };
  if (entry.empty()) return bad("empty attribute");
  std::string n = entry;
  if (n.size() == 9 && n[4] == ',') n.erase(4, 1);
  std::optional<std::uint32_t> tag = parse_tag_key(n);
  if (!tag) tag = tag_from_keyword(entry);
  if (!tag) return bad("unknown attribute '" + shown + "'");
  const Attribute* a = find_attribute(*tag);
  if (a == nullptr || a->kind == Kind::fixed || a->column[0] == '\0')
    return bad("'" + shown + "' is not an indexed attribute; sortable: the matching keys listed in the conformance "
               "statement");
  if (static_cast<int>(a->level) > static_cast<int>(q.level))
    return bad(std::string("'") + a->keyword + "' is a " + level_name(a->level) + " attribute and cannot order " +
               level_name(q.level) + " results");
  for (const auto& k : q.order_by)
    if (k.tag == *tag) return Status::ok();  // the first mention wins
  if (q.order_by.size() >= kQidoMaxSortKeys)
    return bad("at most " + std::to_string(kQidoMaxSortKeys) + " attributes");
  q.order_by.push_back({*tag, descending});
  return Status::ok();
}

// ORDER BY terms for one key: empty values last in both directions.
std::string sort_terms(const Attribute& a, bool descending) {
  const std::string col = a.column;
  const bool numeric = a.kind == Kind::integer || a.kind == Kind::count;
  const std::string empty = numeric ? col + " IS NULL" : "(" + col + " IS NULL OR " + col + " = '')";
  return empty + ", " + col + (descending ? " DESC" : "");
}

class SqlBuilder {
 public:
  std::string placeholder(storage::Value v) {
    params.push_back(std::move(v));
    return "$" + std::to_string(params.size());
  }
  std::vector<std::string> where;
  Params params;
};

Status add_filter(SqlBuilder& b, const Attribute& a, const std::string& raw, bool fuzzy) {
  const std::string col = a.column;
  switch (a.kind) {
    case Kind::uid: {
      auto uids = split_list(raw);
      if (uids.empty()) return Status::ok();
      std::string in;
      for (const auto& u : uids) in += (in.empty() ? "" : ", ") + b.placeholder(u);
      b.where.push_back(col + " IN (" + in + ")");
      return Status::ok();
    }
    case Kind::modalities: {
      auto mods = split_list(raw);
      if (mods.empty()) return Status::ok();
      std::string in;
      for (const auto& m : mods) in += (in.empty() ? "" : ", ") + b.placeholder(m);
      b.where.push_back("EXISTS (SELECT 1 FROM dicom_series mx WHERE mx.institution_id = st.institution_id AND "
                        "mx.study_uid = st.study_uid AND mx.modality IN (" + in + "))");
      return Status::ok();
    }
    case Kind::date:
    case Kind::time: {
      auto norm = [&](const std::string& s) { return a.kind == Kind::date ? normalize_date(s) : normalize_time(s); };
      const auto dash = raw.find('-');
      if (dash == std::string::npos) {
        b.where.push_back(col + " = " + b.placeholder(norm(raw)));
        return Status::ok();
      }
      const std::string lo = norm(raw.substr(0, dash)), hi = norm(raw.substr(dash + 1));
      if (lo.empty() && hi.empty()) return make_error(ErrorCode::invalid_argument, "empty range for " + std::string(a.keyword));
      b.where.push_back(col + " <> ''");
      if (!lo.empty()) b.where.push_back(col + " >= " + b.placeholder(lo));
      // '~' sorts after digits and '.', so "-1011" includes 10:11:59.
      if (!hi.empty()) b.where.push_back(col + " <= " + b.placeholder(hi + "~"));
      return Status::ok();
    }
    case Kind::integer:
    case Kind::count: {
      std::int64_t v = 0;
      auto [p, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), v);
      if (ec != std::errc() || p != raw.data() + raw.size())
        return make_error(ErrorCode::invalid_argument, std::string(a.keyword) + " must be an integer");
      b.where.push_back(col + " = " + b.placeholder(v));
      return Status::ok();
    }
    case Kind::person_name: {
      if (fuzzy) {
        const std::string norm_col = a.tag == 0x00100010 ? "st.patient_name_norm" : "st.referring_physician_norm";
        std::string words = normalize_person_name(raw);
        std::size_t start = 1;
        while (start < words.size()) {
          const auto end = words.find(' ', start);
          const std::string word = words.substr(start, end - start);
          start = end + 1;
          std::string clean;
          for (char c : word)
            if (c != '*' && c != '?') clean.push_back(c);
          if (clean.empty()) continue;
          b.where.push_back(norm_col + " LIKE " + b.placeholder("% " + like_pattern(clean) + "%") + " ESCAPE '\\'");
        }
        return Status::ok();
      }
      // A query for the alphabetic name also finds "Alphabetic=Ideographic…",
      // and a query in ideographic form finds the ideographic group.
      if (has_wildcard(raw)) {
        const std::string p = like_pattern(raw);
        b.where.push_back("(" + col + " LIKE " + b.placeholder(p) + " ESCAPE '\\' OR " + col + " LIKE " +
                          b.placeholder("%=" + p) + " ESCAPE '\\')");
      } else {
        const std::string e = like_pattern(raw);
        b.where.push_back("(" + col + " = " + b.placeholder(raw) + " OR " + col + " LIKE " + b.placeholder(e + "=%") +
                          " ESCAPE '\\' OR " + col + " LIKE " + b.placeholder("%=" + e) + " ESCAPE '\\' OR " + col +
                          " LIKE " + b.placeholder("%=" + e + "=%") + " ESCAPE '\\')");
      }
      return Status::ok();
    }
    case Kind::text:
    case Kind::code:
      if (has_wildcard(raw))
        b.where.push_back(col + " LIKE " + b.placeholder(like_pattern(raw)) + " ESCAPE '\\'");
      else
        b.where.push_back(col + " = " + b.placeholder(raw));
      return Status::ok();
    case Kind::fixed:
      return Status::ok();
  }
  return Status::ok();
}

std::string column_alias(const Attribute& a) {
  std::string c = a.column;
  auto dot = c.find('.');
  return c.substr(0, dot) + "_" + c.substr(dot + 1);
}

void write_attribute(json& out, const Attribute& a, const storage::Row& row, const std::string& retrieve_url) {
  switch (a.kind) {
    case Kind::fixed:
      if (a.tag == 0x00080005) put_string(out, a.tag, a.vr, "ISO_IR 192");
      else if (a.tag == 0x00080056) put_string(out, a.tag, a.vr, "ONLINE");
      else if (a.tag == 0x00081190 && !retrieve_url.empty()) put_string(out, a.tag, a.vr, retrieve_url);
      return;
    case Kind::person_name:
      put_person_name(out, a.tag, row.get_text(column_alias(a)));
      return;
    case Kind::modalities:
      put_multi_string(out, a.tag, a.vr, row.get_text(column_alias(a)));
      return;
    case Kind::integer:
    case Kind::count:
      put_integer(out, a.tag, a.vr, row.get_optional_int(column_alias(a)));
      return;
    default:
      put_string(out, a.tag, a.vr, row.get_text(column_alias(a)));
  }
}

}  // namespace

std::optional<std::uint32_t> tag_from_keyword(const std::string& keyword) {
  if (keyword.empty() || keyword.size() > 64) return std::nullopt;
  for (const auto& a : kAttributes)
    if (keyword == a.keyword) return a.tag;
  const DcmDataDictionary& dict = dcmDataDict.rdlock();
  const DcmDictEntry* e = dict.findEntry(keyword.c_str());
  std::optional<std::uint32_t> out;
  if (e != nullptr) out = (static_cast<std::uint32_t>(e->getGroup()) << 16) | e->getElement();
  dcmDataDict.rdunlock();
  return out;
}

Result<QidoQuery> parse_qido(QidoLevel level, std::string study_uid, std::string series_uid,
                             const std::multimap<std::string, std::string>& params) {
  QidoQuery q;
  q.level = level;
  q.study_uid = std::move(study_uid);
  q.series_uid = std::move(series_uid);
  for (const auto& [name, value] : params) {
    if (name == "limit" || name == "offset") {
      std::int64_t v = 0;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (ec != std::errc() || p != value.data() + value.size() || v < 0)
        return make_error(ErrorCode::invalid_argument, name + " must be a non-negative integer");
      if (name == "limit") q.limit = std::min<std::int64_t>(v == 0 ? kQidoMaxLimit : v, kQidoMaxLimit);
      else q.offset = v;
    } else if (name == "fuzzymatching") {
      if (value != "true" && value != "false")
        return make_error(ErrorCode::invalid_argument, "fuzzymatching must be true or false");
      q.fuzzy = value == "true";
    } else if (name == "includefield") {
      for (const auto& field : split_list(value)) {
        if (field == "all") {
          q.include_all = true;
          continue;
        }
        MEDAI_ASSIGN_OR_RETURN(std::uint32_t tag, resolve_name(field));
        if (find_attribute(tag)) q.include.insert(tag);
        else q.ignored.push_back(field.substr(0, 64));
      }
    } else if (name == "orderby") {
      // Comma-separated; a tag written "gggg,eeee" is rejoined.
      std::vector<std::string> parts(1);
      for (char c : value) {
        if (c == ',') parts.emplace_back();
        else parts.back().push_back(c);
      }
      auto hex4 = [](std::string v, bool allow_sign) {
        while (!v.empty() && v.front() == ' ') v.erase(v.begin());
        if (allow_sign && !v.empty() && (v.front() == '-' || v.front() == '+')) v.erase(v.begin());
        return v.size() == 4 && v.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos;
      };
      for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i + 1 < parts.size() && hex4(parts[i], true) && hex4(parts[i + 1], false)) {
          MEDAI_RETURN_IF_ERROR(add_sort_key(q, parts[i] + parts[i + 1]));
          ++i;
        } else {
          MEDAI_RETURN_IF_ERROR(add_sort_key(q, parts[i]));
        }
      }
    } else if (name == "_" || name == "StudyInstanceUIDs") {
      q.ignored.push_back(name);  // cache busters and extensions we do not support
    } else {
      MEDAI_ASSIGN_OR_RETURN(std::uint32_t tag, resolve_name(name));
      const Attribute* a = find_attribute(tag);
      if (a == nullptr) {
        q.ignored.push_back(name.substr(0, 64));
        continue;
      }
      if (static_cast<int>(a->level) > static_cast<int>(level))
        return make_error(ErrorCode::invalid_argument,
                          std::string(a->keyword) + " cannot be matched at this query level",
                          {{"parameter", a->keyword}});
      q.include.insert(tag);  // a matching key is also a return key
      if (!value.empty()) q.filters.push_back({tag, value});
    }
  }
  return q;
}

namespace {
// FROM and WHERE of a search (shared by the search and its count); false
// when the caller can see nothing at all.
Result<bool> qido_from_where(const access::Principal& who, const QidoQuery& q, SqlBuilder& b, std::string& from) {
  switch (q.level) {
    case QidoLevel::study:
      from = "dicom_studies st";
      break;
    case QidoLevel::series:
      from = "dicom_series se JOIN dicom_studies st ON st.institution_id = se.institution_id AND "
             "st.study_uid = se.study_uid";
      break;
    case QidoLevel::instance:
      from = "dicom_instances i JOIN dicom_series se ON se.institution_id = i.institution_id AND "
             "se.series_uid = i.series_uid JOIN dicom_studies st ON st.institution_id = i.institution_id AND "
             "st.study_uid = i.study_uid";
      break;
  }
  const char* inst_col = q.level == QidoLevel::study ? "st.institution_id"
                         : q.level == QidoLevel::series ? "se.institution_id" : "i.institution_id";
  if (!who.is_platform_admin()) {
    if (who.institution_id.empty()) return false;
    b.where.push_back(std::string(inst_col) + " = " + b.placeholder(who.institution_id));
  }
  // Filter on the queried table's own columns so its (institution, parent)
  // index is used.
  const char* study_col = q.level == QidoLevel::study ? "st.study_uid"
                          : q.level == QidoLevel::series ? "se.study_uid" : "i.study_uid";
  if (!q.study_uid.empty()) b.where.push_back(std::string(study_col) + " = " + b.placeholder(q.study_uid));
  if (!q.series_uid.empty())
    b.where.push_back(std::string(q.level == QidoLevel::instance ? "i.series_uid" : "se.series_uid") + " = " +
                      b.placeholder(q.series_uid));
  for (const auto& f : q.filters) MEDAI_RETURN_IF_ERROR(add_filter(b, *find_attribute(f.tag), f.value, q.fuzzy));
  return true;
}
}  // namespace

Result<std::int64_t> count_qido(storage::Catalog& catalog, const access::Principal& who, const QidoQuery& q) {
  SqlBuilder b;
  std::string from;
  MEDAI_ASSIGN_OR_RETURN(bool any, qido_from_where(who, q, b, from));
  if (!any) return std::int64_t{0};
  std::string sql = "SELECT COUNT(*) AS n FROM " + from;
  for (std::size_t i = 0; i < b.where.size(); ++i) sql += (i == 0 ? " WHERE " : " AND ") + b.where[i];
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog.begin(storage::TxMode::read_only));
  MEDAI_ASSIGN_OR_RETURN(auto row, tx->query_one(sql, b.params));
  return row ? row->get_int("n") : 0;
}

Result<json> run_qido(storage::Catalog& catalog, const access::Principal& who, const QidoQuery& q,
                      const std::string& base_url) {
  SqlBuilder b;
  std::string from;
  MEDAI_ASSIGN_OR_RETURN(bool any, qido_from_where(who, q, b, from));
  if (!any) return json::array();

  // Attributes to return: level defaults, the levels above when the search
  // is not already scoped to them, includefield and the matching keys.
  std::vector<const Attribute*> returned;
  std::set<std::uint32_t> seen;
  auto add = [&](std::uint32_t tag) {
    const Attribute* a = find_attribute(tag);
    if (a == nullptr || static_cast<int>(a->level) > static_cast<int>(q.level) || !seen.insert(tag).second) return;
    returned.push_back(a);
  };
  for (auto t : defaults(q.level)) add(t);
  if (q.level == QidoLevel::series && q.study_uid.empty())
    for (auto t : defaults(QidoLevel::study)) add(t);
  if (q.level == QidoLevel::instance) {
    if (q.study_uid.empty())
      for (auto t : defaults(QidoLevel::study)) add(t);
    if (q.series_uid.empty())
      for (auto t : defaults(QidoLevel::series)) add(t);
  }
  for (auto t : q.include) add(t);
  if (q.include_all)
    for (const auto& a : kAttributes) add(a.tag);

  std::string select = "SELECT st.study_uid AS st_study_uid";
  if (q.level != QidoLevel::study) select += ", se.series_uid AS se_series_uid";
  if (q.level == QidoLevel::instance) select += ", i.sop_instance_uid AS i_sop_instance_uid";
  for (const Attribute* a : returned)
    if (a->column[0] != '\0') select += std::string(", ") + a->column + " AS " + column_alias(*a);

  std::string sql = select + " FROM " + from;
  for (std::size_t i = 0; i < b.where.size(); ++i) sql += (i == 0 ? " WHERE " : " AND ") + b.where[i];
  // Requested keys first; the default order below breaks ties (stable paging).
  sql += " ORDER BY ";
  for (const auto& key : q.order_by) sql += sort_terms(*find_attribute(key.tag), key.descending) + ", ";
  switch (q.level) {
    case QidoLevel::study:
      sql += "st.study_date DESC, st.study_time DESC, st.study_uid, st.institution_id";
      break;
    case QidoLevel::series:
      sql += "st.study_uid, se.series_number IS NULL, se.series_number, se.series_uid, se.institution_id";
      break;
    case QidoLevel::instance:
      sql += "se.series_number IS NULL, se.series_number, i.series_uid, i.instance_number IS NULL, "
             "i.instance_number, i.sop_instance_uid, i.institution_id";
      break;
  }
  sql += " LIMIT " + b.placeholder(q.limit) + " OFFSET " + b.placeholder(q.offset);

  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog.begin(storage::TxMode::read_only));
  MEDAI_ASSIGN_OR_RETURN(auto rows, tx->query(sql, b.params));
  tx.reset();

  json out = json::array();
  for (const auto& row : rows) {
    std::string url;
    if (!base_url.empty()) {
      url = base_url + "/studies/" + row.get_text("st_study_uid");
      if (q.level != QidoLevel::study) url += "/series/" + row.get_text("se_series_uid");
      if (q.level == QidoLevel::instance) url += "/instances/" + row.get_text("i_sop_instance_uid");
    }
    json obj = json::object();
    for (const Attribute* a : returned) write_attribute(obj, *a, row, url);
    out.push_back(std::move(obj));
  }
  return out;
}

}  // namespace medai::dicom
