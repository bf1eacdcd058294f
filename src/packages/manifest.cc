#include "packages/manifest.h"

#include <cctype>
#include <set>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "core/json_pointer.h"

namespace medai::packages {

std::string_view embedded_manifest_schema();  // generated from manifest.schema.json

namespace {

using nlohmann::json;

// The compiled schema, parsed once (it is ours: a parse failure is a bug).
const valijson::Schema& compiled_schema() {
  static const valijson::Schema* schema = [] {
    auto* s = new valijson::Schema;
    const json doc = json::parse(embedded_manifest_schema());
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(doc);
    parser.populateSchema(adapter, *s);
    return s;
  }();
  return *schema;
}



// valijson reports a failing child and then every enclosing schema that
// failed because of it ("Failed to validate against ..."); the vendor needs
// the leaf messages only, unless a location has nothing more precise.
bool is_summary_message(const std::string& message) { return message.rfind("Failed to validate", 0) == 0; }

// The schema node that describes the value at `pointer` (following local
// $refs, properties, items and additionalProperties), or nullptr.
const json* schema_node_at(const json& schema, const std::string& pointer) {
  const json* node = &schema;
  auto deref = [&schema](const json* n) {
    for (int guard = 0; n && n->is_object() && n->contains("$ref") && guard < 8; ++guard) {
      const std::string ref = (*n)["$ref"].get<std::string>();
      if (ref.rfind("#", 0) != 0) return static_cast<const json*>(nullptr);
      n = &schema.at(json::json_pointer(ref.substr(1)));
    }
    return n;
  };
  std::size_t start = 1;
  while (node && start <= pointer.size() && !pointer.empty()) {
    const std::size_t slash = pointer.find('/', start);
    const std::string token = pointer.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    node = deref(node);
    if (!node || !node->is_object()) return nullptr;
    if (node->contains("properties") && (*node)["properties"].contains(token)) node = &(*node)["properties"][token];
    else if (node->contains("items") && !token.empty() && std::isdigit(static_cast<unsigned char>(token[0])))
      node = &(*node)["items"];
    else if (node->contains("additionalProperties") && (*node)["additionalProperties"].is_object())
      node = &(*node)["additionalProperties"];
    else return nullptr;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return deref(node);
}

// valijson's enum message names no values; say which ones are allowed.
std::string explain(const std::string& path, const std::string& message) {
  static const json schema = json::parse(embedded_manifest_schema());
  if (message.rfind("Failed to match against any enum values", 0) != 0) return message;
  const json* node = schema_node_at(schema, path);
  if (!node || !node->is_object() || !node->contains("enum")) return message;
  std::string allowed;
  for (const auto& v : (*node)["enum"]) allowed += (allowed.empty() ? "" : ", ") + v.dump();
  return "must be one of " + allowed;
}

std::vector<ManifestProblem> schema_problems(const json& document) {
  valijson::Validator validator(valijson::Validator::kStrongTypes);
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter adapter(document);
  std::vector<ManifestProblem> all;
  if (validator.validate(compiled_schema(), adapter, &results)) return all;
  valijson::ValidationResults::Error error;
  while (results.popError(error)) {
    std::string path = json_pointer_of_context(error.context);
    std::string message = explain(path, error.description);
    all.push_back({std::move(path), std::move(message)});
  }
  std::vector<ManifestProblem> leaves;
  std::set<std::string> leaf_paths;
  for (const auto& p : all)
    if (!is_summary_message(p.message)) leaf_paths.insert(p.path);
  for (const auto& p : all) {
    if (is_summary_message(p.message)) {
      // Keep a summary only where no more precise message sits at or below it.
      bool covered = false;
      for (const auto& lp : leaf_paths)
        if (lp == p.path || lp.rfind(p.path + "/", 0) == 0 || p.path.empty()) covered = true;
      if (covered) continue;
    }
    if (std::find(leaves.begin(), leaves.end(), p) == leaves.end()) leaves.push_back(p);
  }
  return leaves;
}

const json* field(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}
std::string string_at(const json& object, const char* key) {
  const json* f = field(object, key);
  return f && f->is_string() ? f->get<std::string>() : std::string();
}

void semantic_problems(const json& doc, std::string_view expected_vendor, std::vector<ManifestProblem>& out) {
  if (!doc.is_object()) return;
  auto add = [&out](std::string path, std::string message) { out.push_back({std::move(path), std::move(message)}); };

  if (const json* v = field(doc, "version"); v && v->is_string() && !parse_semver(v->get<std::string>()))
    add("/version", "must be a Semantic Versioning 2.0.0 version such as 1.2.0 or 2.0.0-rc.1");

  if (const json* v = field(doc, "vendor"); v && v->is_string() && !expected_vendor.empty() &&
                                             v->get<std::string>() != expected_vendor)
    add("/vendor", "must equal the publishing vendor '" + std::string(expected_vendor) + "'");

  const json* files = field(doc, "files");
  if (files && files->is_object()) {
    for (auto it = files->begin(); it != files->end(); ++it) {
      const std::string& path = it.key();
      const std::string pointer = "/files/" + escape_json_pointer_token(path);
      if (path == "manifest.json" || path == "manifest.sig")
        add(pointer, "manifest.json and manifest.sig are not listed in files");
      else if (!is_safe_package_path(path))
        add(pointer, "must be a relative path without '..', '.', empty segments, backslashes or control characters");
    }
  }

  const json* model = field(doc, "model");
  const json* input = field(doc, "input");
  const std::string runtime = model ? string_at(*model, "runtime") : "";
  const std::string kind = input ? string_at(*input, "kind") : "";
  const std::string task = string_at(doc, "task");
  if (model && model->is_object() && !runtime.empty()) {
    const json* artifact = field(*model, "artifact");
    const json* remote = field(*model, "remote");
    if (runtime == "kserve-v2") {
      if (!remote) add("/model/remote", "is required for runtime kserve-v2");
      if (artifact) add("/model/artifact", "must be absent for runtime kserve-v2 (the model is served remotely)");
    } else {
      if (!artifact) add("/model/artifact", "is required for runtime " + runtime);
      if (remote) add("/model/remote", "is only allowed for runtime kserve-v2");
      if (artifact && artifact->is_string() && files && files->is_object() &&
          !files->contains(artifact->get<std::string>()))
        add("/model/artifact", "must be listed in files with its SHA-256");
    }
    if (runtime == "xgboost" && !kind.empty() && kind != "tabular")
      add("/model/runtime", "xgboost models take tabular input (input.kind must be tabular)");
    if (runtime == "onnx-opencv" && kind == "volume")
      add("/model/runtime", "onnx-opencv runs 2-D models only (input.kind must be image or tabular)");
  }

  if (!kind.empty()) {
    const bool tabular = kind == "tabular";
    if (!task.empty() && (task == "tabular-advice") != tabular)
      add("/task", tabular ? "tabular input requires task tabular-advice"
                           : "task tabular-advice requires input.kind tabular");
    if (tabular && !field(*input, "features")) add("/input/features", "is required for tabular input");
    if (!tabular && field(*input, "features")) add("/input/features", "is only allowed for tabular input");
    if (const json* m = field(doc, "modality"); m && m->is_array()) {
      if (tabular && !m->empty()) add("/modality", "must be empty for tabular input");
      if (!tabular && m->empty()) add("/modality", "must list at least one DICOM modality for imaging input");
    }
    if (const json* writers = field(doc, "writers"); writers && writers->is_array()) {
      for (std::size_t i = 0; i < writers->size(); ++i) {
        const json& w = (*writers)[i];
        if (!w.is_string()) continue;
        const std::string name = w.get<std::string>();
        const bool dicom_writer = name == "sr-tid1500" || name == "seg" || name == "rtstruct";
        if (tabular && dicom_writer) add("/writers/" + std::to_string(i), "DICOM writers need imaging input");
        // A 2-D classifier's heat-maps (input.kind "image") are a probability SEG.
        const bool image_heatmaps = name == "seg" && task == "classification" &&
                                    input && input->is_object() && input->value("kind", "") == "image";
        if ((name == "seg" || name == "rtstruct") && !task.empty() && task != "segmentation" &&
            task != "detection" && !image_heatmaps)
          add("/writers/" + std::to_string(i), name == "seg"
                                                   ? "seg needs task segmentation or detection, or an image "
                                                     "classifier (its heat-maps)"
                                                   : "rtstruct needs task segmentation or detection");
      }
    }
    if (const json* pipeline = field(doc, "pipeline"); tabular && pipeline && pipeline->is_object()) {
      for (const char* stage : {"pre", "post"})
        if (const json* ops = field(*pipeline, stage); ops && ops->is_array() && !ops->empty())
          add(std::string("/pipeline/") + stage, "imaging operators are not allowed for tabular input");
    }
  }

  if (const json* output = field(doc, "output"); output && output->is_object()) {
    if (const json* labels = field(*output, "labels"); labels && labels->is_array()) {
      std::set<std::int64_t> values;
      std::set<std::string> names;
      for (std::size_t i = 0; i < labels->size(); ++i) {
        const json& l = (*labels)[i];
        const json* value = field(l, "value");
        const json* name = field(l, "name");
        if (value && value->is_number_integer() && !values.insert(value->get<std::int64_t>()).second)
          add("/output/labels/" + std::to_string(i) + "/value", "label values must be unique");
        if (name && name->is_string() && !names.insert(name->get<std::string>()).second)
          add("/output/labels/" + std::to_string(i) + "/name", "label names must be unique");
      }
      if (labels->empty() && (task == "detection" || task == "segmentation"))
        add("/output/labels", "detection and segmentation apps must declare at least one label");
    }
  }

  if (const json* validation = field(doc, "validation"); validation && validation->is_object()) {
    if (const json* metrics = field(*validation, "metrics"); metrics && metrics->is_array()) {
      for (std::size_t i = 0; i < metrics->size(); ++i) {
        const json* ci = field((*metrics)[i], "ci95");
        if (ci && ci->is_array() && ci->size() == 2 && (*ci)[0].is_number() && (*ci)[1].is_number() &&
            (*ci)[0].get<double>() > (*ci)[1].get<double>())
          add("/validation/metrics/" + std::to_string(i) + "/ci95", "lower bound must not exceed upper bound");
      }
    }
    // The evaluation report shipped in the package (medai.evaluation-report/1 JSON).
    const json* files = field(doc, "files");
    if (const json* report = field(*validation, "report"); report && report->is_string() && files &&
                                                             files->is_object() &&
                                                             !files->contains(report->get<std::string>()))
      add("/validation/report", "must be listed in files with its SHA-256");
  }
}

}  // namespace

std::string_view manifest_schema_text() { return embedded_manifest_schema(); }

bool is_safe_package_path(std::string_view path) {
  if (path.empty() || path.size() > 255 || path.front() == '/') return false;
  std::size_t start = 0;
  for (;;) {
    const std::size_t slash = path.find('/', start);
    const std::string_view segment = path.substr(start, slash == std::string_view::npos ? path.npos : slash - start);
    if (segment.empty() || segment == "." || segment == "..") return false;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  for (unsigned char c : path)
    if (c < 0x20 || c == 0x7f || c == '\\' || c == ':') return false;
  return true;
}

std::vector<ManifestProblem> check_manifest(const json& document, std::string_view expected_vendor) {
  std::vector<ManifestProblem> problems = schema_problems(document);
  semantic_problems(document, expected_vendor, problems);
  return problems;
}

Result<Manifest> parse_manifest(std::string_view bytes, std::string_view expected_vendor) {
  json doc = json::parse(bytes.begin(), bytes.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded())
    return make_error(ErrorCode::invalid_manifest, "manifest.json is not valid JSON",
                      {{"problems", json::array({{{"path", ""}, {"message", "not valid UTF-8 JSON"}}})}});
  const auto problems = check_manifest(doc, expected_vendor);
  if (!problems.empty()) {
    json list = json::array();
    for (const auto& p : problems) list.push_back({{"path", p.path}, {"message", p.message}});
    return make_error(ErrorCode::invalid_manifest,
                      "manifest.json has " + std::to_string(problems.size()) + " problem(s)", {{"problems", list}});
  }
  Manifest m;
  m.name = doc["name"].get<std::string>();
  m.vendor = doc["vendor"].get<std::string>();
  m.version = doc["version"].get<std::string>();
  m.semver = *parse_semver(m.version);
  m.task = doc["task"].get<std::string>();
  m.runtime = doc["model"]["runtime"].get<std::string>();
  m.artifact = doc["model"].value("artifact", std::string());
  m.input_kind = doc["input"]["kind"].get<std::string>();
  m.research_use_only = doc["research_use_only"].get<bool>();
  for (auto it = doc["files"].begin(); it != doc["files"].end(); ++it) m.files[it.key()] = it->get<std::string>();
  m.document = std::move(doc);
  return m;
}

}  // namespace medai::packages
