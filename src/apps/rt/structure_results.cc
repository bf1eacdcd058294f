#include "apps/rt/structure_results.h"

#include <algorithm>
#include <cmath>

#include "annotations/rtstruct_writer.h"
#include "annotations/seg_writer.h"

namespace medai::apps::rt {
namespace ann = annotations;

namespace {
// Which voxels of the label map a ROI/segment covers: its own value, or for
// the body outline every labelled voxel (any bit set).
template <typename Spec>
void set_selector(Spec& spec, const OutputStructure& s) {
  if (s.is_external()) {
    spec.bits = 0xFF;
  } else {
    spec.label = static_cast<std::uint8_t>(s.label);
    spec.bits = 0;
  }
}
}  // namespace

Result<StructureResults> build_structure_results(const imaging::Volume<std::uint8_t>& labels,
                                                 const std::vector<OutputStructure>& structures,
                                                 const ann::SourceSeries& source, const ann::Producer& producer,
                                                 const StructureResultOptions& options) {
  if (structures.empty())
    return make_error(ErrorCode::invalid_argument, "an auto-contouring result needs at least one structure");
  MEDAI_RETURN_IF_ERROR(ann::check_same_grid(source, labels, "structure labels"));

  StructureResults out;
  // Per structure: voxels, slice range, volume.
  const double voxel_mm3 = labels.spacing[0] * labels.spacing[1] * labels.spacing[2];
  const std::size_t per_slice = static_cast<std::size_t>(labels.nx) * labels.ny;
  nlohmann::json names = nlohmann::json::array(), empty = nlohmann::json::array();
  for (std::size_t s = 0; s < structures.size(); ++s) {
    const bool any = structures[s].is_external();
    const auto value = static_cast<std::uint8_t>(structures[s].label);
    std::int64_t voxels = 0;
    int first = -1, last = -1, slices = 0;
    double cx = 0, cy = 0, cz = 0;
    for (int k = 0; k < labels.nz; ++k) {
      const std::uint8_t* sl = labels.slice(k);
      std::int64_t here = 0;
      for (std::size_t v = 0; v < per_slice; ++v)
        if (any ? sl[v] != 0 : sl[v] == value) {
          ++here;
          const int i = static_cast<int>(v % labels.nx), j = static_cast<int>(v / labels.nx);
          const auto p = labels.position(i, j, k);
          cx += p.x, cy += p.y, cz += p.z;
        }
      if (here) {
        if (first < 0) first = k;
        last = k;
        ++slices;
      }
      voxels += here;
    }
    const auto& st = structures[s];
    ann::ResultFinding f;
    f.id = st.info.name;
    f.label = st.info.name;
    f.code = st.info.type;
    f.measurements = {{"volume", std::round(voxels * voxel_mm3 / 10.0) / 100.0, "mL"}};
    f.attributes = {{"interpreted_type", st.info.interpreted_type},
                    {"rgb", {st.info.rgb[0], st.info.rgb[1], st.info.rgb[2]}},
                    {"model_label", st.label},
                    {"slices", slices},
                    {"empty", voxels == 0}};
    if (voxels > 0) {
      const double n = static_cast<double>(voxels);
      f.centre_mm = std::array<double, 3>{cx / n, cy / n, cz / n};
      f.attributes["first_slice"] = first;
      f.attributes["last_slice"] = last;
      f.slice_index = (first + last) / 2;
    } else {
      empty.push_back(st.info.name);
    }
    names.push_back(st.info.name);
    out.findings.push_back(std::move(f));
  }

  if (options.write_rtstruct) {
    std::vector<ann::RoiSpec> rois;
    for (std::size_t s = 0; s < structures.size(); ++s) {
      ann::RoiSpec r;
      set_selector(r, structures[s]);
      r.name = structures[s].info.name;
      r.interpreted_type = structures[s].info.interpreted_type;
      r.rgb = structures[s].info.rgb;
      r.code = structures[s].info.type;
      rois.push_back(r);
    }
    MEDAI_ASSIGN_OR_RETURN(ann::RtStructWritten rt,
                           ann::write_rtstruct(labels, rois, source, producer, options.rtstruct_series));
    for (std::size_t s = 0; s < structures.size(); ++s) {
      out.findings[s].rtstruct = ann::RoiReference{rt.object.sop_instance_uid, static_cast<int>(s + 1)};
      out.findings[s].attributes["contours"] = rt.contours_per_roi[s];
    }
    out.object_entries.push_back(ann::object_entry("rtstruct", rt.object));
    out.objects.push_back(std::move(rt.object));
  }
  // A SEG needs at least one non-empty segment; with nothing found only the
  // (empty) structure set and the JSON say so.
  if (options.write_seg && empty.size() < structures.size()) {
    std::vector<ann::SegmentSpec> segments;
    for (std::size_t s = 0; s < structures.size(); ++s) {
      ann::SegmentSpec g;
      set_selector(g, structures[s]);
      g.name = structures[s].info.name;
      g.description = structures[s].info.description;
      g.category = structures[s].info.category;
      g.type = structures[s].info.type;
      g.rgb = structures[s].info.rgb;
      g.tracking_id = structures[s].info.name;
      segments.push_back(g);
    }
    MEDAI_ASSIGN_OR_RETURN(ann::DicomObject seg, ann::write_seg(labels, segments, source, producer, options.seg_series));
    for (std::size_t s = 0; s < structures.size(); ++s)
      out.findings[s].seg = ann::SegReference{seg.sop_instance_uid, static_cast<int>(s + 1)};
    out.object_entries.push_back(ann::object_entry("seg", seg));
    out.objects.push_back(std::move(seg));
  }
  out.exam = {{"structures", names}, {"empty_structures", empty}};
  if (!options.notice.empty()) out.exam["notice"] = options.notice;
  return out;
}

}  // namespace medai::apps::rt
