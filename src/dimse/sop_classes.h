#pragma once
// What the DIMSE adapter negotiates: the storage SOP classes we accept as
// C-STORE SCP (and propose as C-GET SCU), and the transfer syntaxes. The
// lists are the single source for the conformance statement
// (docs/dicom-conformance.md, section DIMSE).
#include <string>
#include <string_view>
#include <vector>

namespace medai::dimse {

struct NamedUid {
  const char* uid;
  const char* name;
};

// Storage SOP classes accepted by the C-STORE SCP.
const std::vector<NamedUid>& storage_sop_classes();
bool is_accepted_storage_sop_class(std::string_view uid);
// Waveform storage (ECG, hemodynamic, audio, ...): no pixel data, so a C-GET
// SCU proposes them uncompressed only.
bool is_waveform_sop_class(std::string_view uid);

// Transfer syntaxes accepted for storage (as received, never transcoded), in
// our order of preference when a context proposes several.
const std::vector<NamedUid>& storage_transfer_syntaxes();
bool is_accepted_storage_transfer_syntax(std::string_view uid);

// Implicit VR LE, Explicit VR LE, Explicit VR BE: DCMTK converts between them
// while sending, so any of them can carry an uncompressed instance.
bool is_uncompressed_transfer_syntax(std::string_view uid);
// Explicit VR LE first (preferred), then Implicit VR LE.
const std::vector<const char*>& uncompressed_transfer_syntaxes();
// Compressed (and deflated) syntaxes we accept, lossless first.
std::vector<const char*> compressed_transfer_syntaxes();

}  // namespace medai::dimse
