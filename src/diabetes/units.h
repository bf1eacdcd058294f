#pragma once
// Unit conversion for the laboratory values the advice uses. Conversions
// are the standard ones:
//   HbA1c  NGSP % = 0.09148 × IFCC mmol/mol + 2.152 (IFCC–NGSP master equation)
//   glucose mmol/L = mg/dL / 18.016 (molar mass 180.16 g/mol)
//   LDL cholesterol mmol/L = mg/dL / 38.67 (molar mass of cholesterol 386.7 g/mol)
// Converted values are rounded to lab reporting precision (0.1 %, 0.1 mmol/L,
// 0.01 mmol/L for LDL) so thresholds quoted in both units agree.
// Units are matched after trimming, case-insensitively for the plain forms
// and exactly for UCUM codes (e.g. "mmol/mol", "%", "mg/dL", "mmol/L",
// "mL/min/{1.73_m2}", "kg/m2", "mm[Hg]").
#include <optional>
#include <string_view>

namespace medai::diabetes {

// The conversion factors above, for the few places that go the other way.
inline constexpr double kHba1cNgspPerIfcc = 0.09148;    // % per mmol/mol
inline constexpr double kHba1cNgspIntercept = 2.152;    // %
inline constexpr double kGlucoseMgDlPerMmolL = 18.016;
inline constexpr double kLdlMgDlPerMmolL = 38.67;

// HbA1c in IFCC mmol/mol from NGSP %; glucose in mg/dL from mmol/L (unrounded).
inline double hba1c_mmol_mol(double percent) { return (percent - kHba1cNgspIntercept) / kHba1cNgspPerIfcc; }
inline double glucose_mg_dl(double mmol_l) { return mmol_l * kGlucoseMgDlPerMmolL; }

enum class Quantity { hba1c, glucose, ldl, egfr, bmi, blood_pressure, age, length_mm, count, ratio };

// The value in the canonical unit of `q`, or nullopt when `unit` is not one
// this quantity accepts. An empty unit means the canonical one.
std::optional<double> to_canonical(Quantity q, double value, std::string_view unit);

// The canonical unit's display form ("%", "mmol/L", ...).
std::string_view canonical_unit(Quantity q);

// The units accepted for `q`, for error messages ("%, mmol/mol").
std::string_view accepted_units(Quantity q);

}  // namespace medai::diabetes
