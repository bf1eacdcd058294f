#include "training/imaging_training_data.h"

#include "access/principal.h"

namespace medai::training {

Result<std::unique_ptr<ImagingTrainingData>> ImagingTrainingData::load(storage::Catalog& catalog,
                                                                       dicom::InstanceStore& dicom,
                                                                       const std::string& dataset_id,
                                                                       std::int64_t version) {
  std::unique_ptr<ImagingTrainingData> data(new ImagingTrainingData(dicom));
  // The dataset module's item table (migration 0005), read-only: a frozen
  // version's items never change.
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog.begin(storage::TxMode::read_only));
  MEDAI_ASSIGN_OR_RETURN(auto rows, tx->query("SELECT split, label, ref FROM dataset_items WHERE dataset_id = $1 AND "
                                              "version = $2 ORDER BY item_index",
                                              {dataset_id, version}));
  for (const auto& r : rows) {
    auto ref = nlohmann::json::parse(r.get_text("ref"), nullptr, false);
    if (!ref.is_object()) return make_error(ErrorCode::internal, "an imaging dataset item has no series reference");
    data->items_.push_back({r.get_text("label"), r.get_text("split"), std::move(ref)});
  }
  if (data->items_.empty()) return make_error(ErrorCode::unprocessable, "the dataset version has no items");
  return data;
}

Result<std::vector<std::filesystem::path>> ImagingTrainingData::series_files(const std::string& study_uid,
                                                                             const std::string& series_uid) const {
  // The job was authorised when it was created; the dataset's own series are
  // read as the system (no per-instance audit rows for a training read).
  MEDAI_ASSIGN_OR_RETURN(auto instances,
                         dicom_.locate(access::system_principal(), {study_uid, series_uid, ""}, ""));
  std::vector<std::filesystem::path> out;
  out.reserve(instances.size());
  for (const auto& i : instances) out.push_back(i.path);
  return out;
}

}  // namespace medai::training
