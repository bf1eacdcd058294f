// Results of volume apps with task "segmentation" (radiotherapy structures,
// organ maps): the post-processed label map (argmax) goes back onto the CT's
// grid, is cleaned up anatomically (lung sides, islands: apps/rt/
// label_cleanup.h) and becomes one structure per output label — an RTSTRUCT
// referencing the CT (TG-263 names, RT ROI Interpreted Type, colours, closed
// planar contours per slice), a SEG with one segment per structure and one
// JSON finding per structure (volume, slices, contours, references). Objects
// carry the producer (app, version, package digest, research-use and
// synthetic-training notices).
#include "annotations/codes.h"
#include "apps/app_result_builders.h"
#include "apps/rt/label_cleanup.h"
#include "apps/rt/rt_structures.h"
#include "apps/rt/structure_results.h"

namespace medai::apps {

using nlohmann::json;
namespace ann = annotations;

Status build_segmentation_results(VolumeRun& run, const ResultContext& ctx, AppRunOutput& out) {
  const json& manifest = ctx.app->app.manifest;
  if (!run.data.labels)
    return make_error(ErrorCode::invalid_pipeline,
                      "a segmentation app's post-processing must end in a label map (argmax or threshold)",
                      {{"task", "segmentation"}});
  MEDAI_ASSIGN_OR_RETURN(std::vector<rt::OutputStructure> structures,
                         rt::output_structures(manifest.value("output", json::object()).value("labels", json())));
  imaging::Volume<std::uint8_t> labels = run.data.labels->nx == run.source.nx && run.data.labels->ny == run.source.ny &&
                                                 run.data.labels->nz == run.source.nz()
                                             ? *run.data.labels
                                             : imaging::labels_on_source_grid(run.data, *run.data.labels);
  // The source series' grid is what the writers check against; the loader's
  // volume has the same geometry up to rounding.
  labels.spacing = run.source.spacing;
  labels.origin = run.source.origin;
  labels.direction = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  const rt::CleanupReport cleanup = rt::clean_up_labels(labels, structures);

  if (!ctx.progress(0.9, "writing structures")) return make_error(ErrorCode::cancelled, "the app run was cancelled");
  rt::StructureResultOptions options;
  // Without a writers list both objects are written: a contouring result is its RTSTRUCT.
  options.write_rtstruct = ctx.writers.empty() || ctx.writers.count("rtstruct") > 0;
  options.write_seg = ctx.writers.empty() || ctx.writers.count("seg") > 0;
  options.rtstruct_series = ctx.output_series("rtstruct", 902, ctx.display_name + " structures");
  options.seg_series = ctx.output_series("seg", 901, ctx.display_name + " segmentation");
  std::string notice = ctx.producer.research_use_only ? "research use only" : "";
  if (manifest.value("synthetic_training_data", false))
    notice += std::string(notice.empty() ? "" : " - ") + "trained on synthetic data";
  options.notice = notice;
  MEDAI_ASSIGN_OR_RETURN(rt::StructureResults built,
                         rt::build_structure_results(labels, structures, run.source, ctx.producer, options));

  for (auto& f : built.findings) out.result.findings.push_back(std::move(f));
  for (auto& e : built.object_entries) out.result.objects.push_back(std::move(e));
  for (auto& o : built.objects) out.objects.push_back(std::move(o));
  for (auto& [k, v] : built.exam.items()) out.result.exam[k] = v;
  out.result.exam["cleanup"] = {{"lung_voxels_moved", cleanup.lung_voxels_moved},
                                {"island_voxels_removed", cleanup.island_voxels_removed}};
  return Status::ok();
}

}  // namespace medai::apps
