#pragma once
// PS3.15 Annex E, Table E.1-1 "Application Level Confidentiality Profile
// Attributes" as data: one row per attribute with its Basic Profile action and
// the option columns. The deidentifier only interprets this table; adding a
// row of a newer edition needs no code change.
#include <cstdint>
#include <span>
#include <string_view>

namespace medai::deid {

// Basic Profile action codes exactly as the standard writes them.
// Combined codes depend on the attribute's type in the IOD (X if Type 3,
// Z if Type 2, D if Type 1); U* means "replace the UIDs inside the sequence".
enum class BasicAction : std::uint8_t { D, Z, X, K, C, U, ZD, XD, XZ, XZD, XZUStar };

std::string_view basic_action_code(BasicAction action);  // "X/Z/D", "X/Z/U*", ...

// Option columns of Table E.1-1, as bit flags in ProfileRow::options.
// Each flag states what the column says for the attribute when the option is
// in use (K = keep, C = clean, X = remove).
enum OptionFlag : std::uint16_t {
  kNoOption = 0,
  kRetainUidsK = 1 << 0,              // Retain UIDs: K
  kRetainUidsX = 1 << 1,              // Retain UIDs: X (Referenced Patient Sequence)
  kRetainDeviceK = 1 << 2,            // Retain Device Identity: K
  kRetainInstitutionK = 1 << 3,       // Retain Institution Identity: K
  kRetainPatientCharsK = 1 << 4,      // Retain Patient Characteristics: K
  kRetainPatientCharsC = 1 << 5,      // Retain Patient Characteristics: C
  kRetainDates = 1 << 6,              // Retain Longitudinal Full Dates: K, Modified Dates: C
  kCleanDescriptorsC = 1 << 7,        // Clean Descriptors: C
  kCleanStructuredContentC = 1 << 8,  // Clean Structured Content: C (option not offered yet)
  kCleanGraphicsC = 1 << 9,           // Clean Graphics: C (option not offered yet)
  kRetainSafePrivateC = 1 << 10,      // Retain Safe Private: C
};

struct ProfileRow {
  std::uint16_t group;
  std::uint16_t element;
  std::string_view name;
  BasicAction basic;
  std::uint16_t options;  // OptionFlag bits
  // Repeating groups (50xx curves, 60xx overlays): group bits outside the
  // mask vary; element_mask 0 matches every element of the group.
  std::uint16_t group_mask = 0xFFFF;
  std::uint16_t element_mask = 0xFFFF;

  bool matches(std::uint16_t g, std::uint16_t e) const {
    return (g & group_mask) == group && (e & element_mask) == (element & element_mask);
  }
};

// Every row of Table E.1-1 except "Private attributes" (see private_tags.h),
// sorted by (group, element) for the exact rows, repeating-group rows last.
std::span<const ProfileRow> profile_rows();
// The row for a tag (exact or repeating group), nullptr when the table does
// not list it. Private (odd-group) tags are never found here.
const ProfileRow* find_profile_row(std::uint16_t group, std::uint16_t element);
// Attributes the table marks X that are Type 2 in a common IOD (found with
// dciodvfy on real files): removing them makes the object invalid, so X is
// applied as Z (present, empty) instead — no value survives either way.
bool remove_as_empty(std::uint16_t group, std::uint16_t element);

// Which edition/source the rows were transcribed from (shown in reports/docs).
std::string_view profile_table_source();

}  // namespace medai::deid
