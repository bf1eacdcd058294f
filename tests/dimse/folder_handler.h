#pragma once
// A test stand-in for the DICOM store behind DimseHandler: received instances
// are copied into a folder; C-FIND and C-GET/C-MOVE are answered by scanning
// that folder with DCMTK (exact, '*' and '?' wildcard and UID-list matching).
// The real store (src/dicom) replaces it after merge.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "core/files.h"
#include "dimse/handler.h"

namespace medai::testing {

class FolderHandler : public dimse::DimseHandler {
 public:
  explicit FolderHandler(std::filesystem::path root) : root_(std::move(root)) {
    std::filesystem::create_directories(root_);
  }

  // --- configuration (set before the server starts) ---
  std::set<std::string> allowed_callers;  // empty: everyone
  std::map<std::string, dimse::RemoteNode> destinations;
  std::optional<Status> store_error;      // make every store fail with this
  std::chrono::milliseconds store_delay{0};

  struct Received {
    dimse::StoreRequest request;
    std::filesystem::path kept;
  };
  std::vector<Received> received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }
  int max_concurrent_stores() const { return max_concurrent_.load(); }

  // Puts a file into the folder as if it had been stored.
  void seed(const std::filesystem::path& file) {
    std::lock_guard lock(mutex_);
    std::filesystem::copy_file(file, root_ / ("seed-" + std::to_string(counter_++) + ".dcm"));
  }

  Result<dimse::CallerInfo> authorize_caller(const dimse::AssociationInfo& a) override {
    if (!allowed_callers.empty() && !allowed_callers.count(a.calling_ae))
      return make_error(ErrorCode::forbidden, "unknown calling AE title");
    return dimse::CallerInfo{a.calling_ae, a.peer_address, "inst-test", ""};
  }

  Status store(const dimse::CallerInfo&, const dimse::StoreRequest& request) override {
    int now = ++concurrent_;
    int seen = max_concurrent_.load();
    while (now > seen && !max_concurrent_.compare_exchange_weak(seen, now)) {
    }
    if (store_delay.count() > 0) std::this_thread::sleep_for(store_delay);
    --concurrent_;
    if (store_error) return *store_error;
    std::lock_guard lock(mutex_);
    auto kept = root_ / ("rx-" + std::to_string(counter_++) + ".dcm");
    if (!write_file(kept, request.part10).is_ok()) return make_error(ErrorCode::io_error, "write failed");
    dimse::StoreRequest copy = request;
    copy.part10 = {};  // the bytes are only valid during store(): kept in the file
    received_.push_back({copy, kept});
    return Status::ok();
  }

  Status find(const dimse::CallerInfo&, const dimse::QueryRequest& request,
              const dimse::FindEmitter& emit) override {
    std::set<std::string> seen;
    for (const auto& [path, ds] : load_all()) {
      if (!matches(*request.identifier, *ds->getDataset())) continue;
      OFString key;
      ds->getDataset()->findAndGetOFString(level_key(request.level), key);
      if (!seen.insert(key.c_str()).second) continue;
      DcmDataset response;
      DcmDataset& ids = const_cast<DcmDataset&>(*request.identifier);
      for (unsigned long i = 0; i < ids.card(); ++i) {
        DcmElement* wanted = ids.getElement(i);
        DcmElement* have = nullptr;
        if (ds->getDataset()->findAndGetElement(wanted->getTag(), have).good() && have)
          response.insert(static_cast<DcmElement*>(have->clone()), true);
        else
          response.insertEmptyElement(wanted->getTag());
      }
      if (!emit(response)) break;
    }
    return Status::ok();
  }

  Result<std::vector<std::filesystem::path>> retrieve(const dimse::CallerInfo&,
                                                      const dimse::QueryRequest& request) override {
    std::vector<std::filesystem::path> out;
    for (const auto& [path, ds] : load_all())
      if (matches(*request.identifier, *ds->getDataset())) out.push_back(path);
    return out;
  }

  Result<dimse::RemoteNode> resolve_move_destination(const dimse::CallerInfo&, const std::string& ae) override {
    auto it = destinations.find(ae);
    if (it == destinations.end()) return make_error(ErrorCode::not_found, "unknown move destination");
    return it->second;
  }

 private:
  static DcmTagKey level_key(dimse::QueryLevel level) {
    switch (level) {
      case dimse::QueryLevel::patient: return DCM_PatientID;
      case dimse::QueryLevel::study: return DCM_StudyInstanceUID;
      case dimse::QueryLevel::series: return DCM_SeriesInstanceUID;
      case dimse::QueryLevel::image: return DCM_SOPInstanceUID;
    }
    return DCM_StudyInstanceUID;
  }

  static bool wildcard(const char* p, const char* s) {
    if (*p == 0) return *s == 0;
    if (*p == '*') return wildcard(p + 1, s) || (*s && wildcard(p, s + 1));
    if (*s && (*p == '?' || *p == *s)) return wildcard(p + 1, s + 1);
    return false;
  }

  static bool matches(const DcmDataset& identifier, DcmDataset& ds) {
    DcmDataset& ids = const_cast<DcmDataset&>(identifier);
    for (unsigned long i = 0; i < ids.card(); ++i) {
      DcmElement* key = ids.getElement(i);
      DcmTagKey tag = key->getTag();
      if (tag == DCM_QueryRetrieveLevel || tag == DCM_SpecificCharacterSet) continue;
      if (key->ident() == EVR_SQ) continue;
      OFString wanted;
      key->getOFStringArray(wanted);
      if (wanted.empty()) continue;  // universal matching
      OFString value;
      ds.findAndGetOFStringArray(tag, value);
      bool any = false;
      std::string list = wanted.c_str();
      std::size_t start = 0;
      while (start <= list.size() && !any) {  // UID lists: a\b\c
        std::size_t end = list.find('\\', start);
        std::string one = list.substr(start, end == std::string::npos ? std::string::npos : end - start);
        any = wildcard(one.c_str(), value.c_str());
        if (end == std::string::npos) break;
        start = end + 1;
      }
      if (!any) return false;
    }
    return true;
  }

  std::vector<std::pair<std::filesystem::path, std::unique_ptr<DcmFileFormat>>> load_all() const {
    std::vector<std::pair<std::filesystem::path, std::unique_ptr<DcmFileFormat>>> out;
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(root_)) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      auto ff = std::make_unique<DcmFileFormat>();
      if (ff->loadFile(f.c_str(), EXS_Unknown, EGL_noChange, 4096).good()) out.emplace_back(f, std::move(ff));
    }
    return out;
  }

  std::filesystem::path root_;
  mutable std::mutex mutex_;
  std::vector<Received> received_;
  int counter_ = 0;
  std::atomic<int> concurrent_{0};
  std::atomic<int> max_concurrent_{0};
};

}  // namespace medai::testing
