#pragma once
// A TrainingData over synthetic studies written by `medai synth` (the same
// generator code) into a temp dir: series UIDs map to the files of a
// folder, annotation references to one file.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "synth/study_output.h"
#include "training/trainer.h"

namespace medai::training::testing {

class FakeTrainingData final : public TrainingData {
 public:
  std::string kind() const override { return "imaging"; }
  const std::vector<Item>& items() const override { return items_; }
  const std::string& table_csv() const override { return empty_; }
  const std::string& label_column() const override { return empty_; }
  Result<std::vector<std::filesystem::path>> series_files(const std::string& study_uid,
                                                          const std::string& series_uid) const override {
    auto it = series_.find(series_uid);
    if (it == series_.end()) return make_error(ErrorCode::not_found, "series not stored");
    return it->second;
  }

  // A `medai synth rt --small` study as one item with its RTSTRUCT.
  void add_rt_study(const std::filesystem::path& dir, std::uint64_t seed, int index, const std::string& split) {
    synth::StudyOptions o;
    o.small = true;
    o.threads = 1;
    auto gt = synth::write_study("rt", seed, index, o, dir);
    if (!gt) throw std::runtime_error(gt.status().to_string());
    const std::string series = (*gt)["ct"]["series_instance_uid"];
    add_folder(series, dir / "ct");
    const std::string rt_key = "rtstruct:" + dir.string();
    series_[rt_key] = {dir / "rtstruct.dcm"};
    nlohmann::json ref{{"study_uid", (*gt)["study_instance_uid"]},
                       {"series_uid", series},
                       {"modality", "CT"},
                       {"annotations",
                        {{{"kind", "RTSTRUCT"}, {"series_uid", rt_key},
                          {"sop_instance_uid", (*gt)["rtstruct"]["sop_instance_uid"]}}}}};
    items_.push_back({"rt", split, ref});
  }

  // A `medai synth chest-ct --small` study (at least `min_nodules`) with its nodule SEG.
  void add_chest_ct(const std::filesystem::path& dir, std::uint64_t seed, int index, const std::string& split,
                    int min_nodules) {
    synth::StudyOptions o;
    o.small = true;
    o.threads = 1;
    o.min_nodules = min_nodules;
    auto gt = synth::write_study("chest-ct", seed, index, o, dir);
    if (!gt) throw std::runtime_error(gt.status().to_string());
    const std::string series = (*gt)["ct"]["series_instance_uid"];
    add_folder(series, dir / "ct");
    nlohmann::json annotations = nlohmann::json::array();
    if (!(*gt)["seg"].is_null()) {
      const std::string seg_series = (*gt)["seg"]["series_instance_uid"];
      series_[seg_series] = {dir / "seg.dcm"};
      annotations.push_back({{"kind", "SEG"}, {"series_uid", seg_series},
                             {"sop_instance_uid", (*gt)["seg"]["sop_instance_uid"]}});
    }
    items_.push_back({"nodules", split,
                      {{"study_uid", (*gt)["study_instance_uid"]}, {"series_uid", series}, {"modality", "CT"},
                       {"annotations", annotations}}});
  }

  // A `medai synth mammo --small` exam (4 views, one series) labelled with its exam label.
  void add_mammo_exam(const std::filesystem::path& dir, std::uint64_t seed, int index, const std::string& split,
                      bool force_lesion) {
    synth::StudyOptions o;
    o.small = true;
    o.threads = 1;
    o.force_lesion = force_lesion;
    auto gt = synth::write_study("mammo", seed, index, o, dir);
    if (!gt) throw std::runtime_error(gt.status().to_string());
    const std::string series = (*gt)["series_instance_uid"];
    add_folder(series, dir);
    items_.push_back({(*gt)["exam_label"].get<std::string>(), split,
                      {{"study_uid", (*gt)["study_instance_uid"]}, {"series_uid", series}, {"modality", "MG"}}});
  }

  // The DICOM files (*.dcm) of a folder as one series.
  void add_folder(const std::string& series_uid, const std::filesystem::path& folder) {
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(folder))
      if (e.path().extension() == ".dcm") files.push_back(e.path());
    series_[series_uid] = files;
  }
  std::vector<Item>& mutable_items() { return items_; }
  std::map<std::string, std::vector<std::filesystem::path>>& series() { return series_; }

 private:
  std::vector<Item> items_;
  std::map<std::string, std::vector<std::filesystem::path>> series_;
  std::string empty_;
};

// Records reports; cancels once an epoch-end report of `cancel_after_epoch` arrived.
class RecordingSink final : public TrainingSink {
 public:
  explicit RecordingSink(int cancel_after_epoch = 0) : cancel_after_(cancel_after_epoch) {}
  void report(const TrainingProgress& p) override {
    reports.push_back(p);
    if (cancel_after_ > 0 && p.step == p.steps && p.epoch >= cancel_after_) cancel_ = true;
  }
  bool cancelled() const override { return cancel_; }
  std::vector<TrainingProgress> reports;

 private:
  int cancel_after_;
  bool cancel_ = false;
};

}  // namespace medai::training::testing
