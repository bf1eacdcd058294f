#include "synth/mg_writer.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

namespace medai::synth {
namespace {

void put_code(DcmItem& parent, const DcmTagKey& seq, const char* value, const char* scheme, const char* meaning) {
  DcmItem* item = nullptr;
  if (parent.findOrCreateSequenceItem(seq, item, -2).good() && item) {
    item->putAndInsertString(DCM_CodeValue, value);
    item->putAndInsertString(DCM_CodingSchemeDesignator, scheme);
    item->putAndInsertString(DCM_CodeMeaning, meaning);
  }
}

}  // namespace

Status write_mg_image(const MammoImage& image, const StudyIdentity& id, const SeriesInfo& series,
                      const std::string& sop_uid, int instance_number, const std::filesystem::path& path) {
  DcmFileFormat file;
  DcmDataset& d = *file.getDataset();
  SeriesInfo s = series;
  s.modality = "MG";
  put_patient_study(d, id);
  put_series(d, id, s);
  put_equipment(d);
  put_sop_common(d, id, UID_DigitalMammographyXRayImageStorageForPresentation, sop_uid, instance_number);
  const bool left = image.side == Laterality::left;
  const bool cc = image.view == MammoView::cc;
  d.putAndInsertString(DCM_PresentationIntentType, "FOR PRESENTATION");
  d.putAndInsertString(DCM_ImageType, "ORIGINAL\\PRIMARY\\");
  d.putAndInsertString(DCM_AcquisitionNumber, "1");
  d.putAndInsertString(DCM_AcquisitionDate, id.study_date.c_str());
  d.putAndInsertString(DCM_AcquisitionTime, id.study_time.c_str());
  d.putAndInsertString(DCM_BurnedInAnnotation, "NO");
  d.putAndInsertString(DCM_BodyPartExamined, "BREAST");
  d.putAndInsertString(DCM_ImageLaterality, left ? "L" : "R");
  d.putAndInsertString(DCM_ViewPosition, cc ? "CC" : "MLO");
  // Rows run towards the nipple (A) for the left breast, towards the chest
  // wall (P) for the right; columns towards the feet (and medial side on MLO).
  const char* orientation = left ? (cc ? "A\\R" : "A\\FR") : (cc ? "P\\L" : "P\\FL");
  d.putAndInsertString(DCM_PatientOrientation, orientation);
  put_code(d, DCM_AnatomicRegionSequence, "76752008", "SCT", "Breast");
  if (cc) {
    put_code(d, DCM_ViewCodeSequence, "399162004", "SCT", "cranio-caudal");
  } else {
    put_code(d, DCM_ViewCodeSequence, "399368009", "SCT", "medio-lateral oblique");
  }
  DcmItem* view_item = nullptr;
  if (d.findAndGetSequenceItem(DCM_ViewCodeSequence, view_item, 0).good() && view_item) {
    view_item->insertEmptyElement(DCM_ViewModifierCodeSequence);
  }
  d.putAndInsertString(DCM_PositionerType, "MAMMOGRAPHIC");
  d.putAndInsertString(DCM_OrganExposed, "BREAST");
  d.putAndInsertString(DCM_BreastImplantPresent, "NO");
  d.putAndInsertString(DCM_PartialView, "NO");
  d.putAndInsertString(DCM_DetectorType, "DIRECT");
  d.putAndInsertString(DCM_KVP, "29");
  d.putAndInsertString(DCM_BodyPartThickness, "50");
  d.putAndInsertString(DCM_CompressionForce, "100");
  d.putAndInsertString(DCM_DistanceSourceToDetector, "660");
  d.putAndInsertString(DCM_DistanceSourceToPatient, "620");
  d.putAndInsertString(DCM_EstimatedRadiographicMagnificationFactor, "1.064516");  // 660 / 620
  d.putAndInsertString(DCM_AnodeTargetMaterial, "TUNGSTEN");
  d.putAndInsertString(DCM_FilterMaterial, "RHODIUM");
  const std::string spacing = ds(image.pixel_mm) + "\\" + ds(image.pixel_mm);
  d.putAndInsertString(DCM_ImagerPixelSpacing, spacing.c_str());
  d.putAndInsertString(DCM_PixelSpacing, spacing.c_str());
  d.putAndInsertString(DCM_PixelSpacingCalibrationType, "GEOMETRY");
  d.putAndInsertString(DCM_PixelSpacingCalibrationDescription, "Synthetic image: spacing at the detector plane");
  d.insertEmptyElement(DCM_AcquisitionContextSequence);
  d.putAndInsertUint16(DCM_SamplesPerPixel, 1);
  d.putAndInsertString(DCM_PhotometricInterpretation, "MONOCHROME2");
  d.putAndInsertUint16(DCM_Rows, static_cast<Uint16>(image.rows));
  d.putAndInsertUint16(DCM_Columns, static_cast<Uint16>(image.cols));
  d.putAndInsertUint16(DCM_BitsAllocated, 16);
  d.putAndInsertUint16(DCM_BitsStored, 12);
  d.putAndInsertUint16(DCM_HighBit, 11);
  d.putAndInsertUint16(DCM_PixelRepresentation, 0);
  d.putAndInsertString(DCM_PixelIntensityRelationship, "LOG");
  d.putAndInsertSint16(DCM_PixelIntensityRelationshipSign, 1);
  d.putAndInsertString(DCM_RescaleIntercept, "0");
  d.putAndInsertString(DCM_RescaleSlope, "1");
  d.putAndInsertString(DCM_RescaleType, "US");
  d.putAndInsertString(DCM_PresentationLUTShape, "IDENTITY");
  d.putAndInsertString(DCM_WindowCenter, ds(image.window_center).c_str());
  d.putAndInsertString(DCM_WindowWidth, ds(image.window_width).c_str());
  d.putAndInsertString(DCM_VOILUTFunction, "LINEAR");
  d.putAndInsertString(DCM_LossyImageCompression, "00");
  d.putAndInsertUint16Array(DCM_PixelData, image.pixels.data(), static_cast<unsigned long>(image.pixels.size()));
  return save_dicom(file, path);
}

}  // namespace medai::synth
