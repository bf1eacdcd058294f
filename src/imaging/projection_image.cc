// 2-D projection images (MG, DX, CR) rendered as a reader sees them, through
// DCMTK's display pipeline (modality LUT/rescale, VOI LUT or window,
// presentation LUT shape, MONOCHROME1 polarity).
#include <dcmtk/dcmimgle/dcmimage.h>

#include <memory>

#include "imaging/dicom_read.h"
#include "imaging/series_volume.h"

namespace medai::imaging {
namespace {

Result<ProjectionImage> render(DcmFileFormat& file) {
  DcmDataset& ds = *file.getDataset();
  ProjectionImage out;
  out.modality = get_string(ds, DCM_Modality);
  out.laterality = get_string(ds, DCM_ImageLaterality);
  if (out.laterality.empty()) out.laterality = get_string(ds, DCM_Laterality);
  out.view_position = get_string(ds, DCM_ViewPosition);
  out.presentation_intent = get_string(ds, DCM_PresentationIntentType);
  out.photometric = get_string(ds, DCM_PhotometricInterpretation);
  out.study_instance_uid = get_string(ds, DCM_StudyInstanceUID);
  out.series_instance_uid = get_string(ds, DCM_SeriesInstanceUID);
  out.sop_instance_uid = get_string(ds, DCM_SOPInstanceUID);
  if (out.photometric != "MONOCHROME1" && out.photometric != "MONOCHROME2")
    return make_error(ErrorCode::unprocessable, "only grayscale (MONOCHROME1/2) projection images are read",
                      {{"photometric", out.photometric}});
  Sint32 frames = 1;
  if (ds.findAndGetSint32(DCM_NumberOfFrames, frames).good() && frames > 1)
    return make_error(ErrorCode::unprocessable, "multi-frame projection images (tomosynthesis) are not read here",
                      {{"frames", frames}});
  DicomImage image(&ds, ds.getOriginalXfer(), CIF_UsePartialAccessToPixelData, 0, 1);
  if (image.getStatus() != EIS_Normal)
    return make_error(image.getStatus() == EIS_NotSupportedValue ? ErrorCode::unsupported_transfer_syntax
                                                                 : ErrorCode::invalid_dicom,
                      std::string("the image cannot be decoded: ") + DicomImage::getString(image.getStatus()));
  if (image.getVoiLutCount() > 0 && image.setVoiLut(0)) {
    out.voi = "voi_lut";
  } else if (image.getWindowCount() > 0 && image.setWindow(0)) {
    out.voi = "window";
  } else {
    image.setMinMaxWindow();
    out.voi = "min_max";
  }
  const int nx = static_cast<int>(image.getWidth()), ny = static_cast<int>(image.getHeight());
  const auto* pixels = static_cast<const Uint16*>(image.getOutputData(16));
  if (pixels == nullptr) return make_error(ErrorCode::invalid_dicom, "the image could not be rendered");
  out.image = Image2D<float>(nx, ny);
  for (std::size_t p = 0; p < out.image.data.size(); ++p) out.image.data[p] = static_cast<float>(pixels[p]) / 65535.0f;
  Float64 s0 = 0, s1 = 0;
  if ((ds.findAndGetFloat64(DCM_PixelSpacing, s0, 0).good() && ds.findAndGetFloat64(DCM_PixelSpacing, s1, 1).good()) ||
      (ds.findAndGetFloat64(DCM_ImagerPixelSpacing, s0, 0).good() &&
       ds.findAndGetFloat64(DCM_ImagerPixelSpacing, s1, 1).good()))
    if (s0 > 0 && s1 > 0) out.image.spacing = {s1, s0};
  return out;
}

}  // namespace

Result<ProjectionImage> load_projection_image(const std::filesystem::path& file) {
  MEDAI_ASSIGN_OR_RETURN(auto f, load_dicom_file(file, 0, false));
  return render(*f);
}

Result<ProjectionImage> load_projection_image(std::string_view bytes) {
  MEDAI_ASSIGN_OR_RETURN(auto f, load_dicom_buffer(bytes, 0));
  return render(*f);
}

}  // namespace medai::imaging
