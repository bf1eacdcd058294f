#pragma once
// TrainingData over a frozen imaging dataset version: one item per series
// (its JSON reference, label and split, from the version's items) and the
// stored DICOM files of any series the items refer to (images and
// annotation objects), read from the instance store.
#include <memory>

#include "dicom/instance_store.h"
#include "storage/catalog.h"
#include "training/trainer.h"

namespace medai::training {

class ImagingTrainingData final : public TrainingData {
 public:
  // Reads the items of (dataset_id, version); dicom is used by series_files().
  static Result<std::unique_ptr<ImagingTrainingData>> load(storage::Catalog& catalog, dicom::InstanceStore& dicom,
                                                           const std::string& dataset_id, std::int64_t version);
  std::string kind() const override { return "imaging"; }
  const std::vector<Item>& items() const override { return items_; }
  const std::string& table_csv() const override { return empty_; }
  const std::string& label_column() const override { return empty_; }
  Result<std::vector<std::filesystem::path>> series_files(const std::string& study_uid,
                                                          const std::string& series_uid) const override;

 private:
  explicit ImagingTrainingData(dicom::InstanceStore& dicom) : dicom_(dicom) {}
  dicom::InstanceStore& dicom_;
  std::vector<Item> items_;
  std::string empty_;
};

}  // namespace medai::training
