#pragma once
// Shared fixture of the DIMSE tests: our SCP on a free loopback port with a
// FolderHandler, helpers to run the DCMTK command-line tools and to start a
// DCMTK storescp as a peer.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <map>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "dimse/server.h"
#include "folder_handler.h"
#include "support/dicom_tools.h"
#include "support/temp_dir.h"

namespace medai::testing {

inline const std::filesystem::path kPydicomFiles = "/usr/lib/python3/dist-packages/pydicom/data/test_files";

class DimseTest : public ::testing::Test {
 protected:
  void SetUp() override { handler_ = std::make_unique<FolderHandler>(dir_ / "store"); }
  void TearDown() override {
    if (server_) server_->stop();
  }

  void start_server(int max_associations = 16) {
    dimse::DimseServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.ae_title = "MEDAI";
    options.max_associations = max_associations;
    options.acse_timeout_s = 5;
    options.dimse_timeout_s = 10;
    options.temp_dir = dir_ / "tmp";
    auto server = dimse::DimseServer::start(options, *handler_);
    ASSERT_TRUE(server.is_ok()) << server.status().to_string();
    server_ = std::move(*server);
    ASSERT_GT(server_->port(), 0);
  }

  std::string port() const { return std::to_string(server_->port()); }
  dimse::RemoteNode node(const std::string& ae = "MEDAI") const {
    return {ae, "127.0.0.1", server_->port()};
  }

  TempDir dir_;
  std::unique_ptr<FolderHandler> handler_;
  std::unique_ptr<dimse::DimseServer> server_;
};

// The bytes of a Part 10 file after its File Meta Information group.
inline std::string dataset_bytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // 128-byte preamble, "DICM", then (0002,0000) UL group length, explicit VR LE.
  if (all.size() < 144 || all.compare(128, 4, "DICM") != 0) return {};
  std::uint32_t group_length = 0;
  std::memcpy(&group_length, all.data() + 140, 4);
  std::size_t start = 144 + group_length;
  return start <= all.size() ? all.substr(start) : std::string();
}

inline std::string dataset_sop_instance_uid(const std::filesystem::path& file) {
  DcmFileFormat ff;
  OFString uid;
  if (ff.loadFile(file.c_str(), EXS_Unknown, EGL_noChange, 256).good())
    ff.getDataset()->findAndGetOFString(DCM_SOPInstanceUID, uid);
  return uid.c_str();
}

// storescu only proposes a compressed transfer syntax when told which one:
// the option that makes it send `file` as it is.
inline std::string storescu_ts_option(const std::filesystem::path& file) {
  static const std::map<std::string, std::string> options = {
      {"1.2.840.10008.1.2.1", "-xe"},      {"1.2.840.10008.1.2", "-xi"},        {"1.2.840.10008.1.2.2", "-xb"},
      {"1.2.840.10008.1.2.1.99", "-xd"},   {"1.2.840.10008.1.2.4.50", "-xy"},   {"1.2.840.10008.1.2.4.51", "-xx"},
      {"1.2.840.10008.1.2.4.70", "-xs"},   {"1.2.840.10008.1.2.4.80", "-xt"},   {"1.2.840.10008.1.2.4.81", "-xu"},
      {"1.2.840.10008.1.2.4.90", "-xv"},   {"1.2.840.10008.1.2.4.91", "-xw"},   {"1.2.840.10008.1.2.5", "-xr"}};
  DcmFileFormat ff;
  ff.loadFile(file.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_metaOnly);
  OFString ts;
  ff.getMetaInfo()->findAndGetOFString(DCM_TransferSyntaxUID, ts);
  auto it = options.find(ts.c_str());
  return it == options.end() ? "" : it->second;
}

// storescu sending one file in its own transfer syntax.
inline std::string storescu_command(const std::filesystem::path& file, const std::string& called_ae,
                                    std::uint16_t port, const std::string& extra = "") {
  return "storescu -R " + storescu_ts_option(file) + " " + extra + " -aet TESTSCU -aec " + called_ae +
         " 127.0.0.1 " + std::to_string(port) + " " + file.string();
}

// What DCMTK puts on the wire for these files: storescu sends each (in its
// own transfer syntax) to a bit-preserving storescp. DCMTK drops Data Set
// Trailing Padding and may re-encode lengths while sending, so "the bytes the
// peer sent" is this, not the original file. Key: SOP Instance UID|TS UID.
inline std::map<std::string, std::string> wire_reference(const std::vector<std::filesystem::path>& files,
                                                          const std::filesystem::path& work) {
  std::map<std::string, std::string> out;
  StorescpProcess storescp("REF", work / "ref-out");
  for (const auto& f : files) run_command(storescu_command(f, "REF", storescp.port()));
  for (const auto& e : std::filesystem::directory_iterator(work / "ref-out")) {
    DcmFileFormat ff;
    if (ff.loadFile(e.path().c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_metaOnly).bad()) continue;
    OFString uid, ts;
    ff.getMetaInfo()->findAndGetOFString(DCM_MediaStorageSOPInstanceUID, uid);
    ff.getMetaInfo()->findAndGetOFString(DCM_TransferSyntaxUID, ts);
    out[std::string(uid.c_str()) + "|" + ts.c_str()] = dataset_bytes(e.path());
  }
  return out;
}

}  // namespace medai::testing
