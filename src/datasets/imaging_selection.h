#pragma once
// Reads the DICOM index for an imaging dataset: the image series of one
// institution that match a selection, each with the patient it belongs to and
// the annotation objects (SEG, RTSTRUCT, SR) of the same study that reference
// it. References are read from the stored objects themselves (Referenced
// Series Sequence in SEG/SR evidence, RT Referenced Series in RTSTRUCT).
#include <string>
#include <vector>

#include "core/status.h"
#include "datasets/imaging_dataset.h"
#include "storage/blob_store.h"
#include "storage/catalog.h"

namespace medai::datasets {

// Modalities of objects that annotate images rather than being images.
bool is_annotation_modality(const std::string& modality);

Result<std::vector<ImagingSeries>> select_imaging_series(storage::Catalog& catalog, const storage::BlobStore& blobs,
                                                         const std::string& institution_id,
                                                         const ImagingSelection& selection);

// Series UIDs referenced anywhere inside the sequences of a stored SEG,
// RTSTRUCT or SR (not its own Series Instance UID). invalid_dicom when the
// bytes do not parse.
Result<std::vector<std::string>> referenced_series_of(const std::string& dicom_file);

}  // namespace medai::datasets
