#pragma once
// The NIfTI export of an imaging dataset version (DatasetStore::export_nifti):
// a zip with
//   images/<split>/item-<n>.nii.gz   the series as a volume (values as the
//                                    series loader gives them: HU for CT),
//                                    affine from the DICOM geometry (LPS → RAS)
//   labels/<split>/item-<n>.nii.gz   the SEG / RTSTRUCT annotations of the
//                                    series as one label map on the image
//                                    grid (0 = background)
//   labels.json                      label value → structure name, for the
//                                    export and per item
//   labels.csv, manifest.json        one row / entry per item (patient
//                                    pseudonym, split, label, files, shape,
//                                    spacing, voxels per label value)
// Structure values are the same for every item of the export: the structure
// names of all annotations of the version (not only of the exported split)
// sorted, numbered from 1, so exports of different splits agree. Larger
// structures are painted first, so a structure inside another stays visible.
// Labels need an axial series (the SEG/RTSTRUCT readers rasterise onto axial
// grids); an item whose labels cannot be made gets no label file and the
// reason in manifest.json (label_error), the image is still exported.
#include <filesystem>
#include <optional>
#include <vector>

#include "core/status.h"
#include "datasets/imaging_export.h"

namespace medai::datasets {

// `items`: every item of the version (structure numbering); `only`: the split to write.
Result<NiftiExport> write_nifti_export(storage::Catalog& catalog, const storage::BlobStore& blobs,
                                       const ImagingExportSource& source, const std::vector<ExportItem>& items,
                                       std::optional<Split> only, const std::filesystem::path& out);

}  // namespace medai::datasets
