#pragma once
// One registration function per resource file.
#include "http/app.h"
#include "http/router.h"

namespace medai::http::routes {
void register_system_routes(Router& router, AppContext& ctx);
void register_auth_routes(Router& router, AppContext& ctx);
void register_institution_routes(Router& router, AppContext& ctx);
void register_user_routes(Router& router, AppContext& ctx);
void register_token_routes(Router& router, AppContext& ctx);
void register_dataset_routes(Router& router, AppContext& ctx);
void register_dicomweb_stow_routes(Router& router, AppContext& ctx);
void register_dicomweb_qido_routes(Router& router, AppContext& ctx);
void register_dicomweb_wado_routes(Router& router, AppContext& ctx);
void register_dicomweb_pixel_routes(Router& router, AppContext& ctx);
void register_upload_routes(Router& router, AppContext& ctx);
void register_dicom_node_routes(Router& router, AppContext& ctx);
void register_app_routes(Router& router, AppContext& ctx);
void register_vendor_key_routes(Router& router, AppContext& ctx);
void register_kserve_routes(Router& router, AppContext& ctx);
void register_job_routes(Router& router, AppContext& ctx);
void register_routing_rule_routes(Router& router, AppContext& ctx);
void register_webhook_routes(Router& router, AppContext& ctx);
void register_feedback_routes(Router& router, AppContext& ctx);  // clinician feedback on app findings
void register_training_routes(Router& router, AppContext& ctx);  // training jobs, reports
void register_evaluation_routes(Router& router, AppContext& ctx);  // model evaluations
void register_portal_routes(Router& router, AppContext& ctx);    // web/dist at "/" (last: a {path*} fallback)
}  // namespace medai::http::routes
