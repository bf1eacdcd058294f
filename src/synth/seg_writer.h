#pragma once
// Writes a labelled volume as one binary DICOM Segmentation (SEG) object on
// the geometry of a CT series: one segment per label value, one frame per
// (segment, slice containing it), each frame derived from its CT instance
// (Derivation Image + Plane Position functional groups), the CT series listed
// in the Common Instance Reference module. Segment numbers are 1..n in the
// order of `segments`.
#include <array>
#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"
#include "synth/ct_writer.h"
#include "synth/dicom_common.h"
#include "synth/volume.h"

namespace medai::synth {

struct Code {
  std::string value, scheme, meaning;
};

struct SegSegment {
  std::uint8_t label = 1;  // voxel value of this segment (when `bits` is 0)
  std::uint8_t bits = 0;   // if non-zero: voxels with any of these bits set (overlapping structures)
  std::string name;        // Segment Label
  std::string description;
  Code category;           // CID 7150
  Code type;               // CID 7151
  std::array<int, 3> rgb{255, 0, 0};
  std::string tracking_id;
};

struct SegWriteOptions {
  SeriesInfo series;       // modality forced to SEG
  std::string sop_uid;
  std::string content_label = "GROUND_TRUTH";
  std::string content_description = "Synthetic ground truth (exact by construction)";
};

// `labels` has the CT's geometry (same nx, ny, nz, spacing, origin); values
// matched by no segment are background.
Status write_label_seg(const Volume<std::uint8_t>& labels, const std::vector<SegSegment>& segments,
                       const WrittenSeries& source, const StudyIdentity& id, const SegWriteOptions& options,
                       const std::filesystem::path& path);

// Well-known codes (SNOMED CT) for segment categories and types.
namespace codes {
inline const Code kMorphAbnormal{"49755003", "SCT", "Morphologically Abnormal Structure"};
inline const Code kAnatomicalStructure{"123037004", "SCT", "Anatomical Structure"};
inline const Code kNodule{"27925004", "SCT", "Nodule"};
inline const Code kNeoplasm{"108369006", "SCT", "Neoplasm"};
inline const Code kLeftLung{"44029006", "SCT", "Left lung"};
inline const Code kRightLung{"3341006", "SCT", "Right lung"};
inline const Code kSpinalCord{"2748008", "SCT", "Spinal cord"};
inline const Code kHeart{"80891009", "SCT", "Heart"};
inline const Code kBody{"123037004", "SCT", "Body structure"};
}  // namespace codes

}  // namespace medai::synth
