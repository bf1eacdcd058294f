#pragma once
// Query/Retrieve Level handling shared by SCP and SCU.
#include "core/status.h"
#include "dimse/handler.h"

class DcmDataset;

namespace medai::dimse {

// The validated Query/Retrieve Level (0008,0052) of an identifier. Missing,
// unknown, or PATIENT in the study root model → invalid_argument.
Result<QueryLevel> query_level_of(const DcmDataset& identifier, QueryModel model);

}  // namespace medai::dimse
