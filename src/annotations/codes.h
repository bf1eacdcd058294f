#pragma once
// Coded concepts (DICOM Code Sequence Macro triplets) used by the writers and
// returned by the readers, with the well-known codes the platform writes.
#include <string>

namespace medai::annotations {

struct Code {
  std::string value;    // Code Value
  std::string scheme;   // Coding Scheme Designator: SCT, DCM, UCUM, ...
  std::string meaning;  // Code Meaning
  bool empty() const { return value.empty(); }
  bool operator==(const Code&) const = default;
};

namespace codes {
// Segment categories (CID 7150) and types (CID 7151 / 7166), SNOMED CT.
inline const Code kMorphAbnormal{"49755003", "SCT", "Morphologically Abnormal Structure"};
inline const Code kAnatomicalStructure{"123037004", "SCT", "Anatomical Structure"};
inline const Code kNodule{"27925004", "SCT", "Nodule"};
inline const Code kNeoplasm{"108369006", "SCT", "Neoplasm"};
inline const Code kLung{"39607008", "SCT", "Lung"};
inline const Code kLeftLung{"44029006", "SCT", "Left lung"};
inline const Code kRightLung{"3341006", "SCT", "Right lung"};
inline const Code kSpinalCord{"2748008", "SCT", "Spinal cord"};
inline const Code kHeart{"80891009", "SCT", "Heart"};
inline const Code kBody{"123037004", "SCT", "Body structure"};
// Measurements (TID 1500 / CID 7470), units (UCUM).
inline const Code kLongAxis{"103339001", "SCT", "Long Axis"};
inline const Code kShortAxis{"103340004", "SCT", "Short Axis"};
inline const Code kVolume{"118565006", "SCT", "Volume"};
inline const Code kMillimetre{"mm", "UCUM", "millimeter"};
inline const Code kCubicMillimetre{"mm3", "UCUM", "cubic millimeter"};
}  // namespace codes

}  // namespace medai::annotations
