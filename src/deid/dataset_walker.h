#pragma once
// The recursive pass of de-identification over one dataset: Table E.1-1
// (profile_table.h) resolved against the options, then the safety nets for
// attributes the table does not list (private data, UIDs, person names,
// dates). Internal to medai_deid; the public entry point is Deidentifier.
#include "deid/deid_options.h"
#include "deid/deidentifier.h"
#include "deid/text_cleaner.h"
#include "deid/uid_remapper.h"

class DcmItem;

namespace medai::deid {

// Applies the profile to `item` and everything nested in it, counting what
// was done in report.actions. `offset_days` is the patient's date shift.
void deidentify_item(DcmItem& item, const DeidOptions& options, const UidRemapper& uids, int offset_days,
                     const TextCleaner& cleaner, DeidReport& report);

// Adds the dataset's identifying values (person names, and every value the
// profile removes or replaces) to `cleaner`, for the Clean options.
void collect_identifiers(DcmItem& item, const DeidOptions& options, TextCleaner& cleaner);

}  // namespace medai::deid
