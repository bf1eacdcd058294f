// write_mammo_exam: four MG views + lesion masks (PNG) + ground_truth.json.
#include <cmath>
#include <cstdio>

#include "synth/mammography.h"
#include "synth/mg_writer.h"
#include "synth/png_writer.h"
#include "synth/study_output.h"
#include "synth/uid.h"

namespace medai::synth {

Result<nlohmann::json> write_mammo_exam(std::uint64_t seed, int index, const StudyOptions& options,
                                        const std::filesystem::path& dir) {
  MammoOptions o;
  o.small = options.small;
  o.threads = options.threads;
  if (options.force_lesion) o.lesion_fraction = 1.0;
  const MammoExam exam = generate_mammo_exam(study_seed(seed, "mammo", index), o);
  const StudyIdentity id = make_identity(seed, "mammo", index, exam.age, true, "Synthetic screening mammography");
  const std::string base = "mammo/" + std::to_string(index);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return make_error(ErrorCode::io_error, "cannot create output folder", {{"path", dir.string()}});
  const SeriesInfo series{synth_uid(seed, base + "/series/mg"), "MG", "Synthetic screening mammography", 1};

  nlohmann::json gt;
  gt["kind"] = "mammo";
  gt["generator"] = std::string("medai synth ") + MEDAI_VERSION;
  gt["seed"] = seed;
  gt["index"] = index;
  gt["patient"] = {{"patient_id", id.patient_id}, {"age", exam.age}, {"sex", "F"}};
  gt["study_instance_uid"] = id.study_uid;
  gt["series_instance_uid"] = series.uid;
  gt["breast_density"] = std::string(1, exam.density);
  gt["dense_fraction"] = std::round(exam.dense_fraction * 1000) / 1000;
  gt["exam_label"] = exam.exam_label();
  nlohmann::json lesion = nullptr;
  if (exam.lesion.kind != LesionKind::none) {
    lesion = {{"kind", to_string(exam.lesion.kind)},
              {"laterality", exam.lesion.side == Laterality::left ? "L" : "R"},
              {"malignant", exam.lesion.malignant},
              {"size_mm", std::round(exam.lesion.size_mm * 100) / 100},
              {"nipple_distance_mm", std::round(exam.lesion.nipple_distance_mm * 100) / 100},
              {"morphology", exam.lesion.kind == LesionKind::calcifications
                                 ? (exam.lesion.malignant ? "fine pleomorphic / linear" : "coarse / round, scattered")
                                 : (exam.lesion.kind == LesionKind::spiculated_mass ? "irregular, spiculated margin"
                                                                                    : "oval, circumscribed margin")}};
  }
  gt["lesion"] = lesion;
  // The label a dataset made with --dataset gets: lateralised ("malignant:R")
  // so a trainer can label each view by its breast, not by the exam.
  gt["dataset_label"] = exam.lesion.kind == LesionKind::none
                            ? exam.exam_label()
                            : exam.exam_label() + (exam.lesion.side == Laterality::left ? ":L" : ":R");
  nlohmann::json views = nlohmann::json::array();
  int instance = 1;
  for (const MammoImage& img : exam.images) {
    const std::string name = std::string(img.side == Laterality::left ? "L" : "R") + (img.view == MammoView::cc ? "CC" : "MLO");
    const std::string sop = synth_uid(seed, base + "/" + name);
    MEDAI_RETURN_IF_ERROR(write_mg_image(img, id, series, sop, instance, dir / (name + ".dcm")));
    nlohmann::json v = {{"view", name},
                        {"file", name + ".dcm"},
                        {"sop_instance_uid", sop},
                        {"instance_number", instance},
                        {"image_laterality", img.side == Laterality::left ? "L" : "R"},
                        {"view_position", img.view == MammoView::cc ? "CC" : "MLO"},
                        {"rows", img.rows},
                        {"columns", img.cols},
                        {"pixel_spacing_mm", img.pixel_mm},
                        {"label", img.has_lesion ? exam.exam_label() : "normal"}};
    if (img.has_lesion) {
      MEDAI_RETURN_IF_ERROR(write_gray_png(dir / (name + "_mask.png"), img.cols, img.rows, [&] {
        std::vector<std::uint8_t> m(img.lesion_mask.size());
        for (std::size_t i = 0; i < m.size(); ++i) m[i] = img.lesion_mask[i] ? 255 : 0;
        return m;
      }()));
      v["lesion_box"] = {{"x0", img.lesion_box[0]}, {"y0", img.lesion_box[1]}, {"x1", img.lesion_box[2]}, {"y1", img.lesion_box[3]}};
      v["lesion_mask"] = name + "_mask.png";
    } else {
      v["lesion_box"] = nullptr;
      v["lesion_mask"] = nullptr;
    }
    views.push_back(v);
    ++instance;
  }
  gt["views"] = views;
  gt["coordinates"] = "lesion_box in pixels of the stored image (x = column, y = row, inclusive)";
  MEDAI_RETURN_IF_ERROR(write_json_file(gt, dir / "ground_truth.json"));
  return gt;
}

}  // namespace medai::synth
