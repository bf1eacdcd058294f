#pragma once
// One accepted association, served on its own thread: negotiation (called
// AE, caller authorization, presentation contexts) then the DIMSE message
// loop. Internal to src/dimse.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmnet/assoc.h>

#include <atomic>

#include "dimse/handler.h"
#include "dimse/server.h"

namespace medai::dimse {

// Takes ownership of `assoc` (destroyed before returning). Returns when the
// peer releases or aborts, on error, on idle timeout, or when `stopping`
// becomes true (the association is then aborted between messages).
void serve_association(T_ASC_Association* assoc, const DimseServerOptions& options, DimseHandler& handler,
                       const std::atomic<bool>& stopping);

}  // namespace medai::dimse
