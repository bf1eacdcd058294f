#pragma once
// Synchronous tabular-advice app calls (POST /api/v1/apps/{name}/infer).
// Declared apart from routes.h so the route files that include routes.h do
// not depend on it.
#include "http/app.h"
#include "http/router.h"

namespace medai::http::routes {
void register_app_infer_routes(Router& router, AppContext& ctx);
}  // namespace medai::http::routes
