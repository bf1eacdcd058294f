#pragma once
// Internal to the SEG writers (binary: seg_writer.cc; probability maps:
// probability_seg_writer.cc): the pieces every DCMTK Segmentation of ours
// shares. DCMTK types allowed here; not included by public headers.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmfg/fgderimg.h>
#include <dcmtk/dcmseg/segdoc.h>

#include <functional>
#include <string>
#include <vector>

#include "annotations/dicom_object.h"
#include "annotations/provenance.h"
#include "annotations/seg_writer.h"

namespace medai::annotations::detail {

// The app's name ("medai" when none) as DCMTK's equipment and algorithm name.
std::string seg_app_name(const Producer& producer);

// General Equipment for DCMTK (it wants a serial number: the package digest
// identifies an app build).
IODGeneralEquipmentModule::EquipmentInfo seg_equipment(const Producer& producer);

// Content Identification: label, the research-prefixed description (default
// "<app> <version>") and the creator person name (empty for apps).
ContentIdentificationMacro seg_content(const Producer& producer, const SegOptions& options);

// Adds one AUTOMATIC segment (label, codes, description, CIELab colour,
// Tracking ID + a Tracking UID derived from the SEG's SOP Instance UID).
Status add_seg_segment(DcmSegmentation& seg, const SegmentSpec& spec, const Producer& producer,
                       const std::string& seg_sop_instance_uid);

// Derivation Image functional group of a frame: derived ("Segmentation")
// from one source image (purpose "Source image for image processing operation").
void derive_frame_from(FGDerivationImage& derivation, const std::string& sop_class_uid,
                       const std::string& sop_instance_uid);

// Series (UID, number), SOP Instance UID and instance number of the output.
void seg_identify(DcmSegmentation& seg, const OutputSeries& output);

// Common Instance Reference: the source instances (of `source`'s series) the frames derive from.
void seg_reference_sources(DcmSegmentation& seg, const SourceSeries& source,
                           const std::vector<std::string>& sop_instance_uids);

// Writes the data set and stamps what DCMTK would otherwise set from the
// clock or itself (series/SOP/dates from `output`, our equipment), so results
// are deterministic and carry the producer; `extra` may add attributes.
Result<DicomObject> seg_to_object(DcmSegmentation& seg, const SourceSeries& source, const Producer& producer,
                                  const OutputSeries& output,
                                  const std::function<void(DcmDataset&)>& extra = nullptr);

}  // namespace medai::annotations::detail
