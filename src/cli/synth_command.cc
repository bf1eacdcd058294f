// medai synth chest-ct|mammo|rt|diabetes: synthetic studies with ground truth.
#include <cstdlib>
#include <chrono>
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "cli/api_client.h"
#include "cli/stow_client.h"
#include "synth/study_output.h"

namespace medai::cli {
namespace {

struct SynthFlags {
  std::string kind;
  std::uint64_t seed = 1;
  int count = 1;
  std::string out = "synth";
  bool small = false;
  int threads = 2;
  bool json = false;
  int slices = 0;
  int matrix = 0;  // rt and chest-ct: in-plane matrix (0: 512)
  std::string to;     // server URL: send each study with STOW-RS after writing it
  std::string token;  // API token for --to
  std::string dataset;  // with --to: imaging dataset of the studies sent
};

std::string describe(const std::string& kind, const nlohmann::json& gt) {
  char buf[256];
  if (kind == "chest-ct") {
    int malignant = 0;
    for (const auto& n : gt["nodules"]) malignant += n["malignant"].get<bool>() ? 1 : 0;
    std::snprintf(buf, sizeof buf, "%d slices of %dx%d, %.2f mm; %zu nodule(s), %d malignant",
                  gt["ct"]["size"][2].get<int>(), gt["ct"]["size"][0].get<int>(), gt["ct"]["size"][1].get<int>(),
                  gt["ct"]["spacing_mm"][2].get<double>(), gt["nodules"].size(), malignant);
  } else if (kind == "mammo") {
    std::snprintf(buf, sizeof buf, "4 views, density %s, %s%s%s", gt["breast_density"].get<std::string>().c_str(),
                  gt["exam_label"].get<std::string>().c_str(), gt["lesion"].is_null() ? "" : ": ",
                  gt["lesion"].is_null() ? "" : gt["lesion"]["kind"].get<std::string>().c_str());
  } else if (kind == "rt") {
    std::snprintf(buf, sizeof buf, "%d slices, %zu structures, GTV %.1f cc", gt["ct"]["size"][2].get<int>(),
                  gt["rois"].size(), gt["gtv"]["volume_cc"].get<double>());
  } else {
    std::snprintf(buf, sizeof buf, "%d patients: ASCVD %d, HF %d, CKD %d, mean HbA1c %.2f%%", gt["patients"].get<int>(),
                  gt["ascvd"].get<int>(), gt["heart_failure"].get<int>(), gt["ckd"].get<int>(),
                  gt["mean_hba1c"].get<double>());
  }
  return buf;
}

// The study's label in a dataset made with --dataset: what a model trained
// on it would predict (chest CT: any malignant nodule; mammography: the exam
// label with the finding's side, "malignant:R"). RT studies are labelled by their RTSTRUCT/SEG instead.
std::string study_label(const std::string& kind, const nlohmann::json& gt) {
  if (kind == "chest-ct") {
    bool malignant = false;
    for (const auto& n : gt.value("nodules", nlohmann::json::array())) malignant |= n.value("malignant", false);
    return malignant ? "malignant" : gt.value("nodules", nlohmann::json::array()).empty() ? "no-nodule" : "benign";
  }
  if (kind == "mammo") return gt.value("dataset_label", gt.value("exam_label", ""));  // "malignant:R": side of the finding
  return "";
}

void run(const SynthFlags& f) {
  namespace fs = std::filesystem;
  synth::StudyOptions options;
  options.small = f.small;
  options.threads = f.threads;
  options.slices = f.slices;
  options.matrix = f.matrix;
  nlohmann::json summary = nlohmann::json::array();
  nlohmann::json study_uids = nlohmann::json::array(), labels = nlohmann::json::object();
  // The diabetes cohort is one folder of `count` patients; the imaging kinds
  // write one folder per study.
  const int studies = f.kind == "diabetes" ? 1 : f.count;
  for (int i = 1; i <= studies; ++i) {
    char name[64];
    std::snprintf(name, sizeof name, "%s-%04d", f.kind.c_str(), i);
    const fs::path dir = fs::path(f.out) / (f.kind == "diabetes" ? std::string("diabetes") : std::string(name));
    const auto t0 = std::chrono::steady_clock::now();
    Result<nlohmann::json> r = synth::write_study(f.kind, f.seed, f.kind == "diabetes" ? f.count : i, options, dir);
    if (!r.is_ok()) fail(r.status());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!f.to.empty() && f.kind != "diabetes") {
      auto sent = stow_files({f.to + "/dicom-web", f.token, 50}, collect_files(dir));
      if (!sent) fail(sent.status());
      for (const auto& s : *sent)
        if (!s.stored && s.file.extension() == ".dcm")
          fail(make_error(ErrorCode::remote_failure, "STOW-RS of " + s.file.string() + " failed: " + s.reason));
      const std::string study = r.value().value("study_instance_uid", "");
      study_uids.push_back(study);
      if (const std::string label = study_label(f.kind, r.value()); !label.empty()) labels[study] = label;
    }
    if (f.json) {
      summary.push_back({{"folder", dir.string()}, {"seconds", seconds}, {"ground_truth", r.value()}});
    } else {
      std::printf("%s  %s  (%.2f s)\n", dir.string().c_str(), describe(f.kind, r.value()).c_str(), seconds);
    }
  }
  if (!f.dataset.empty() && !study_uids.empty()) {
    // The studies just sent become an imaging dataset (labels from the
    // ground truth where the kind has one, else from the annotation objects).
    nlohmann::json body = {{"kind", "imaging"},
                           {"name", f.dataset},
                           {"data_use", "research and development on synthetic data"},
                           {"licence", "synthetic data generated by medai (no patient data)"},
                           {"source", "medai synth " + f.kind + " --seed " + std::to_string(f.seed)},
                           {"selection", {{"study_uids", study_uids}}}};
    if (!labels.empty()) body["labels"] = labels;
    ApiClient client(f.to, f.token);
    auto ds = client.call("POST", "/api/v1/datasets", body);
    if (!ds) fail(ds.status());
    if (!f.json) std::printf("dataset %s: %s\n", f.dataset.c_str(), (*ds)["id"].get<std::string>().c_str());
  }
  if (f.json) std::cout << summary.dump(2) << "\n";
}

}  // namespace

void add_synth_command(CLI::App& app) {
  auto flags = std::make_shared<SynthFlags>();
  auto* cmd = app.add_subcommand("synth", "Generate synthetic studies with ground truth (DICOM, JSON, CSV, FHIR)");
  cmd->add_option("kind", flags->kind, "chest-ct | mammo | rt | diabetes")
      ->required()
      ->check(CLI::IsMember({"chest-ct", "mammo", "rt", "diabetes"}));
  cmd->add_option("--seed", flags->seed, "seed: the same seed gives the same bytes")->capture_default_str();
  cmd->add_option("--count", flags->count, "studies to write (diabetes: patients)")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_option("--out", flags->out, "output folder (one sub-folder per study)")->capture_default_str();
  cmd->add_flag("--small", flags->small, "small images for tests (CT 128x128x64, MG 512x416)");
  cmd->add_option("--threads", flags->threads, "worker threads")->check(CLI::Range(1, 64))->capture_default_str();
  cmd->add_option("--slices", flags->slices, "chest-ct: number of slices (200-1000; default drawn from the seed, 200-350; "
                  "above 350 the slices overlap: a thin-slice reconstruction)")
      ->check(CLI::Range(200, 1000));
  cmd->add_option("--matrix", flags->matrix,
                  "rt and chest-ct: in-plane matrix (128-512; default 512), same patient and field of view")
      ->check(CLI::Range(128, 512));
  cmd->add_option("--to", flags->to, "also send each study to this medai server (STOW-RS), e.g. http://127.0.0.1:8142");
  if (const char* t = std::getenv("MEDAI_TOKEN"); t && *t) flags->token = t;  // default; --token wins
  cmd->add_option("--token", flags->token, "API token for --to (default: $MEDAI_TOKEN)");
  cmd->add_option("--dataset", flags->dataset, "with --to: create an imaging dataset of the studies sent");
  cmd->add_flag("--json", flags->json, "print the ground truth of every study as JSON");
  cmd->callback([flags] {
    if (!flags->dataset.empty() && flags->to.empty())
      fail(make_error(ErrorCode::invalid_argument, "--dataset needs --to (the server that stores the studies)"));
    run(*flags);
  });
}

}  // namespace medai::cli
