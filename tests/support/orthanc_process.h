#pragma once
// A real Orthanc 1.10 (Debian `orthanc` + `orthanc-dicomweb`) as a test peer:
// temp storage/index folder, free HTTP and DICOM ports, REST without
// authentication, DICOMweb plugin at /dicom-web/, and the DICOM modalities
// it should know (for C-MOVE destinations and its own C-MOVE/C-FIND SCU).
//
// Orthanc 1.10 binds 0.0.0.0 whatever "RemoteAccessAllowed" says; the test
// traffic stays on 127.0.0.1 and REST refuses non-loopback callers, so the
// exposure is a short-lived, empty, unauthenticated port. Orthanc (a DCMTK
// program) gets TCP_NODELAY=1 so Nagle does not add ~50 ms per C-STORE.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "support/dicom_tools.h"

namespace medai::testing {

struct OrthancModality {
  std::string name;  // REST name, e.g. "medai" (/modalities/medai/...)
  std::string ae_title;
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
};

inline bool orthanc_installed() {
  return std::filesystem::exists("/usr/sbin/Orthanc") &&
         std::filesystem::exists("/usr/share/orthanc/plugins/libOrthancDicomWeb.so");
}

class OrthancProcess {
 public:
  OrthancProcess(const std::filesystem::path& folder, const std::vector<OrthancModality>& modalities = {},
                 std::string ae_title = "ORTHANC")
      : folder_(folder), ae_title_(std::move(ae_title)), http_port_(free_port()), dicom_port_(free_port()) {
    std::filesystem::create_directories(folder_ / "storage");
    nlohmann::json mods = nlohmann::json::object();
    for (const auto& m : modalities) mods[m.name] = {m.ae_title, m.host, m.port};
    nlohmann::json config = {
        {"Name", "medai-peer-test"},
        {"StorageDirectory", (folder_ / "storage").string()},
        {"IndexDirectory", (folder_ / "storage").string()},
        {"HttpPort", http_port_},
        {"DicomPort", dicom_port_},
        {"DicomAet", ae_title_},
        {"RemoteAccessAllowed", false},
        {"AuthenticationEnabled", false},
        {"DicomCheckCalledAet", false},
        {"StorageCompression", false},
        // Orthanc's DICOMweb plugin writes QIDO answers in this encoding;
        // with the default (Latin1) it drops every character Latin-1 lacks
        // (a GB18030 or UTF-8 "李^华" comes back as "^"). A site with
        // Chinese patients sets Utf8.
        {"DefaultEncoding", "Utf8"},
        {"DicomModalities", mods},
        {"DicomScuTimeout", 30},
        {"Plugins", {"/usr/share/orthanc/plugins/libOrthancDicomWeb.so"}},
        {"DicomWeb", {{"Enable", true}, {"Root", "/dicom-web/"}, {"StudiesMetadata", "Full"}}}};
    std::ofstream(folder_ / "orthanc.json") << config.dump(2);
    log_ = folder_ / "orthanc.log";
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setenv("TCP_NODELAY", "1", 1);
      std::freopen(log_.c_str(), "w", stdout);
      std::freopen(log_.c_str(), "a", stderr);
      const std::string cfg = (folder_ / "orthanc.json").string();
      ::execl("/usr/sbin/Orthanc", "Orthanc", cfg.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      if (run_command("curl -sf -o /dev/null " + url("/system"), 5).exit_code == 0) {
        ready_ = true;
        break;
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  ~OrthancProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  OrthancProcess(const OrthancProcess&) = delete;
  OrthancProcess& operator=(const OrthancProcess&) = delete;

  bool running() const { return ready_ && pid_ > 0; }
  std::uint16_t http_port() const { return http_port_; }
  std::uint16_t dicom_port() const { return dicom_port_; }
  const std::string& ae_title() const { return ae_title_; }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(http_port_) + path; }
  std::string dicomweb_root() const { return url("/dicom-web"); }
  std::string log_text() const {
    std::ifstream in(log_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  // REST GET → body ("" on failure). `path` goes out as written: Orthanc
  // 1.10's DICOMweb plugin does not percent-decode query values.
  std::string get(const std::string& path, const std::string& accept = "") const {
    return run_command("curl -sfg " + (accept.empty() ? "" : "-H 'Accept: " + accept + "' ") + "'" + url(path) + "'",
                       120)
        .output;
  }
  nlohmann::json get_json(const std::string& path) const { return nlohmann::json::parse(get(path), nullptr, false); }
  // REST POST of a JSON body → parsed reply (null on failure).
  nlohmann::json post_json(const std::string& path, const nlohmann::json& body) const {
    const auto file = folder_ / "post.json";
    std::ofstream(file) << body.dump();
    auto r = run_command("curl -sf -H 'Expect:' -H 'Content-Type: application/json' --data-binary @" + file.string() +
                             " " + url(path),
                         180);
    return nlohmann::json::parse(r.output, nullptr, false);
  }

 private:
  std::filesystem::path folder_, log_;
  std::string ae_title_;
  std::uint16_t http_port_, dicom_port_;
  pid_t pid_ = -1;
  bool ready_ = false;
};

}  // namespace medai::testing
