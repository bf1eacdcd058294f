#include "jobs/dicom_push.h"

#include "dicom/instance_store.h"
#include "dicom/remote_nodes.h"
#include "dimse/scu.h"

namespace medai::jobs {
namespace {

// Acts for the job's institution: sees its instances and its nodes.
access::Principal acting_for(const Job& job) {
  access::Principal p;
  p.user_id = job.created_by.empty() ? "system" : job.created_by;
  p.username = "job:" + job.id;
  p.institution_id = job.institution_id;
  p.roles = {access::Role::institution_admin};
  return p;
}

class DicomPushHandler : public JobHandler {
 public:
  DicomPushHandler(dicom::InstanceStore& store, dicom::RemoteNodes& nodes, DicomPushOptions options)
      : store_(store), nodes_(nodes), options_(std::move(options)) {}

  Result<nlohmann::json> run(const Job& job, JobContext& ctx) override {
    const auto& in = job.input;
    if (!in.contains("node_id") || !in["node_id"].is_string() || !in.contains("study_uid") ||
        !in["study_uid"].is_string())
      return make_error(ErrorCode::invalid_argument, "dicom.push needs node_id and study_uid");
    const access::Principal who = acting_for(job);
    MEDAI_ASSIGN_OR_RETURN(auto node, nodes_.get(who, in["node_id"].get<std::string>()));
    if (!node.allow_push) return make_error(ErrorCode::forbidden, "the node '" + node.name + "' does not allow push");
    dicom::InstanceSelector sel;
    sel.study_uid = in["study_uid"].get<std::string>();
    sel.series_uid = in.value("series_uid", "");
    MEDAI_ASSIGN_OR_RETURN(auto instances, store_.locate(who, sel, "dicom.push"));
    std::set<std::string> wanted;
    if (in.contains("sop_instance_uids") && in["sop_instance_uids"].is_array())
      for (const auto& u : in["sop_instance_uids"])
        if (u.is_string()) wanted.insert(u.get<std::string>());
    std::vector<std::filesystem::path> files;
    for (const auto& i : instances)
      if (wanted.empty() || wanted.count(i.sop_instance_uid)) files.push_back(i.path);
    if (files.empty()) return make_error(ErrorCode::not_found, "no stored instance matches the push selection");
    ctx.progress(0.05, "sending " + std::to_string(files.size()) + " instances to " + node.name);
    dimse::ScuOptions scu;
    scu.calling_ae = options_.calling_ae;
    scu.acse_timeout_s = options_.acse_timeout_s;
    scu.dimse_timeout_s = options_.dimse_timeout_s;
    const dimse::RemoteNode remote{node.ae_title, node.host, static_cast<std::uint16_t>(node.port)};
    auto outcomes = dimse::store(remote, files, scu);
    if (!outcomes) {
      // Cannot connect, association refused or aborted: try again later.
      const ErrorCode code = outcomes.status().code() == ErrorCode::invalid_argument ? ErrorCode::invalid_argument
                             : outcomes.status().code() == ErrorCode::remote_failure ? ErrorCode::remote_failure
                                                                                     : ErrorCode::unavailable;
      return make_error(code, "push to node '" + node.name + "' failed: " + outcomes.status().message());
    }
    nlohmann::json per_instance = nlohmann::json::array();
    int ok = 0, failed = 0;
    for (const auto& o : *outcomes) {
      per_instance.push_back({{"sop_instance_uid", o.sop_instance_uid},
                              {"dimse_status", o.dimse_status},
                              {"ok", o.status.is_ok()},
                              {"error", o.status.is_ok() ? nlohmann::json(nullptr) : o.status.to_json()}});
      (o.status.is_ok() ? ok : failed)++;
    }
    ctx.progress(1.0, std::to_string(ok) + " of " + std::to_string(outcomes->size()) + " instances stored");
    if (failed > 0)
      return make_error(ErrorCode::remote_failure,
                        "node '" + node.name + "' refused " + std::to_string(failed) + " of " +
                            std::to_string(outcomes->size()) + " instances",
                        {{"instances", per_instance}});
    return nlohmann::json{{"node_id", node.id}, {"node", node.name}, {"sent", ok}, {"instances", per_instance}};
  }

 private:
  dicom::InstanceStore& store_;
  dicom::RemoteNodes& nodes_;
  DicomPushOptions options_;
};

}  // namespace

void register_dicom_push(JobEngine& engine, dicom::InstanceStore& store, dicom::RemoteNodes& nodes,
                         DicomPushOptions options) {
  engine.register_handler("dicom.push", std::make_shared<DicomPushHandler>(store, nodes, std::move(options)),
                          JobTypeOptions{.api_submittable = true, .submit_roles = {access::Role::institution_admin}});
}

}  // namespace medai::jobs
