#include "datasets/nifti_export.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcitem.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>

#include "annotations/rtstruct_reader.h"
#include "annotations/seg_reader.h"
#include "annotations/source_series.h"
#include "core/files.h"
#include "core/ids.h"
#include "datasets/csv_table.h"
#include "datasets/nifti_volume.h"
#include "deid/deidentifier.h"
#include "dicom/zip_writer.h"
#include "imaging/ops/resample.h"
#include "imaging/series_volume.h"

namespace medai::datasets {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

bool is_label_kind(const std::string& kind) { return kind == "SEG" || kind == "RTSTRUCT"; }

// The name a structure gets in the label map: its Segment Label / ROI Name,
// or a stand-in when the object leaves it empty.
std::string structure_name(const std::string& name, const std::string& kind, int number) {
  if (!name.empty()) return name;
  return (kind == "SEG" ? "segment-" : "roi-") + std::to_string(number);
}

std::string text_of(DcmItem& item, const DcmTagKey& tag) {
  OFString v;
  item.findAndGetOFString(tag, v);
  return v.c_str();
}

// Structure names of a stored SEG or RTSTRUCT from its header alone (pixel
// data and contour points stay on disk).
Result<std::vector<std::string>> structure_names_of(const fs::path& file, const std::string& kind) {
  DcmFileFormat ff;
  if (ff.loadFile(file.c_str(), EXS_Unknown, EGL_noChange, 4096).bad())
    return make_error(ErrorCode::invalid_dicom, "an annotation object does not parse");
  DcmDataset& d = *ff.getDataset();
  const bool seg = kind == "SEG";
  const DcmTagKey seq = seg ? DCM_SegmentSequence : DCM_StructureSetROISequence;
  std::vector<std::string> out;
  DcmItem* item = nullptr;
  for (int i = 0; d.findAndGetSequenceItem(seq, item, i).good(); ++i) {
    Sint32 number = 0;
    item->findAndGetSint32(seg ? DCM_SegmentNumber : DCM_ROINumber, number);
    out.push_back(structure_name(text_of(*item, seg ? DCM_SegmentLabel : DCM_ROIName), kind, number));
  }
  return out;
}

bool close_grid(const imaging::Volume<std::uint8_t>& m, const imaging::Volume<float>& v) {
  if (m.nx != v.nx || m.ny != v.ny || m.nz != v.nz) return false;
  for (int a = 0; a < 3; ++a)
    if (std::fabs(m.spacing[a] - v.spacing[a]) > 1e-3 || std::fabs(m.origin[a] - v.origin[a]) > 1e-3) return false;
  for (int a = 0; a < 9; ++a)
    if (std::fabs(m.direction[a] - v.direction[a]) > 1e-6) return false;
  return true;
}

struct NamedMask {
  std::string name;
  imaging::Volume<std::uint8_t> mask;
};

// The masks of one item's SEG and RTSTRUCT annotations on the series' grid.
Result<std::vector<NamedMask>> masks_of(const std::vector<fs::path>& files,
                                        const std::vector<std::pair<std::string, fs::path>>& annotations) {
  MEDAI_ASSIGN_OR_RETURN(annotations::SourceSeries geometry, annotations::source_series_from_files(files));
  std::vector<NamedMask> out;
  for (const auto& [kind, path] : annotations) {
    MEDAI_ASSIGN_OR_RETURN(std::string bytes, read_file(path));
    if (kind == "SEG") {
      MEDAI_ASSIGN_OR_RETURN(annotations::SegLabels seg, annotations::read_seg(bytes, geometry));
      for (std::size_t i = 0; i < seg.masks.size(); ++i)
        out.push_back({structure_name(seg.segments[i].label, kind, seg.segments[i].number), std::move(seg.masks[i])});
    } else {
      MEDAI_ASSIGN_OR_RETURN(annotations::RtStructContents rt, annotations::parse_rtstruct(bytes));
      MEDAI_ASSIGN_OR_RETURN(annotations::RtMasks masks, annotations::rasterise_rtstruct(rt, geometry));
      for (std::size_t i = 0; i < masks.masks.size(); ++i)
        out.push_back({structure_name(rt.rois[i].name, kind, rt.rois[i].number), std::move(masks.masks[i])});
    }
  }
  return out;
}

std::string error_name(const Status& s) {
  const json& d = s.detail();
  std::string out(error_code_name(s.code()));
  if (d.is_object() && d.contains("reason") && d["reason"].is_string()) out += ":" + d["reason"].get<std::string>();
  return out;
}

// Writes one NIfTI file into the work folder with `write`, adds it to the
// zip as `name` and removes it again.
template <typename Write>
Result<NiftiWritten> add_nifti(dicom::ZipWriter& zip, const std::string& name, const fs::path& file, Write&& write) {
  auto written = write(file);
  Status added = written ? zip.add_file(name, file) : written.status();
  std::error_code ec;
  fs::remove(file, ec);
  MEDAI_RETURN_IF_ERROR(added);
  return written;
}

}  // namespace

Result<NiftiExport> write_nifti_export(storage::Catalog& catalog, const storage::BlobStore& blobs,
                                       const ImagingExportSource& source, const std::vector<ExportItem>& items,
                                       std::optional<Split> only, const fs::path& out) {
  deid::DeidOptions options;  // the same project as the DICOM export, so pseudonyms agree
  options.retain_modified_dates = true;
  options.retain_patient_characteristics = true;
  options.project = "dataset:" + source.dataset_id;
  MEDAI_ASSIGN_OR_RETURN(auto deidentifier, deid::Deidentifier::create(source.deid_secret, options));
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog.begin(storage::TxMode::read_only));

  auto annotation_file = [&](const json& a) -> Result<std::optional<fs::path>> {
    MEDAI_ASSIGN_OR_RETURN(auto row, tx->query_one("SELECT blob_sha256 FROM dicom_instances WHERE institution_id = $1 "
                                                   "AND sop_instance_uid = $2",
                                                   {source.institution_id, a.value("sop_instance_uid", "")}));
    if (!row) return std::optional<fs::path>();  // deleted annotation
    MEDAI_ASSIGN_OR_RETURN(auto path, blobs.path_of(row->get_text("blob_sha256")));
    return std::optional<fs::path>(path);
  };

  // Pass 1: structure names of every annotation of the version → label values.
  std::set<std::string> names;
  for (const auto& item : items)
    for (const auto& a : item.ref.value("annotations", json::array())) {
      const std::string kind = a.value("kind", "");
      if (!is_label_kind(kind)) continue;
      MEDAI_ASSIGN_OR_RETURN(auto file, annotation_file(a));
      if (!file) continue;
      auto found = structure_names_of(*file, kind);
      if (!found) continue;  // reported per item below
      names.insert(found->begin(), found->end());
    }
  if (names.size() > 65535) return make_error(ErrorCode::unprocessable, "more than 65535 structures");
  std::map<std::string, std::uint16_t> value_of;
  json structures = json::object();
  for (const auto& n : names) {
    const auto v = static_cast<std::uint16_t>(value_of.size() + 1);
    value_of[n] = v;
    structures[std::to_string(v)] = n;
  }

  // Pass 2: the files.
  MEDAI_ASSIGN_OR_RETURN(auto zip, dicom::ZipWriter::create(out, dicom::ZipWriter::Compression::store));
  ScopedFolder work{out.parent_path() / (".export-" + new_id("x"))};
  std::error_code ec;
  fs::create_directories(work.path, ec);
  if (ec) return make_error(ErrorCode::io_error, "cannot create the export work folder");

  NiftiExport result;
  result.structures = static_cast<std::int64_t>(value_of.size());
  CsvTable csv;
  csv.header = {"item", "patient", "split", "label", "modality", "image", "label_map", "structures"};
  json manifest_items = json::array(), per_item_structures = json::object();
  std::int64_t image_errors = 0;
  for (const auto& item : items) {
    if (only && item.split != *only) continue;
    const std::string split(split_name(item.split));
    const std::string name = "item-" + std::to_string(item.index);
    const std::string pseudonym = item.group.empty() ? "unknown" : deidentifier.pseudonym_for(item.group);
    const std::string modality = item.ref.value("modality", "");
    json entry = {{"item", item.index}, {"patient", pseudonym}, {"split", split}, {"label", item.label},
                  {"modality", modality}};
    MEDAI_ASSIGN_OR_RETURN(auto rows, tx->query("SELECT blob_sha256 FROM dicom_instances WHERE institution_id = $1 "
                                                "AND series_uid = $2 ORDER BY instance_number, sop_instance_uid",
                                                {source.institution_id, item.ref.value("series_uid", "")}));
    if (rows.empty())
      return make_error(ErrorCode::conflict, "a series of the dataset is no longer stored", {{"item", item.index}});
    std::vector<fs::path> files;
    for (const auto& r : rows) {
      MEDAI_ASSIGN_OR_RETURN(auto p, blobs.path_of(r.get_text("blob_sha256")));
      files.push_back(std::move(p));
    }
    auto series = imaging::load_series_volume(files);
    if (!series) {  // e.g. a projection image or an irregular series: reported, the rest is exported
      ++image_errors;
      entry["image"] = nullptr;
      entry["image_error"] = error_name(series.status());
      manifest_items.push_back(entry);
      csv.rows.push_back({std::to_string(item.index), pseudonym, split, item.label, modality, "", "", ""});
      continue;
    }
    const auto& volume = series->volume;
    const std::string image_name = "images/" + split + "/" + name + ".nii.gz";
    MEDAI_ASSIGN_OR_RETURN(NiftiWritten image,
                           add_nifti(zip, image_name, work.path / (name + ".nii.gz"),
                                     [&](const fs::path& f) { return write_nifti_image(volume, f); }));
    ++result.images;
    entry["image"] = image_name;
    entry["image_datatype"] = image.datatype;
    entry["shape"] = {volume.nx, volume.ny, volume.nz};
    entry["spacing"] = {volume.spacing[0], volume.spacing[1], volume.spacing[2]};
    entry["affine"] = nifti_affine(volume);

    std::vector<std::pair<std::string, fs::path>> annotations;
    for (const auto& a : item.ref.value("annotations", json::array())) {
      const std::string kind = a.value("kind", "");
      if (!is_label_kind(kind)) continue;
      MEDAI_ASSIGN_OR_RETURN(auto file, annotation_file(a));
      if (file) annotations.emplace_back(kind, *file);
    }
    std::string label_name, structures_text;
    entry["labels"] = nullptr;
    if (!annotations.empty()) {
      auto masks = masks_of(files, annotations);
      if (!masks) {
        ++result.label_errors;
        entry["label_error"] = error_name(masks.status());
      } else {
        // Larger structures first, so one inside another stays visible.
        std::vector<std::size_t> voxels(masks->size()), order(masks->size());
        for (std::size_t i = 0; i < masks->size(); ++i)
          voxels[i] = static_cast<std::size_t>(
              std::count_if((*masks)[i].mask.data.begin(), (*masks)[i].mask.data.end(), [](auto x) { return x != 0; }));
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return voxels[a] > voxels[b]; });
        auto map = volume.like<std::uint16_t>(0);
        json present = json::object();
        for (std::size_t i : order) {
          auto& m = (*masks)[i];
          if (!close_grid(m.mask, volume)) m.mask = imaging::resample_to_grid(m.mask, volume.like<std::uint8_t>(0), 0, 2);
          const std::uint16_t value = value_of.count(m.name) ? value_of.at(m.name) : 0;
          if (value == 0) continue;  // cannot happen: pass 1 saw the same objects
          for (std::size_t v = 0; v < m.mask.data.size(); ++v)
            if (m.mask.data[v]) map.data[v] = value;
          present[std::to_string(value)] = m.name;
        }
        std::map<std::uint16_t, std::int64_t> counts;
        for (auto v : map.data)
          if (v) ++counts[v];
        json voxel_counts = json::object();
        for (const auto& [v, n] : counts) voxel_counts[std::to_string(v)] = n;
        label_name = "labels/" + split + "/" + name + ".nii.gz";
        MEDAI_ASSIGN_OR_RETURN(NiftiWritten labels,
                               add_nifti(zip, label_name, work.path / ("labels-" + name + ".nii.gz"),
                                         [&](const fs::path& f) { return write_nifti_labels(map, f); }));
        ++result.label_maps;
        entry["labels"] = label_name;
        entry["labels_datatype"] = labels.datatype;
        entry["structures"] = present;
        entry["voxels"] = voxel_counts;
        per_item_structures[name] = present;
        for (const auto& [v, n] : present.items())
          structures_text += (structures_text.empty() ? "" : ";") + v + "=" + n.get<std::string>();
      }
    }
    manifest_items.push_back(entry);
    csv.rows.push_back({std::to_string(item.index), pseudonym, split, item.label, modality, image_name,
                        label_name, structures_text});
  }
  if (result.images == 0 && image_errors > 0)
    return make_error(ErrorCode::unprocessable, "no series of the export could be read as a volume",
                      {{"series", image_errors}});
  json labels_json = {{"background", 0}, {"structures", structures}, {"items", per_item_structures}};
  json manifest = {{"format", "medai-nifti-export/1"},
                   {"coordinates", "NIfTI-1 RAS+ (mm); qform and sform from DICOM Image Position/Orientation "
                                   "(Patient), LPS negated in x and y"},
                   {"values", "as the series loader gives them (Rescale Slope/Intercept applied: HU for CT)"},
                   {"deidentification", "no DICOM header is exported; patients are pseudonyms; NIfTI header text "
                                        "fields hold nothing from the source"},
                   {"structures", structures},
                   {"images", result.images},
                   {"label_maps", result.label_maps},
                   {"label_errors", result.label_errors},
                   {"image_errors", image_errors},
                   {"items", manifest_items}};
  MEDAI_RETURN_IF_ERROR(zip.add("labels.json", labels_json.dump(2)));
  MEDAI_RETURN_IF_ERROR(zip.add("labels.csv", to_csv(csv)));
  MEDAI_RETURN_IF_ERROR(zip.add("manifest.json", manifest.dump(2)));
  MEDAI_RETURN_IF_ERROR(zip.close());
  return result;
}

}  // namespace medai::datasets
