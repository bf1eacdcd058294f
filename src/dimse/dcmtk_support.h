#pragma once
// Small DCMTK helpers shared by the SCP and the SCU. Only src/dimse includes
// DCMTK network headers.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmnet/assoc.h>
#include <dcmtk/dcmnet/dimse.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "core/status.h"

namespace medai::dimse {

// Once per process: checks the data dictionary is loaded, registers the
// JPEG / JPEG-LS / RLE decoders (used when an instance must be sent
// uncompressed), and routes DCMTK's own logger to errors only (its debug
// output can dump datasets, i.e. patient data). Safe to call repeatedly.
Status ensure_dcmtk_ready();

// Turns Nagle's algorithm off on the association's socket. Debian's DCMTK
// leaves it on unless TCP_NODELAY=1 is in the environment, which costs
// ~40 ms per small DIMSE message (delayed ACK); we set it on every
// association whatever the environment.
void disable_nagle(T_ASC_Association* assoc);
// Asks the kernel to acknowledge the next segments at once (Linux
// TCP_QUICKACK, which the kernel resets by itself, so it is re-armed before
// each message). A peer that leaves Nagle on (e.g. DCMTK tools without
// TCP_NODELAY=1) sends a C-STORE's data only after its command PDU is
// acknowledged; without this our delayed ACK costs it ~40 ms per instance.
void quick_ack(T_ASC_Association* assoc);

// The same check, for tests: is TCP_NODELAY set on this association's socket?
bool nagle_disabled(T_ASC_Association* assoc);

// Reads and discards the data set that follows a command we refuse.
bool ignore_dataset(T_ASC_Association* assoc, int timeout_s);

// DCMTK condition text for logs (never contains dataset content).
std::string condition_text(const OFCondition& cond);

// AE titles are space padded on the wire.
std::string trim_ae(const char* ae);

// File Meta Information of a Part 10 file.
struct InstanceMeta {
  std::string sop_class_uid;
  std::string sop_instance_uid;
  std::string transfer_syntax_uid;
};
Result<InstanceMeta> read_instance_meta(const std::filesystem::path& file);

// Sends one instance as a C-STORE-RQ on an open association (SCU, C-GET
// sub-operation or C-MOVE sub-association). The file goes out byte for byte
// when a context with its SOP class and transfer syntax was accepted;
// otherwise an uncompressed context is used (decompressing JPEG, JPEG-LS or
// RLE if needed). Returns the peer's DIMSE status, or an error when nothing
// could be sent (no usable context → unsupported_sop_class /
// unsupported_transfer_syntax; network → remote_failure).
struct SendOptions {
  int dimse_timeout_s = 60;
  DIC_US message_id = 1;
  // For C-MOVE sub-operations: Move Originator AE title and message id.
  std::string move_originator_ae;
  DIC_US move_originator_id = 0;
  T_DIMSE_DetectedCancelParameters* cancel = nullptr;  // C-GET: notices a C-CANCEL while waiting
};
Result<std::uint16_t> send_instance(T_ASC_Association* assoc, const std::filesystem::path& file,
                                    const InstanceMeta& meta, const SendOptions& options);

}  // namespace medai::dimse
