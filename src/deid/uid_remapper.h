#pragma once
// Consistent UID replacement: new UID = "2.25." + decimal of a 128-bit value
// taken from keyed BLAKE2b of the original UID (PS3.5 B.2 UUID-derived form,
// with the RFC 9562 version-8 "custom" and variant bits set). The same
// original gives the same replacement for the same institution key and
// project, so Study/Series/SOP Instance/Frame of Reference UIDs and every
// reference to them (e.g. ReferencedSOPInstanceUID inside SEG, RTSTRUCT, SR)
// stay consistent across files de-identified separately.
#include <cstdint>
#include <string>
#include <string_view>

namespace medai::deid {

class UidRemapper {
 public:
  explicit UidRemapper(std::string uid_key) : key_(std::move(uid_key)) {}
  std::string remap(std::string_view original_uid) const;

 private:
  std::string key_;
};

// True for UIDs the DICOM standard (or DCMTK's registry) defines: SOP
// classes, transfer syntaxes, coding schemes, well-known instances. They
// identify kinds of things, never patients, and must not be replaced.
bool is_well_known_uid(std::string_view uid);

// True when the attribute's value names a class or a scheme rather than an
// instance (SOP Class UID, Transfer Syntax UID, Coding Scheme UID, ...): kept
// even when the value is private to a vendor.
bool is_class_uid_attribute(std::uint16_t group, std::uint16_t element);

}  // namespace medai::deid
