#include "training/torch/hyper_params.h"

#include <cmath>
#include <set>

namespace medai::training::torch_nets {
namespace {

using nlohmann::json;

struct Problems {
  json list = json::array();
  void add(const std::string& field, const std::string& message) {
    list.push_back({{"field", field}, {"message", message}});
  }
};

bool is_int(const json& v) { return v.is_number_integer() || v.is_number_unsigned(); }

void read_int(const json& h, const char* key, int lo, int hi, int& out, Problems& p) {
  if (!h.contains(key)) return;
  const json& v = h[key];
  if (!is_int(v) || v.get<std::int64_t>() < lo || v.get<std::int64_t>() > hi) {
    p.add(key, "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
    return;
  }
  out = v.get<int>();
}

void read_number(const json& obj, const std::string& field, const char* key, double lo, double hi, bool lo_open,
                 double& out, Problems& p) {
  if (!obj.contains(key)) return;
  const json& v = obj[key];
  const bool ok = v.is_number() && std::isfinite(v.get<double>()) &&
                  (lo_open ? v.get<double>() > lo : v.get<double>() >= lo) && v.get<double>() <= hi;
  if (!ok) {
    std::string range = (lo_open ? "greater than " : "at least ") + json(lo).dump() + " and at most " + json(hi).dump();
    p.add(field, "must be a number " + range);
    return;
  }
  out = v.get<double>();
}

void read_choice(const json& h, const char* key, const std::vector<std::string>& allowed, std::string& out,
                 Problems& p) {
  if (!h.contains(key)) return;
  const json& v = h[key];
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : " | ") + a;
  if (!v.is_string() || std::find(allowed.begin(), allowed.end(), v.get<std::string>()) == allowed.end()) {
    p.add(key, "must be one of " + list);
    return;
  }
  out = v.get<std::string>();
}

void read_augmentation(const json& v, Augmentation& a, Problems& p) {
  if (v.is_boolean()) {
    if (!v.get<bool>()) a = Augmentation{false, false, 0, 0, 0, 0};
    return;
  }
  if (!v.is_object()) {
    p.add("augmentation", "must be true, false or an object {flip, rotate90, rotate_degrees, scale, "
                          "intensity_shift, intensity_scale}");
    return;
  }
  static const std::set<std::string> keys{"flip", "rotate90", "rotate_degrees", "scale", "intensity_shift",
                                          "intensity_scale"};
  for (const auto& [k, val] : v.items())
    if (!keys.count(k)) p.add("augmentation." + k, "unknown augmentation");
  for (const char* k : {"flip", "rotate90"}) {
    if (!v.contains(k)) continue;
    if (!v[k].is_boolean()) p.add(std::string("augmentation.") + k, "must be true or false");
    else (std::string(k) == "flip" ? a.flip : a.rotate90) = v[k].get<bool>();
  }
  read_number(v, "augmentation.rotate_degrees", "rotate_degrees", 0, 45, false, a.rotate_degrees, p);
  read_number(v, "augmentation.scale", "scale", 0, 0.5, false, a.scale, p);
  read_number(v, "augmentation.intensity_shift", "intensity_shift", 0, 1, false, a.intensity_shift, p);
  read_number(v, "augmentation.intensity_scale", "intensity_scale", 0, 0.9, false, a.intensity_scale, p);
}

}  // namespace

const std::vector<std::string>& allowed_losses(const std::string& architecture) {
  static const std::vector<std::string> seg{"dice_ce", "focal"}, cls{"weighted_bce", "focal"}, det{"focal"},
      none;
  if (architecture == "unet3d") return seg;
  if (architecture == "resnet2d") return cls;
  if (architecture == "detector3d") return det;
  return none;
}

json default_hyper_params(const std::string& architecture) {
  auto parsed = parse_hyper_params(architecture, json::object());
  if (!parsed) return json::object();
  const HyperParams& h = *parsed;
  const Augmentation& a = h.augmentation;
  json j = {{"epochs", h.epochs},
            {"batch_size", h.batch_size},
            {"lr", h.lr},
            {"schedule", h.schedule},
            {"optimiser", h.optimiser},
            {"weight_decay", h.weight_decay},
            {"loss", h.loss},
            {"augmentation", {{"flip", a.flip}, {"rotate90", a.rotate90}, {"rotate_degrees", a.rotate_degrees},
                              {"scale", a.scale}, {"intensity_shift", a.intensity_shift},
                              {"intensity_scale", a.intensity_scale}}},
            {"patch_size", h.patch_size},
            {"early_stopping", h.early_stopping.enabled ? json{{"patience", h.early_stopping.patience},
                                                               {"min_delta", h.early_stopping.min_delta}}
                                                         : json(false)}};
  if (architecture == "unet3d" || architecture == "detector3d") {
    j["base_channels"] = h.base_channels;
    j["spacing_mm"] = h.spacing_mm;
    j["window"] = h.window;
    j["foreground_fraction"] = h.foreground_fraction;
    j["patches_per_volume"] = h.patches_per_volume;
  }
  if (architecture == "unet3d") {
    j["depth"] = h.depth;
    j["deep_supervision"] = h.deep_supervision;
  }
  if (architecture == "resnet2d") {
    j["channels"] = h.channels;
    j["pooling"] = "mean";
  }
  return j;
}

double schedule_factor(const std::string& schedule, int epoch, int epochs) {
  const double t = epochs > 1 ? static_cast<double>(epoch) / epochs : 0.0;
  if (schedule == "cosine") return 0.5 * (1 + std::cos(M_PI * t)) * 0.99 + 0.01;
  if (schedule == "poly") return std::pow(1 - t, 0.9) * 0.99 + 0.01;
  if (schedule == "step") return std::pow(0.5, std::floor(3.0 * t));  // halves after each third
  return 1.0;
}

Result<HyperParams> parse_hyper_params(const std::string& architecture, const json& hyper) {
  Problems p;
  HyperParams h;
  const bool three_d = architecture == "unet3d" || architecture == "detector3d";
  if (allowed_losses(architecture).empty())
    return make_error(ErrorCode::invalid_argument, "unknown architecture for the LibTorch trainers",
                      {{"architecture", architecture}});
  h.loss = allowed_losses(architecture).front();
  h.patch_size = three_d ? std::vector<int>{32, 32, 32} : std::vector<int>{256, 256};
  h.batch_size = three_d ? 2 : 8;
  h.channels = {16, 32, 64, 128};
  if (architecture == "detector3d") h.spacing_mm = {2, 2, 2};
  const json in = hyper.is_null() ? json::object() : hyper;
  if (!in.is_object())
    return make_error(ErrorCode::invalid_argument, "hyper-parameters must be a JSON object",
                      {{"problems", {{{"field", "hyper"}, {"message", "must be an object"}}}}});

  std::set<std::string> known{"epochs", "batch_size", "lr", "schedule", "optimiser", "weight_decay", "loss",
                              "augmentation", "patch_size", "class_weights", "early_stopping", "seed"};
  if (architecture == "unet3d")
    known.insert({"depth", "base_channels", "deep_supervision", "spacing_mm", "window", "foreground_fraction",
                  "patches_per_volume", "classes"});
  if (architecture == "detector3d")
    known.insert({"base_channels", "spacing_mm", "window", "foreground_fraction", "patches_per_volume"});
  if (architecture == "resnet2d") known.insert({"channels", "positive_label", "pooling"});
  for (const auto& [k, v] : in.items())
    if (!known.count(k)) p.add(k, "unknown hyper-parameter for " + architecture);

  read_int(in, "epochs", 1, 10000, h.epochs, p);
  read_int(in, "batch_size", 1, 256, h.batch_size, p);
  read_number(in, "lr", "lr", 0, 1, true, h.lr, p);
  read_choice(in, "schedule", {"constant", "cosine", "step", "poly"}, h.schedule, p);
  read_choice(in, "optimiser", {"adam", "sgd"}, h.optimiser, p);
  read_number(in, "weight_decay", "weight_decay", 0, 1, false, h.weight_decay, p);
  read_choice(in, "loss", allowed_losses(architecture), h.loss, p);
  if (in.contains("augmentation")) read_augmentation(in["augmentation"], h.augmentation, p);

  if (in.contains("patch_size")) {
    const json& v = in["patch_size"];
    const std::size_t n = three_d ? 3 : 2;
    const int multiple = three_d ? (1 << (architecture == "unet3d" ? (in.contains("depth") && is_int(in["depth"])
                                                                           ? std::clamp(in["depth"].get<int>(), 1, 5)
                                                                           : 2)
                                                                     : 2))
                                 : 32;
    bool ok = v.is_array() && v.size() == n;
    if (ok)
      for (const auto& e : v) ok = ok && is_int(e) && e.get<int>() >= multiple && e.get<int>() <= (three_d ? 256 : 2048) &&
                                   e.get<int>() % multiple == 0;
    if (!ok)
      p.add("patch_size", "must be " + std::to_string(n) + " integers, each a multiple of " +
                              std::to_string(multiple) + " (the network's downsampling) up to " +
                              (three_d ? "256" : "2048"));
    else h.patch_size = v.get<std::vector<int>>();
  }
  if (in.contains("class_weights")) {
    const json& v = in["class_weights"];
    bool ok = v.is_array() && !v.empty() && v.size() <= 255;
    if (ok)
      for (const auto& e : v) ok = ok && e.is_number() && std::isfinite(e.get<double>()) && e.get<double>() > 0;
    if (!ok) p.add("class_weights", "must be a non-empty list of positive numbers (one per class, background first)");
    else h.class_weights = v.get<std::vector<double>>();
  }
  if (in.contains("early_stopping")) {
    const json& v = in["early_stopping"];
    if (v.is_boolean()) {
      h.early_stopping.enabled = v.get<bool>();
    } else if (v.is_object()) {
      h.early_stopping.enabled = true;
      for (const auto& [k, val] : v.items())
        if (k != "patience" && k != "min_delta") p.add("early_stopping." + k, "unknown key (patience, min_delta)");
      if (v.contains("patience")) {
        if (!is_int(v["patience"]) || v["patience"].get<std::int64_t>() < 1 || v["patience"].get<std::int64_t>() > 1000)
          p.add("early_stopping.patience", "must be an integer from 1 to 1000");
        else h.early_stopping.patience = v["patience"].get<int>();
      }
      read_number(v, "early_stopping.min_delta", "min_delta", 0, 1, false, h.early_stopping.min_delta, p);
    } else {
      p.add("early_stopping", "must be true, false or an object {patience, min_delta}");
    }
  }
  if (in.contains("seed")) {
    if (!is_int(in["seed"]) || in["seed"].get<std::int64_t>() < 0) p.add("seed", "must be a non-negative integer");
    else h.seed = in["seed"].get<std::uint64_t>();
  }
  read_int(in, "depth", 1, 5, h.depth, p);
  read_int(in, "base_channels", 2, 64, h.base_channels, p);
  if (in.contains("deep_supervision")) {
    if (!in["deep_supervision"].is_boolean()) p.add("deep_supervision", "must be true or false");
    else h.deep_supervision = in["deep_supervision"].get<bool>();
  }
  if (in.contains("channels")) {
    const json& v = in["channels"];
    bool ok = v.is_array() && v.size() == 4;
    if (ok)
      for (const auto& e : v) ok = ok && is_int(e) && e.get<int>() >= 2 && e.get<int>() <= 512;
    if (!ok) p.add("channels", "must be 4 integers from 2 to 512 (one per stage)");
    else h.channels = v.get<std::vector<int>>();
  }
  if (in.contains("pooling") && (!in["pooling"].is_string() || (in["pooling"] != "mean" && in["pooling"] != "lse")))
    p.add("pooling", "must be \"mean\" or \"lse\"");  // resnet2d; read by its trainer
  if (in.contains("positive_label")) {
    if (!in["positive_label"].is_string() || in["positive_label"].get<std::string>().empty())
      p.add("positive_label", "must be a non-empty label of the dataset");
    else h.positive_label = in["positive_label"].get<std::string>();
  }
  if (in.contains("spacing_mm")) {
    const json& v = in["spacing_mm"];
    bool ok = v.is_array() && v.size() == 3;
    if (ok)
      for (const auto& e : v) ok = ok && e.is_number() && e.get<double>() >= 0.2 && e.get<double>() <= 20;
    if (!ok) p.add("spacing_mm", "must be 3 numbers from 0.2 to 20 (mm, x y z)");
    else h.spacing_mm = {v[0].get<double>(), v[1].get<double>(), v[2].get<double>()};
  }
  if (in.contains("window")) {
    const json& v = in["window"];
    if (!v.is_array() || v.size() != 2 || !v[0].is_number() || !v[1].is_number() || !(v[1].get<double>() > 0))
      p.add("window", "must be [centre, width] with width > 0");
    else h.window = {v[0].get<double>(), v[1].get<double>()};
  }
  read_number(in, "foreground_fraction", "foreground_fraction", 0, 1, false, h.foreground_fraction, p);
  read_int(in, "patches_per_volume", 1, 1000, h.patches_per_volume, p);
  if (in.contains("classes")) {
    const json& v = in["classes"];
    bool ok = v.is_object() && !v.empty() && v.size() <= 254;
    if (ok)
      for (const auto& [name, patterns] : v.items()) {
        ok = ok && !name.empty() && patterns.is_array() && !patterns.empty();
        if (ok)
          for (const auto& e : patterns) ok = ok && e.is_string() && !e.get<std::string>().empty();
        if (!ok) break;
        h.classes.emplace_back(name, patterns.get<std::vector<std::string>>());
      }
    if (!ok) {
      p.add("classes", "must map 1 to 254 class names to non-empty lists of structure name patterns");
      h.classes.clear();
    }
  }

  if (!p.list.empty())
    return make_error(ErrorCode::invalid_argument, "invalid hyper-parameters for " + architecture,
                      {{"problems", p.list}});
  return h;
}

namespace {

// Glob match with '*' (any run) and '?' (one character), iterative with backtracking.
bool glob_match(const std::string& pattern, const std::string& text) {
  std::size_t p = 0, t = 0, star = std::string::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace

std::string class_of_structure(const HyperParams& h, const std::string& structure) {
  if (h.classes.empty()) return structure;
  for (const auto& [name, patterns] : h.classes)
    for (const auto& pattern : patterns)
      if (glob_match(pattern, structure)) return name;
  return "";
}

}  // namespace medai::training::torch_nets
