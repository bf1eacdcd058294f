# Segmentation (Dice, HD95, volume error) and detection (FROC / CPM, LUNA16)
# metrics: pure C++, shared by training validation and `medai evaluate`.
# Included by src/evaluation/CMakeLists.txt.
if(NOT TARGET medai_imaging_metrics)  # included once, from wherever the build first needs it
add_library(medai_imaging_metrics
  ${CMAKE_CURRENT_LIST_DIR}/segmentation_metrics.cc
  ${CMAKE_CURRENT_LIST_DIR}/detection_metrics.cc)
target_include_directories(medai_imaging_metrics PUBLIC ${MEDAI_SRC_ROOT})
target_link_libraries(medai_imaging_metrics PUBLIC medai_core medai_imaging)
endif()
