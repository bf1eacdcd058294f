#pragma once
// Series → volume: the DICOM files of one image series (CT, MR, PT: one frame
// per file) become a Volume<float> of rescaled values (Hounsfield units for
// CT: Rescale Slope/Intercept applied per slice) with origin, spacing and
// direction from Image Position/Orientation (Patient). Slices are ordered by
// their position along the slice normal (never by Instance Number), and the
// slice spacing is computed from the positions, not read from Spacing Between
// Slices. Every transfer syntax we store is decoded here (JPEG baseline,
// extended and lossless, JPEG-LS, RLE with DCMTK; JPEG 2000 with OpenJPEG).
//
// A series that is not one regular volume is refused with
// ErrorCode::invalid_series and detail {"reason": <stable reason>, ...}:
//   too_few_slices      fewer than 2 images
//   multi_frame         a file holds more than one frame (enhanced multi-frame objects are not read here)
//   mixed_series        files of more than one Series Instance UID
//   missing_position    an image lacks Image Position/Orientation (Patient) or Pixel Spacing
//   invalid_orientation Image Orientation (Patient) is not two orthogonal unit vectors
//   mixed_orientation   images differ in orientation (e.g. a localizer mixed in; detail.localizers counts them)
//   mixed_size          images differ in rows, columns or pixel spacing
//   not_grayscale       Samples per Pixel is not 1
//   duplicate_position  two images at the same position along the normal (e.g. several phases or echoes)
//   gantry_tilt         slice positions do not lie along the slice normal (tilted acquisition)
//   non_uniform_spacing a gap between neighbouring slices differs from the median gap by more than the
//                       tolerance (a missing slice, or mixed reconstructions)
//   too_large           more voxels than SeriesLoadOptions::max_voxels
// Unreadable files give invalid_dicom, missing pixel data dicom_missing_attribute, compressed pixel
// data without a decoder unsupported_transfer_syntax and a corrupt JPEG 2000 codestream invalid_dicom
// with detail.reason malformed_jpeg2000 (detail.index = the input's position in the list).
// Messages and details never contain patient data. Memory: one decoded file at a time besides the volume.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "imaging/image2d.h"
#include "imaging/volume.h"

namespace medai::imaging {

struct SeriesLoadOptions {
  // Each gap between neighbouring slices may differ from the median gap by
  // this fraction of it (or 0.01 mm, whichever is larger).
  double gap_tolerance = 0.05;
  // Largest difference of direction cosines still counted as the same orientation.
  double orientation_tolerance = 1e-3;
  // Largest in-plane drift of slice positions, as a fraction of the distance
  // along the normal (plus 0.02 mm), before the series counts as tilted.
  double tilt_tolerance = 0.01;
  // Refuse volumes with more voxels (floats: 4 bytes each) — 2^29 voxels is
  // 2 GiB, room for 1024 × 1024 × 512 or 512 × 512 × 2048.
  std::size_t max_voxels = std::size_t{1} << 29;
};

struct SeriesVolume {
  Volume<float> volume;                      // rescaled values (HU for CT), k = slice in normal order
  double slice_spacing_mm = 0;               // from positions (= volume.spacing[2])
  std::optional<double> slice_thickness_mm;  // Slice Thickness (0018,0050) when present
  std::string modality;
  std::string study_instance_uid, series_instance_uid, frame_of_reference_uid;
  std::vector<std::string> sop_instance_uids;  // per slice k (what SEG/RTSTRUCT reference)
  std::vector<std::size_t> source_index;       // per slice k: position of its file in the input list
};

Result<SeriesVolume> load_series_volume(const std::vector<std::filesystem::path>& files,
                                        const SeriesLoadOptions& options = {});
// The same from Part 10 byte buffers (owned by the caller for the duration of the call).
Result<SeriesVolume> load_series_volume(const std::vector<std::string_view>& buffers,
                                        const SeriesLoadOptions& options = {});

// A 2-D projection image (MG, DX, CR) as presented: the VOI LUT or first
// window of the file applied (else its min/max), MONOCHROME1 inverted, so
// 0 = black and 1 = white as a reader sees it. For Presentation images are
// what this is for; For Processing images get the same treatment.
struct ProjectionImage {
  Image2D<float> image;             // presentation values in [0,1]
  std::string modality;
  std::string laterality;           // Image Laterality (0020,0062), else Laterality (0020,0060): "L", "R", "B" or ""
  std::string view_position;        // View Position (0018,5101): "CC", "MLO", "PA", ... or ""
  std::string presentation_intent;  // "FOR PRESENTATION", "FOR PROCESSING" or ""
  std::string photometric;          // MONOCHROME1 | MONOCHROME2
  std::string voi;                  // what was applied: "window", "voi_lut" or "min_max"
  std::string study_instance_uid, series_instance_uid, sop_instance_uid;
};

Result<ProjectionImage> load_projection_image(const std::filesystem::path& file);
Result<ProjectionImage> load_projection_image(std::string_view bytes);

}  // namespace medai::imaging
