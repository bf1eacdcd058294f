#include "dicom/parse.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcobject.h>
#include <dcmtk/oflog/oflog.h>
#include <dcmtk/dcmdata/dcistrmb.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <fstream>
#include <limits>
#include <mutex>
#include <sstream>

#include "codecs/dcmtk_codecs.h"

namespace medai::dicom {
namespace {

constexpr std::size_t kPreambleSize = 128;

Status invalid(std::string reason) { return make_error(ErrorCode::invalid_dicom, std::move(reason)); }

// A required UID: missing/empty → dicom_missing_attribute, malformed →
// invalid_dicom. The UID itself is not PHI, but a malformed value may hold
// anything, so it is never echoed.
Result<std::string> required_uid(DcmItem& item, const DcmTagKey& tag, const char* keyword) {
  OFString value;
  if (item.findAndGetOFString(tag, value).bad() || value.empty())
    return make_error(ErrorCode::dicom_missing_attribute, std::string(keyword) + " is missing or empty",
                      {{"attribute", keyword}});
  std::string uid(value.c_str());
  // Tolerate the trailing NUL/space padding some writers leave.
  while (!uid.empty() && (uid.back() == ' ' || uid.back() == '\0')) uid.pop_back();
  if (!is_valid_uid(uid))
    return make_error(ErrorCode::invalid_dicom, std::string(keyword) + " is not a valid UID",
                      {{"attribute", keyword}});
  return uid;
}

}  // namespace

ParsedInstance::ParsedInstance(std::unique_ptr<DcmFileFormat> file, InstanceKeys keys)
    : file_(std::move(file)), keys_(std::move(keys)) {}
ParsedInstance::ParsedInstance(ParsedInstance&&) noexcept = default;
ParsedInstance& ParsedInstance::operator=(ParsedInstance&&) noexcept = default;
ParsedInstance::~ParsedInstance() = default;
DcmDataset& ParsedInstance::dataset() { return *file_->getDataset(); }

bool is_valid_uid(std::string_view uid) {
  if (uid.empty() || uid.size() > 64) return false;
  std::size_t component_start = 0;
  for (std::size_t i = 0; i <= uid.size(); ++i) {
    if (i == uid.size() || uid[i] == '.') {
      const std::size_t len = i - component_start;
      if (len == 0) return false;
      if (len > 1 && uid[component_start] == '0') return false;
      component_start = i + 1;
    } else if (uid[i] < '0' || uid[i] > '9') {
      return false;
    }
  }
  return true;
}

Result<ParsedInstance> parse_dicom(std::string_view bytes) {
  // Some writers encode standard attributes with VR UN (e.g. SOP Instance
  // UID in pydicom's rtdose_rle.dcm): read them with their dictionary VR,
  // otherwise a UID would come out as hex bytes. The stored bytes are unchanged.
  static std::once_flag once;
  std::call_once(once, [] {
    dcmEnableUnknownVRConversion.set(OFTrue);
    // DCMTK's own console warnings would break our one-JSON-object-per-line
    // log; every problem that matters reaches the caller as a Status.
    OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
  });
  if (bytes.size() < kPreambleSize + 4 || bytes.substr(kPreambleSize, 4) != "DICM")
    return invalid("not a DICOM Part 10 file (no 128-byte preamble followed by 'DICM')");
  try {
    auto file = std::make_unique<DcmFileFormat>();
    DcmInputBufferStream stream;
    stream.setBuffer(bytes.data(), static_cast<offile_off_t>(bytes.size()));
    stream.setEos();
    file->transferInit();
    // Read every value now: the buffer is not ours to keep.
    OFCondition cond = file->read(stream, EXS_Unknown, EGL_noChange, std::numeric_limits<Uint32>::max());
    file->transferEnd();
    if (cond.bad()) return invalid(std::string("the DICOM data could not be parsed: ") + cond.text());
    if (!stream.eos()) return invalid("the DICOM data could not be parsed: unexpected data after the data set");

    InstanceKeys keys;
    OFString ts;
    if (file->getMetaInfo()->findAndGetOFString(DCM_TransferSyntaxUID, ts).bad() || ts.empty())
      return invalid("the file meta information has no Transfer Syntax UID (0002,0010)");
    keys.transfer_syntax_uid = ts.c_str();
    while (!keys.transfer_syntax_uid.empty() &&
           (keys.transfer_syntax_uid.back() == ' ' || keys.transfer_syntax_uid.back() == '\0'))
      keys.transfer_syntax_uid.pop_back();
    if (DcmXfer(keys.transfer_syntax_uid.c_str()).getXfer() == EXS_Unknown)
      return make_error(ErrorCode::unsupported_transfer_syntax, "the transfer syntax is not known to this server",
                        {{"transfer_syntax", is_valid_uid(keys.transfer_syntax_uid) ? keys.transfer_syntax_uid : ""}});

    // A DICOMDIR is a file-set directory, not a composite instance.
    OFString media_class;
    file->getMetaInfo()->findAndGetOFString(DCM_MediaStorageSOPClassUID, media_class);
    if (media_class == UID_MediaStorageDirectoryStorage)
      return make_error(ErrorCode::unsupported_sop_class, "a DICOMDIR (media storage directory) is not an instance");

    DcmDataset& ds = *file->getDataset();
    MEDAI_ASSIGN_OR_RETURN(keys.sop_class_uid, required_uid(ds, DCM_SOPClassUID, "SOPClassUID"));
    MEDAI_ASSIGN_OR_RETURN(keys.sop_instance_uid, required_uid(ds, DCM_SOPInstanceUID, "SOPInstanceUID"));
    MEDAI_ASSIGN_OR_RETURN(keys.study_uid, required_uid(ds, DCM_StudyInstanceUID, "StudyInstanceUID"));
    MEDAI_ASSIGN_OR_RETURN(keys.series_uid, required_uid(ds, DCM_SeriesInstanceUID, "SeriesInstanceUID"));
    return ParsedInstance(std::move(file), std::move(keys));
  } catch (const std::bad_alloc&) {
    return invalid("the DICOM data declares a value too large to read");
  } catch (const std::exception&) {
    return invalid("the DICOM data could not be parsed");
  }
}

Result<ParsedInstance> parse_dicom_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::io_error, "cannot open the DICOM file");
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string bytes = ss.str();
  return parse_dicom(bytes);
}

void register_codecs() { codecs::register_dcmtk_decoders(); }

}  // namespace medai::dicom
