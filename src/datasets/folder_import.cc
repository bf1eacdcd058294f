#include "datasets/folder_import.h"

#include <algorithm>
#include <set>

namespace medai::datasets {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

Status refused(const std::string& reason, const std::string& message) {
  return make_error(ErrorCode::forbidden, message, {{"reason", reason}});
}

}  // namespace

Result<fs::path> resolve_import_folder(const fs::path& root, const std::string& institution_id,
                                       std::string_view relative) {
  if (root.empty()) return refused("import_folders_disabled", "server-side import folders are not configured");
  if (institution_id.empty() || institution_id.find('/') != std::string::npos || institution_id == "." ||
      institution_id == "..")
    return refused("outside_import_root", "no import folder for this caller");
  if (relative.empty() || relative.size() > 1024 || relative.find('\0') != std::string_view::npos)
    return make_error(ErrorCode::invalid_argument, "source.folder must be a relative path of 1..1024 characters",
                      {{"field", "source.folder"}});
  const fs::path rel(relative);
  if (rel.is_absolute() || rel.has_root_name() || rel.has_root_directory())
    return refused("outside_import_root", "source.folder must be relative to the import folder");
  for (const auto& part : rel)
    if (part == "..") return refused("outside_import_root", "source.folder may not leave the import folder");
  std::error_code ec;
  const fs::path base = fs::canonical(root, ec);
  if (ec) return make_error(ErrorCode::config_error, "datasets.import_root does not exist");
  // Walk down one component at a time: a symbolic link anywhere is refused
  // (it could point out of the root, or change between check and use).
  fs::path at = base;
  for (const auto& part : fs::path(institution_id) / rel) {
    if (part.empty() || part == ".") continue;
    at /= part;
    const auto st = fs::symlink_status(at, ec);
    if (ec || !fs::exists(st)) return make_error(ErrorCode::not_found, "no such import folder");
    if (fs::is_symlink(st)) return refused("symlink", "the import folder path contains a symbolic link");
  }
  if (!fs::is_directory(fs::symlink_status(at, ec)))
    return make_error(ErrorCode::invalid_argument, "source.folder is not a folder", {{"field", "source.folder"}});
  const fs::path real = fs::canonical(at, ec);
  const auto mismatch = std::mismatch(base.begin(), base.end(), real.begin(), real.end());
  if (ec || mismatch.first != base.end()) return refused("outside_import_root", "the folder is outside the import root");
  return real;
}

Result<FolderImport> ingest_folder(dicom::InstanceStore& store, const fs::path& folder,
                                   const dicom::IngestContext& context, std::int64_t max_files) {
  FolderImport out;
  auto fail_file = [&](const fs::path& file, const Status& s) {
    ++out.failed;
    if (out.failures.size() < kMaxListedFailures)
      out.failures.push_back({file.lexically_relative(folder).generic_string(),
                              std::string(error_code_name(s.code())), s.message()});
  };
  std::vector<fs::path> files;
  std::error_code ec;
  // directory_options::none: symbolic links to folders are not entered.
  for (auto it = fs::recursive_directory_iterator(folder, fs::directory_options::none, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const auto st = it->symlink_status(ec);
    if (ec) break;
    if (fs::is_symlink(st)) {
      fail_file(it->path(), refused("symlink", "symbolic links are not followed"));
    } else if (fs::is_regular_file(st)) {
      files.push_back(it->path());
      if (static_cast<std::int64_t>(files.size()) > max_files)
        return make_error(ErrorCode::payload_too_large, "the folder holds more files than datasets.max_import_files",
                          {{"max_import_files", max_files}});
    }
  }
  if (ec) return make_error(ErrorCode::io_error, "the import folder could not be listed");
  std::sort(files.begin(), files.end());
  out.files = static_cast<std::int64_t>(files.size()) + out.failed;
  std::set<std::string> studies;
  constexpr std::size_t kBatch = 64;
  for (std::size_t start = 0; start < files.size(); start += kBatch) {
    std::vector<dicom::IngestItem> items;
    std::vector<fs::path> batch;
    for (std::size_t i = start; i < std::min(files.size(), start + kBatch); ++i) {
      // Checked again right before reading: a file replaced by a link since listing is not followed.
      if (fs::is_symlink(fs::symlink_status(files[i], ec))) {
        fail_file(files[i], refused("symlink", "symbolic links are not followed"));
        continue;
      }
      items.push_back({{}, files[i]});
      batch.push_back(files[i]);
    }
    const auto results = store.ingest_batch(items, context);
    for (std::size_t i = 0; i < results.size(); ++i) {
      const auto& r = results[i];
      if (!r.ok()) {
        fail_file(batch[i], r.error);
        continue;
      }
      if (r.outcome == dicom::IngestOutcome::already_present) ++out.already_present;
      else ++out.stored;
      if (!r.keys.study_uid.empty()) studies.insert(r.keys.study_uid);
    }
  }
  out.study_uids.assign(studies.begin(), studies.end());
  return out;
}

Result<FolderDataset> create_imaging_from_folder(DatasetStore& datasets, dicom::InstanceStore& store,
                                                 const access::Principal& actor, const NewDataset& in_,
                                                 ImagingSpec spec, const fs::path& import_root,
                                                 std::string_view relative, std::int64_t max_files) {
  NewDataset in = in_;
  if (in.institution_id.empty()) in.institution_id = actor.institution_id;
  // Nothing is read or stored for a caller who could not make the dataset.
  MEDAI_RETURN_IF_ERROR(datasets.check_create(actor, in));
  MEDAI_ASSIGN_OR_RETURN(fs::path folder, resolve_import_folder(import_root, in.institution_id, relative));
  const dicom::IngestContext context{.institution_id = in.institution_id,
                                     .user_id = actor.user_id,
                                     .calling_ae = {},
                                     .protocol = "import-folder",
                                     .required_study_uid = {}};
  MEDAI_ASSIGN_OR_RETURN(FolderImport import, ingest_folder(store, folder, context, max_files));
  MEDAI_RETURN_IF_ERROR(datasets.audit(actor, "dataset.import_folder", in.institution_id,
                                       {{"files", import.files},
                                        {"stored", import.stored},
                                        {"already_present", import.already_present},
                                        {"failed", import.failed},
                                        {"studies", import.study_uids.size()}}));
  if (import.study_uids.empty())
    return make_error(ErrorCode::invalid_argument, "the folder holds no DICOM instance that could be stored",
                      {{"files", import.files}, {"failed", import.failed}});
  spec.selection.study_uids = import.study_uids;
  MEDAI_ASSIGN_OR_RETURN(Dataset ds, datasets.create_imaging(actor, in, spec));
  return FolderDataset{std::move(ds), std::move(import)};
}

}  // namespace medai::datasets
