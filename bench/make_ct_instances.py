#!/usr/bin/python3
"""Writes N CT Image Storage instances (512x512, 16-bit, explicit VR little
endian) for the ingest benchmark: one patient, one study, 4 series, with
noise in the pixels so no two files are alike. Deterministic (seeded).
Optionally also writes STOW-RS request bodies (multipart/related) of B
instances each, so every server receives byte-identical requests.

  bench/make_ct_instances.py OUT_DIR [--count 1000] [--series 4] [--stow-batch 50]
"""
import argparse
import os

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2"
BOUNDARY = "medai-bench-boundary-7f3a9c"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--series", type=int, default=4)
    ap.add_argument("--stow-batch", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    files_dir = os.path.join(a.out, "files")
    os.makedirs(files_dir, exist_ok=True)
    study = generate_uid(entropy_srcs=[f"bench-study-{a.seed}"])
    frame = generate_uid(entropy_srcs=[f"bench-frame-{a.seed}"])
    series = [generate_uid(entropy_srcs=[f"bench-series-{a.seed}-{s}"]) for s in range(a.series)]
    per_series = (a.count + a.series - 1) // a.series
    base = (rng.normal(0, 20, (512, 512)) + 1024).astype(np.int16)
    paths = []
    for i in range(a.count):
        s, n = divmod(i, per_series)
        sop = generate_uid(entropy_srcs=[f"bench-sop-{a.seed}-{i}"])
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = CT_IMAGE_STORAGE
        meta.MediaStorageSOPInstanceUID = sop
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = Dataset()
        ds.file_meta = meta
        ds.SpecificCharacterSet = "ISO_IR 192"
        ds.SOPClassUID = CT_IMAGE_STORAGE
        ds.SOPInstanceUID = sop
        ds.StudyInstanceUID = study
        ds.SeriesInstanceUID = series[s]
        ds.FrameOfReferenceUID = frame
        ds.PatientName = "Bench^Synthetic"
        ds.PatientID = "BENCH-0001"
        ds.PatientBirthDate = "19600101"
        ds.PatientSex = "O"
        ds.StudyDate = "20260101"
        ds.StudyTime = "120000"
        ds.AccessionNumber = "BENCH1"
        ds.StudyID = "1"
        ds.ReferringPhysicianName = ""
        ds.Modality = "CT"
        ds.SeriesNumber = s + 1
        ds.InstanceNumber = n + 1
        ds.ImagePositionPatient = [-200, -200, n * 1.25]
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.PixelSpacing = [0.78, 0.78]
        ds.SliceThickness = 1.25
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.Rows = 512
        ds.Columns = 512
        ds.BitsAllocated = 16
        ds.BitsStored = 16
        ds.HighBit = 15
        ds.PixelRepresentation = 1
        ds.RescaleIntercept = -1024
        ds.RescaleSlope = 1
        shift = rng.integers(0, 512)
        ds.PixelData = np.roll(base, shift, axis=1).tobytes()
        path = os.path.join(files_dir, f"ct{i:05d}.dcm")
        ds.save_as(path, write_like_original=False)
        paths.append(path)
    if a.stow_batch:
        stow_dir = os.path.join(a.out, "stow")
        os.makedirs(stow_dir, exist_ok=True)
        for b in range(0, len(paths), a.stow_batch):
            with open(os.path.join(stow_dir, f"batch{b // a.stow_batch:04d}.mp"), "wb") as out:
                for p in paths[b:b + a.stow_batch]:
                    out.write(f"--{BOUNDARY}\r\nContent-Type: application/dicom\r\n\r\n".encode())
                    with open(p, "rb") as f:
                        out.write(f.read())
                    out.write(b"\r\n")
                out.write(f"--{BOUNDARY}--\r\n".encode())
    print(f"{a.count} instances in {files_dir}, study {study}")


if __name__ == "__main__":
    main()
