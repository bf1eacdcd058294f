#include "datasets/imaging_export.h"
#include "core/files.h"

#include "core/ids.h"
#include "datasets/csv_table.h"
#include "deid/deidentifier.h"
#include "dicom/zip_writer.h"

namespace medai::datasets {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

}  // namespace

Result<ImagingExport> write_imaging_export(storage::Catalog& catalog, const storage::BlobStore& blobs,
                                           const ImagingExportSource& source, const std::vector<ExportItem>& items,
                                           const fs::path& out) {
  deid::DeidOptions options;
  options.retain_modified_dates = true;           // intervals between a patient's studies survive
  options.retain_patient_characteristics = true;  // age, sex, size, weight matter for research
  options.project = "dataset:" + source.dataset_id;
  MEDAI_ASSIGN_OR_RETURN(auto deidentifier, deid::Deidentifier::create(source.deid_secret, options));
  MEDAI_ASSIGN_OR_RETURN(auto zip, dicom::ZipWriter::create(out));
  ScopedFolder work{out.parent_path() / (".export-" + new_id("x"))};
  std::error_code ec;
  fs::create_directories(work.path, ec);
  if (ec) return make_error(ErrorCode::io_error, "cannot create the export work folder");

  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog.begin(storage::TxMode::read_only));
  ImagingExport result;
  CsvTable labels;
  labels.header = {"item", "patient", "split", "label", "modality", "series_path", "instances", "annotations"};
  json manifest = {{"format", "medai-imaging-export/1"},
                   {"deidentification", "DICOM PS3.15 E.1-1 basic profile; retain patient characteristics; "
                                        "retain longitudinal temporal information with modified dates"},
                   {"items", json::array()}};

  // De-identifies one stored instance into the archive.
  auto add_instance = [&](const std::string& blob_sha256, const std::string& folder) -> Result<std::string> {
    MEDAI_ASSIGN_OR_RETURN(auto path, blobs.path_of(blob_sha256));
    MEDAI_ASSIGN_OR_RETURN(auto report, deidentifier.apply_file(path, work.path));
    if (report.burned_in == deid::BurnedIn::yes || report.burned_in == deid::BurnedIn::unknown)
      ++result.burned_in_flags;
    const fs::path produced = report.output_file;
    Status s = zip.add_file(folder + "/" + produced.filename().string(), produced);
    fs::remove(produced, ec);
    MEDAI_RETURN_IF_ERROR(s);
    ++result.instances;
    return report.patient_pseudonym;
  };

  for (const auto& item : items) {
    const std::string series_uid = item.ref.value("series_uid", "");
    MEDAI_ASSIGN_OR_RETURN(auto rows, tx->query("SELECT blob_sha256 FROM dicom_instances WHERE institution_id = $1 "
                                                "AND series_uid = $2 ORDER BY instance_number, sop_instance_uid",
                                                {source.institution_id, series_uid}));
    if (rows.empty())
      return make_error(ErrorCode::conflict, "a series of the dataset is no longer stored",
                        {{"item", item.index}});
    const std::string split(split_name(item.split));
    const std::string pseudonym = item.group.empty() ? "unknown" : deidentifier.pseudonym_for(item.group);
    const std::string folder = split + "/" + pseudonym + "/series-" + std::to_string(item.index);
    for (const auto& r : rows) MEDAI_RETURN_IF_ERROR(add_instance(r.get_text("blob_sha256"), folder).status());
    int annotations = 0;
    for (const auto& a : item.ref.value("annotations", json::array())) {
      MEDAI_ASSIGN_OR_RETURN(auto row, tx->query_one("SELECT blob_sha256 FROM dicom_instances WHERE "
                                                     "institution_id = $1 AND sop_instance_uid = $2",
                                                     {source.institution_id, a.value("sop_instance_uid", "")}));
      if (!row) continue;  // deleted annotation: the image series is still exported
      MEDAI_RETURN_IF_ERROR(add_instance(row->get_text("blob_sha256"), folder + "/annotations").status());
      ++annotations;
    }
    ++result.series;
    labels.rows.push_back({std::to_string(item.index), pseudonym, split, item.label, item.ref.value("modality", ""),
                           folder, std::to_string(rows.size()), std::to_string(annotations)});
    manifest["items"].push_back({{"item", item.index},        {"patient", pseudonym},
                                 {"split", split},            {"label", item.label},
                                 {"path", folder},            {"instances", rows.size()},
                                 {"annotations", annotations}, {"modality", item.ref.value("modality", "")}});
  }
  manifest["series"] = result.series;
  manifest["instances"] = result.instances;
  manifest["burned_in_annotation_flags"] = result.burned_in_flags;
  MEDAI_RETURN_IF_ERROR(zip.add("labels.csv", to_csv(labels)));
  MEDAI_RETURN_IF_ERROR(zip.add("manifest.json", manifest.dump(2)));
  MEDAI_RETURN_IF_ERROR(zip.close());
  return result;
}

}  // namespace medai::datasets
