#pragma once
// Small, real DICOM Part 10 instances made with DCMTK for tests, and the
// pydicom test-file folders. Header-only; link DCMTK::dcmdata.
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace medai::testing {

inline const std::filesystem::path kPydicomTestFiles = "/usr/lib/python3/dist-packages/pydicom/data/test_files";
inline const std::filesystem::path kPydicomCharsetFiles = "/usr/lib/python3/dist-packages/pydicom/data/charset_files";

inline std::string file_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct TestInstance {
  std::string study_uid = "1.2.826.0.1.3680043.10.543.1";
  std::string series_uid = "1.2.826.0.1.3680043.10.543.1.1";
  std::string sop_uid = "1.2.826.0.1.3680043.10.543.1.1.1";
  std::string sop_class = UID_CTImageStorage;
  std::string patient_name = "Doe^John";
  std::string patient_id = "PID-1";
  std::string birth_date = "19700101";
  std::string sex = "M";
  std::string charset;  // raw (0008,0005); empty: not written
  std::string study_date = "20240102";
  std::string study_time = "101112";
  std::string accession = "ACC1";
  std::string study_description = "CT CHEST";
  std::string modality = "CT";
  std::string series_description = "AXIAL";
  int series_number = 1;
  int instance_number = 1;
  unsigned rows = 4, columns = 4;
  std::uint16_t pixel_seed = 0;  // pixel i = seed + i
  E_TransferSyntax xfer = EXS_LittleEndianExplicit;
  bool omit_sop_instance_uid = false;
};

inline std::string make_dicom(const TestInstance& t) {
  DcmFileFormat file;
  DcmDataset* ds = file.getDataset();
  if (!t.charset.empty()) ds->putAndInsertString(DCM_SpecificCharacterSet, t.charset.c_str());
  ds->putAndInsertString(DCM_SOPClassUID, t.sop_class.c_str());
  if (!t.omit_sop_instance_uid) ds->putAndInsertString(DCM_SOPInstanceUID, t.sop_uid.c_str());
  ds->putAndInsertString(DCM_StudyInstanceUID, t.study_uid.c_str());
  ds->putAndInsertString(DCM_SeriesInstanceUID, t.series_uid.c_str());
  ds->putAndInsertString(DCM_PatientName, t.patient_name.c_str());
  ds->putAndInsertString(DCM_PatientID, t.patient_id.c_str());
  ds->putAndInsertString(DCM_PatientBirthDate, t.birth_date.c_str());
  ds->putAndInsertString(DCM_PatientSex, t.sex.c_str());
  ds->putAndInsertString(DCM_StudyDate, t.study_date.c_str());
  ds->putAndInsertString(DCM_StudyTime, t.study_time.c_str());
  ds->putAndInsertString(DCM_AccessionNumber, t.accession.c_str());
  ds->putAndInsertString(DCM_StudyDescription, t.study_description.c_str());
  ds->putAndInsertString(DCM_StudyID, "1");
  ds->putAndInsertString(DCM_ReferringPhysicianName, "Ref^Doc");
  ds->putAndInsertString(DCM_Modality, t.modality.c_str());
  ds->putAndInsertString(DCM_SeriesDescription, t.series_description.c_str());
  ds->putAndInsertString(DCM_SeriesNumber, std::to_string(t.series_number).c_str());
  ds->putAndInsertString(DCM_InstanceNumber, std::to_string(t.instance_number).c_str());
  ds->putAndInsertUint16(DCM_Rows, static_cast<Uint16>(t.rows));
  ds->putAndInsertUint16(DCM_Columns, static_cast<Uint16>(t.columns));
  ds->putAndInsertUint16(DCM_SamplesPerPixel, 1);
  ds->putAndInsertString(DCM_PhotometricInterpretation, "MONOCHROME2");
  ds->putAndInsertUint16(DCM_BitsAllocated, 16);
  ds->putAndInsertUint16(DCM_BitsStored, 16);
  ds->putAndInsertUint16(DCM_HighBit, 15);
  ds->putAndInsertUint16(DCM_PixelRepresentation, 0);
  std::vector<Uint16> pixels(std::size_t(t.rows) * t.columns);
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<Uint16>(t.pixel_seed + i);
  ds->putAndInsertUint16Array(DCM_PixelData, pixels.data(), static_cast<unsigned long>(pixels.size()));
  static std::atomic<int> counter{0};
  const auto path = std::filesystem::temp_directory_path() /
                    ("medai-fixture-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".dcm");
  file.saveFile(path.c_str(), t.xfer);
  std::string bytes = file_bytes(path);
  std::filesystem::remove(path);
  return bytes;
}

}  // namespace medai::testing
