#include "http/routes/app_infer_routes.h"
#include "http/routes/routes.h"

namespace medai::http {

void register_all_routes(Router& router, AppContext& ctx) {
  routes::register_system_routes(router, ctx);
  routes::register_auth_routes(router, ctx);
  routes::register_institution_routes(router, ctx);
  routes::register_user_routes(router, ctx);
  routes::register_token_routes(router, ctx);
  routes::register_dataset_routes(router, ctx);
  routes::register_dicomweb_stow_routes(router, ctx);
  routes::register_dicomweb_qido_routes(router, ctx);
  routes::register_dicomweb_wado_routes(router, ctx);
  routes::register_dicomweb_pixel_routes(router, ctx);
  routes::register_upload_routes(router, ctx);
  routes::register_dicom_node_routes(router, ctx);
  routes::register_app_routes(router, ctx);
  routes::register_vendor_key_routes(router, ctx);
  routes::register_kserve_routes(router, ctx);
  routes::register_job_routes(router, ctx);
  routes::register_routing_rule_routes(router, ctx);
  routes::register_webhook_routes(router, ctx);
  routes::register_feedback_routes(router, ctx);
  routes::register_app_infer_routes(router, ctx);
  routes::register_training_routes(router, ctx);
  routes::register_evaluation_routes(router, ctx);
  routes::register_portal_routes(router, ctx);  // last: its {path*} fallback
}

}  // namespace medai::http
