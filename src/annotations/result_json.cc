#include "annotations/result_json.h"

#include <cmath>
#include <set>

namespace medai::annotations {
namespace {
using nlohmann::json;

json code_json(const Code& c) { return {{"scheme", c.scheme}, {"value", c.value}, {"meaning", c.meaning}}; }

// Reads fields of untrusted JSON, collecting every problem instead of stopping at the first.
struct Checker {
  std::vector<std::string> problems;

  std::string str(const json& j, const char* key, const std::string& where, bool required = true) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
      if (required) problems.push_back(where + "." + key + " is missing");
      return {};
    }
    if (!it->is_string()) {
      problems.push_back(where + "." + key + " must be a string");
      return {};
    }
    return it->get<std::string>();
  }
  std::optional<double> number(const json& j, const char* key, const std::string& where, bool required) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
      if (required) problems.push_back(where + "." + key + " is missing");
      return std::nullopt;
    }
    if (!it->is_number() || !std::isfinite(it->get<double>())) {
      problems.push_back(where + "." + key + " must be a finite number");
      return std::nullopt;
    }
    return it->get<double>();
  }
  Code code(const json& j, const std::string& where) {
    if (!j.is_object()) {
      problems.push_back(where + " must be an object");
      return {};
    }
    return {str(j, "value", where), str(j, "scheme", where), str(j, "meaning", where)};
  }
};

}  // namespace

ResultObject object_entry(const std::string& kind, const DicomObject& object) {
  return {kind, object.sop_class_uid, object.sop_instance_uid, object.series_instance_uid};
}

nlohmann::json to_json(const AppResult& r) {
  json out;
  out["schema"] = kResultSchema;
  out["app"] = {{"name", r.producer.app_name},
                {"version", r.producer.app_version},
                {"vendor", r.vendor.empty() ? r.producer.manufacturer : r.vendor},
                {"package_digest", r.producer.package_digest}};
  out["job_id"] = r.producer.job_id;
  out["input_digest"] = r.producer.input_digest;
  out["research_use_only"] = r.producer.research_use_only;
  out["synthetic_training_data"] = r.producer.synthetic_training_data;
  if (const std::string notice = usage_notice(r.producer); !notice.empty()) out["notice"] = notice;
  out["created"] = r.created;
  out["study_instance_uid"] = r.study_instance_uid;
  out["source_series_instance_uid"] = r.source_series_instance_uid;
  json findings = json::array();
  for (const ResultFinding& f : r.findings) {
    json j;
    j["id"] = f.id;
    j["label"] = f.label;
    j["code"] = code_json(f.code);
    j["score"] = f.score ? json(*f.score) : json(nullptr);
    if (f.centre_mm) j["centre_mm"] = {(*f.centre_mm)[0], (*f.centre_mm)[1], (*f.centre_mm)[2]};
    if (f.slice_index) j["slice_index"] = *f.slice_index;
    json ms = json::array();
    for (const ResultMeasurement& m : f.measurements)
      ms.push_back({{"name", m.name}, {"value", m.value}, {"unit", m.unit}});
    j["measurements"] = ms;
    j["attributes"] = f.attributes.is_object() ? f.attributes : json::object();
    json refs = json::object();
    if (f.seg)
      refs["seg"] = {{"sop_instance_uid", f.seg->sop_instance_uid},
                     {"segment_number", f.seg->segment_number}};
    if (f.sr)
      refs["sr"] = {{"sop_instance_uid", f.sr->sop_instance_uid}, {"tracking_uid", f.sr->tracking_uid}};
    if (f.rtstruct)
      refs["rtstruct"] = {{"sop_instance_uid", f.rtstruct->sop_instance_uid},
                          {"roi_number", f.rtstruct->roi_number}};
    j["references"] = refs;
    findings.push_back(j);
  }
  out["findings"] = findings;
  out["exam"] = r.exam.is_object() ? r.exam : json::object();
  json objects = json::array();
  for (const ResultObject& o : r.objects) {
    objects.push_back({{"kind", o.kind},
                       {"sop_class_uid", o.sop_class_uid},
                       {"sop_instance_uid", o.sop_instance_uid},
                       {"series_instance_uid", o.series_instance_uid}});
  }
  out["objects"] = objects;
  return out;
}

Result<AppResult> result_from_json(const nlohmann::json& j) {
  Checker c;
  AppResult r;
  if (!j.is_object()) return make_error(ErrorCode::unprocessable, "the result is not a JSON object");
  if (c.str(j, "schema", "result") != kResultSchema && c.problems.empty())
    c.problems.push_back(std::string("result.schema must be ") + kResultSchema);
  const json app = j.value("app", json());
  if (!app.is_object()) {
    c.problems.push_back("result.app must be an object");
  } else {
    r.producer.app_name = c.str(app, "name", "app");
    r.producer.app_version = c.str(app, "version", "app");
    r.vendor = c.str(app, "vendor", "app", false);
    r.producer.manufacturer = r.vendor.empty() ? "medai" : r.vendor;
    r.producer.package_digest = c.str(app, "package_digest", "app", false);
  }
  r.producer.job_id = c.str(j, "job_id", "result", false);
  r.producer.input_digest = c.str(j, "input_digest", "result", false);
  if (j.contains("research_use_only") && !j["research_use_only"].is_boolean())
    c.problems.push_back("result.research_use_only must be true or false");
  else
    r.producer.research_use_only = j.value("research_use_only", false);
  if (j.contains("synthetic_training_data") && !j["synthetic_training_data"].is_boolean())
    c.problems.push_back("result.synthetic_training_data must be true or false");
  else
    r.producer.synthetic_training_data = j.value("synthetic_training_data", false);
  r.created = c.str(j, "created", "result", false);
  r.study_instance_uid = c.str(j, "study_instance_uid", "result", false);
  r.source_series_instance_uid = c.str(j, "source_series_instance_uid", "result", false);
  std::set<std::string> ids;
  const json findings = j.value("findings", json::array());
  if (!findings.is_array()) c.problems.push_back("result.findings must be an array");
  for (std::size_t i = 0; findings.is_array() && i < findings.size(); ++i) {
    const json& fj = findings[i];
    const std::string where = "findings[" + std::to_string(i) + "]";
    if (!fj.is_object()) {
      c.problems.push_back(where + " must be an object");
      continue;
    }
    ResultFinding f;
    f.id = c.str(fj, "id", where);
    if (!f.id.empty() && !ids.insert(f.id).second)
      c.problems.push_back(where + ".id repeats \"" + f.id + "\"");
    f.label = c.str(fj, "label", where, false);
    if (fj.contains("code")) f.code = c.code(fj["code"], where + ".code");
    f.score = c.number(fj, "score", where, false);
    if (fj.contains("centre_mm")) {
      const json& p = fj["centre_mm"];
      if (!p.is_array() || p.size() != 3 || !p[0].is_number() || !p[1].is_number() || !p[2].is_number())
        c.problems.push_back(where + ".centre_mm must be [x, y, z]");
      else
        f.centre_mm = std::array<double, 3>{p[0].get<double>(), p[1].get<double>(), p[2].get<double>()};
    }
    if (fj.contains("slice_index")) {
      if (!fj["slice_index"].is_number_integer())
        c.problems.push_back(where + ".slice_index must be an integer");
      else
        f.slice_index = fj["slice_index"].get<int>();
    }
    const json ms = fj.value("measurements", json::array());
    for (std::size_t m = 0; ms.is_array() && m < ms.size(); ++m) {
      const std::string mw = where + ".measurements[" + std::to_string(m) + "]";
      if (!ms[m].is_object()) {
        c.problems.push_back(mw + " must be an object");
        continue;
      }
      ResultMeasurement rm;
      rm.name = c.str(ms[m], "name", mw);
      rm.value = c.number(ms[m], "value", mw, true).value_or(0);
      rm.unit = c.str(ms[m], "unit", mw);
      f.measurements.push_back(rm);
    }
    if (fj.contains("attributes")) {
      if (!fj["attributes"].is_object())
        c.problems.push_back(where + ".attributes must be an object");
      else
        f.attributes = fj["attributes"];
    }
    const json refs = fj.value("references", json::object());
    if (refs.contains("seg") && refs["seg"].is_object())
      f.seg = SegReference{
          c.str(refs["seg"], "sop_instance_uid", where + ".references.seg"),
          static_cast<int>(
              c.number(refs["seg"], "segment_number", where + ".references.seg", true).value_or(0))};
    if (refs.contains("sr") && refs["sr"].is_object())
      f.sr = SrReference{c.str(refs["sr"], "sop_instance_uid", where + ".references.sr"),
                         c.str(refs["sr"], "tracking_uid", where + ".references.sr", false)};
    if (refs.contains("rtstruct") && refs["rtstruct"].is_object())
      f.rtstruct = RoiReference{
          c.str(refs["rtstruct"], "sop_instance_uid", where + ".references.rtstruct"),
          static_cast<int>(
              c.number(refs["rtstruct"], "roi_number", where + ".references.rtstruct", true).value_or(0))};
    r.findings.push_back(std::move(f));
  }
  if (j.contains("exam")) {
    if (!j["exam"].is_object())
      c.problems.push_back("result.exam must be an object");
    else
      r.exam = j["exam"];
  }
  const json objects = j.value("objects", json::array());
  for (std::size_t i = 0; objects.is_array() && i < objects.size(); ++i) {
    const std::string where = "objects[" + std::to_string(i) + "]";
    if (!objects[i].is_object()) {
      c.problems.push_back(where + " must be an object");
      continue;
    }
    r.objects.push_back({c.str(objects[i], "kind", where), c.str(objects[i], "sop_class_uid", where),
                         c.str(objects[i], "sop_instance_uid", where),
                         c.str(objects[i], "series_instance_uid", where)});
  }
  if (!c.problems.empty()) {
    return make_error(ErrorCode::unprocessable, "the app result is not valid", {{"problems", c.problems}});
  }
  return r;
}

const ResultFinding* find_finding(const AppResult& result, const std::string& id) {
  for (const ResultFinding& f : result.findings)
    if (f.id == id) return &f;
  return nullptr;
}

}  // namespace medai::annotations
