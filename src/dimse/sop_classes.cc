#include "dimse/sop_classes.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <cstring>

namespace medai::dimse {

const std::vector<NamedUid>& storage_sop_classes() {
  static const std::vector<NamedUid> classes = {
      {UID_CTImageStorage, "CT Image"},
      {UID_EnhancedCTImageStorage, "Enhanced CT Image"},
      {UID_LegacyConvertedEnhancedCTImageStorage, "Legacy Converted Enhanced CT Image"},
      {UID_MRImageStorage, "MR Image"},
      {UID_EnhancedMRImageStorage, "Enhanced MR Image"},
      {UID_EnhancedMRColorImageStorage, "Enhanced MR Color Image"},
      {UID_LegacyConvertedEnhancedMRImageStorage, "Legacy Converted Enhanced MR Image"},
      {UID_DigitalMammographyXRayImageStorageForPresentation, "Digital Mammography X-Ray Image - For Presentation"},
      {UID_DigitalMammographyXRayImageStorageForProcessing, "Digital Mammography X-Ray Image - For Processing"},
      {UID_BreastTomosynthesisImageStorage, "Breast Tomosynthesis Image"},
      {UID_BreastProjectionXRayImageStorageForPresentation, "Breast Projection X-Ray Image - For Presentation"},
      {UID_BreastProjectionXRayImageStorageForProcessing, "Breast Projection X-Ray Image - For Processing"},
      {UID_DigitalXRayImageStorageForPresentation, "Digital X-Ray Image - For Presentation"},
      {UID_DigitalXRayImageStorageForProcessing, "Digital X-Ray Image - For Processing"},
      {UID_ComputedRadiographyImageStorage, "Computed Radiography Image"},
      {UID_XRayAngiographicImageStorage, "X-Ray Angiographic Image"},
      {UID_XRayRadiofluoroscopicImageStorage, "X-Ray Radiofluoroscopic Image"},
      {UID_PositronEmissionTomographyImageStorage, "Positron Emission Tomography Image"},
      {UID_EnhancedPETImageStorage, "Enhanced PET Image"},
      {UID_LegacyConvertedEnhancedPETImageStorage, "Legacy Converted Enhanced PET Image"},
      {UID_NuclearMedicineImageStorage, "Nuclear Medicine Image"},
      {UID_UltrasoundImageStorage, "Ultrasound Image"},
      {UID_UltrasoundMultiframeImageStorage, "Ultrasound Multi-frame Image"},
      {UID_SegmentationStorage, "Segmentation"},
      {UID_BasicTextSRStorage, "Basic Text SR"},
      {UID_EnhancedSRStorage, "Enhanced SR"},
      {UID_ComprehensiveSRStorage, "Comprehensive SR"},
      {UID_Comprehensive3DSRStorage, "Comprehensive 3D SR"},
      {UID_KeyObjectSelectionDocumentStorage, "Key Object Selection Document"},
      {UID_XRayRadiationDoseSRStorage, "X-Ray Radiation Dose SR"},
      {UID_MammographyCADSRStorage, "Mammography CAD SR"},
      {UID_RTImageStorage, "RT Image"},
      {UID_RTDoseStorage, "RT Dose"},
      {UID_RTStructureSetStorage, "RT Structure Set"},
      {UID_RTPlanStorage, "RT Plan"},
      {UID_RTIonPlanStorage, "RT Ion Plan"},
      {UID_SecondaryCaptureImageStorage, "Secondary Capture Image"},
      {UID_MultiframeSingleBitSecondaryCaptureImageStorage, "Multi-frame Single Bit Secondary Capture Image"},
      {UID_MultiframeGrayscaleByteSecondaryCaptureImageStorage, "Multi-frame Grayscale Byte Secondary Capture Image"},
      {UID_MultiframeGrayscaleWordSecondaryCaptureImageStorage, "Multi-frame Grayscale Word Secondary Capture Image"},
      {UID_MultiframeTrueColorSecondaryCaptureImageStorage, "Multi-frame True Color Secondary Capture Image"},
      {UID_GrayscaleSoftcopyPresentationStateStorage, "Grayscale Softcopy Presentation State"},
      {UID_EncapsulatedPDFStorage, "Encapsulated PDF"},
      // Waveforms: every waveform storage class DCMTK 3.6.7 names.
      {UID_TwelveLeadECGWaveformStorage, "12-lead ECG Waveform"},
      {UID_GeneralECGWaveformStorage, "General ECG Waveform"},
      {UID_AmbulatoryECGWaveformStorage, "Ambulatory ECG Waveform"},
      {UID_HemodynamicWaveformStorage, "Hemodynamic Waveform"},
      {UID_CardiacElectrophysiologyWaveformStorage, "Cardiac Electrophysiology Waveform"},
      {UID_BasicVoiceAudioWaveformStorage, "Basic Voice Audio Waveform"},
      {UID_GeneralAudioWaveformStorage, "General Audio Waveform"},
      {UID_ArterialPulseWaveformStorage, "Arterial Pulse Waveform"},
      {UID_RespiratoryWaveformStorage, "Respiratory Waveform"},
      {UID_MultichannelRespiratoryWaveformStorage, "Multi-channel Respiratory Waveform"},
      {UID_RoutineScalpElectroencephalogramWaveformStorage, "Routine Scalp Electroencephalogram Waveform"},
      {UID_ElectromyogramWaveformStorage, "Electromyogram Waveform"},
      {UID_ElectrooculogramWaveformStorage, "Electrooculogram Waveform"},
      {UID_SleepElectroencephalogramWaveformStorage, "Sleep Electroencephalogram Waveform"},
      {UID_BodyPositionWaveformStorage, "Body Position Waveform"},
  };
  return classes;
}

bool is_accepted_storage_sop_class(std::string_view uid) {
  const auto& c = storage_sop_classes();
  return std::any_of(c.begin(), c.end(), [&](const NamedUid& n) { return uid == n.uid; });
}

bool is_waveform_sop_class(std::string_view uid) {
  // PS3.4 B.5: the waveform storage classes all live under ...1.1.9.
  return uid.rfind("1.2.840.10008.5.1.4.1.1.9.", 0) == 0;
}

const std::vector<NamedUid>& storage_transfer_syntaxes() {
  static const std::vector<NamedUid> syntaxes = {
      {UID_LittleEndianExplicitTransferSyntax, "Explicit VR Little Endian"},
      {UID_LittleEndianImplicitTransferSyntax, "Implicit VR Little Endian"},
      {UID_BigEndianExplicitTransferSyntax, "Explicit VR Big Endian (retired)"},
      {UID_DeflatedExplicitVRLittleEndianTransferSyntax, "Deflated Explicit VR Little Endian"},
      {UID_JPEGProcess1TransferSyntax, "JPEG Baseline (Process 1)"},
      {UID_JPEGProcess2_4TransferSyntax, "JPEG Extended (Process 2 & 4)"},
      {UID_JPEGProcess14TransferSyntax, "JPEG Lossless, Non-Hierarchical (Process 14)"},
      {UID_JPEGProcess14SV1TransferSyntax, "JPEG Lossless, First-Order Prediction (Process 14 SV1)"},
      {UID_JPEGLSLosslessTransferSyntax, "JPEG-LS Lossless"},
      {UID_JPEGLSLossyTransferSyntax, "JPEG-LS Lossy (Near-Lossless)"},
      {UID_JPEG2000LosslessOnlyTransferSyntax, "JPEG 2000 Image Compression (Lossless Only)"},
      {UID_JPEG2000TransferSyntax, "JPEG 2000 Image Compression"},
      {UID_RLELosslessTransferSyntax, "RLE Lossless"},
  };
  return syntaxes;
}

bool is_accepted_storage_transfer_syntax(std::string_view uid) {
  const auto& s = storage_transfer_syntaxes();
  return std::any_of(s.begin(), s.end(), [&](const NamedUid& n) { return uid == n.uid; });
}

bool is_uncompressed_transfer_syntax(std::string_view uid) {
  return uid == UID_LittleEndianExplicitTransferSyntax || uid == UID_LittleEndianImplicitTransferSyntax ||
         uid == UID_BigEndianExplicitTransferSyntax;
}

const std::vector<const char*>& uncompressed_transfer_syntaxes() {
  static const std::vector<const char*> syntaxes = {UID_LittleEndianExplicitTransferSyntax,
                                                    UID_LittleEndianImplicitTransferSyntax};
  return syntaxes;
}

std::vector<const char*> compressed_transfer_syntaxes() {
  // Lossless first: a peer choosing by our order keeps full fidelity.
  return {UID_JPEGLSLosslessTransferSyntax, UID_JPEGProcess14SV1TransferSyntax,
          UID_JPEG2000LosslessOnlyTransferSyntax, UID_RLELosslessTransferSyntax,
          UID_JPEGProcess14TransferSyntax, UID_JPEGProcess1TransferSyntax,
          UID_JPEGProcess2_4TransferSyntax, UID_JPEGLSLossyTransferSyntax,
          UID_JPEG2000TransferSyntax, UID_DeflatedExplicitVRLittleEndianTransferSyntax};
}

}  // namespace medai::dimse
