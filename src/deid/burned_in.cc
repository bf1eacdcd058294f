#include "deid/burned_in.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcitem.h>

#include <string>
#include <string_view>

namespace medai::deid {
namespace {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  return s.substr(i);
}

// Modalities whose images often carry text burned into the pixels.
bool burned_in_prone_modality(std::string_view m) {
  static constexpr std::string_view kList[] = {"US", "IVUS", "SC", "XA", "RF", "ES", "XC", "GM",
                                               "OT", "SM",   "OP", "PX", "CR", "DX", "IO", "DOC"};
  for (auto x : kList)
    if (m == x) return true;
  return false;
}

}  // namespace

void check_burned_in(DcmItem& dataset, DeidReport& report) {
  if (!dataset.tagExists(DCM_PixelData) && !dataset.tagExists(DCM_FloatPixelData) &&
      !dataset.tagExists(DCM_DoubleFloatPixelData)) {
    report.burned_in = BurnedIn::not_applicable;
    return;
  }
  OFString burned, modality, sop_class, visual;
  dataset.findAndGetOFString(DCM_BurnedInAnnotation, burned);
  dataset.findAndGetOFString(DCM_Modality, modality);
  dataset.findAndGetOFString(DCM_SOPClassUID, sop_class);
  dataset.findAndGetOFString(DCM_RecognizableVisualFeatures, visual);
  const std::string b = trim(burned.c_str());
  if (b == "YES") {
    report.burned_in = BurnedIn::yes;
    report.warnings.push_back(
        {"burned_in_annotation",
         "Burned In Annotation is YES: the pixels may show identifying text, which "
         "de-identification does not remove; review or mask the images before sharing"});
  } else if (b == "NO") {
    report.burned_in = BurnedIn::no;
  } else {
    const bool secondary_capture = std::string(sop_class.c_str()).rfind("1.2.840.10008.5.1.4.1.1.7", 0) == 0;
    if (secondary_capture || burned_in_prone_modality(trim(modality.c_str()))) {
      report.burned_in = BurnedIn::unknown;
      report.warnings.push_back(
          {"burned_in_annotation_unknown",
           "Burned In Annotation is missing for a kind of image (" + trim(modality.c_str()) +
               ") that often has text in its pixels; review the images before sharing"});
    } else {
      report.burned_in = BurnedIn::unknown;
    }
  }
  if (trim(visual.c_str()) == "YES")
    report.warnings.push_back(
        {"recognizable_visual_features",
         "Recognizable Visual Features is YES: the images may show the patient's face"});
}

}  // namespace medai::deid
