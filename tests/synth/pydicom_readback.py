"""Reads medai synth outputs with pydicom (an independent DICOM reader) and
checks what downstream Python tooling relies on. Usage:
    pydicom_readback.py CHEST_DIR MAMMO_DIR RT_DIR
Prints OK or raises (non-zero exit)."""
import json
import pathlib
import sys

import numpy as np
import pydicom

chest, mammo, rt = (pathlib.Path(p) for p in sys.argv[1:4])

gt = json.loads((chest / "ground_truth.json").read_text())
for n in gt["nodules"]:
    ds = pydicom.dcmread(chest / "ct" / f"CT{n['slice_index'] + 1:04d}.dcm")
    assert ds.SOPInstanceUID == n["sop_instance_uid"]
    hu = ds.pixel_array.astype(np.int32) * int(ds.RescaleSlope) + int(ds.RescaleIntercept)
    i, j, _ = n["center_voxel"]
    # Pixel spacing and origin map the centre in mm to the same voxel.
    x0, y0, _ = (float(v) for v in ds.ImagePositionPatient)
    dy, dx = (float(v) for v in ds.PixelSpacing)
    assert round((n["center_mm"][0] - x0) / dx) == i and round((n["center_mm"][1] - y0) / dy) == j
    assert -1024 <= hu.min() and hu.max() <= 3071

seg = pydicom.dcmread(chest / "seg.dcm")
assert seg.Modality == "SEG" and seg.SegmentationType == "BINARY"
assert len(seg.SegmentSequence) == len(gt["nodules"])
frames = seg.pixel_array.reshape(int(seg.NumberOfFrames), int(seg.Rows), int(seg.Columns))
assert int(frames.sum()) == sum(n["voxel_count"] for n in gt["nodules"])
ct_uids = {pydicom.dcmread(p, stop_before_pixels=True).SOPInstanceUID for p in (chest / "ct").glob("*.dcm")}
for f in seg.PerFrameFunctionalGroupsSequence:
    ref = f.DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID
    assert ref in ct_uids
referenced = {i.ReferencedSOPInstanceUID for s in seg.ReferencedSeriesSequence for i in s.ReferencedInstanceSequence}
assert referenced <= ct_uids and referenced

mg_gt = json.loads((mammo / "ground_truth.json").read_text())
for v in mg_gt["views"]:
    ds = pydicom.dcmread(mammo / v["file"])
    assert ds.ImageLaterality == v["image_laterality"] and ds.ViewPosition == v["view_position"]
    assert ds.pixel_array.shape == (v["rows"], v["columns"])

rs = pydicom.dcmread(rt / "rtstruct.dcm")
names = [r.ROIName for r in rs.StructureSetROISequence]
assert names == ["External", "Lung_L", "Lung_R", "SpinalCord", "Heart", "GTV"], names
print("OK")
