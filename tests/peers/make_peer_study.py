#!/usr/bin/python3
"""Derives a small study for the peer tests from synthetic CT slices.

    make_peer_study.py SRC_FOLDER OUT_FOLDER --key K --charset CS --name NAME
                       --patient-id ID --date YYYYMMDD --accession A [--slices N] [--series 2]

Takes the first N CT slices below SRC_FOLDER, gives them fresh UIDs derived
from --key (so the study is new to every peer), splits them into --series
series, and sets the patient/study attributes the QIDO comparison queries on.
The name is encoded in the given Specific Character Set (ISO_IR 192 = UTF-8,
GB18030), so both servers must decode it to the same UTF-8.
"""
import argparse
import glob
import hashlib
import os

import pydicom


def uid(key, *parts):
    digest = hashlib.sha256("/".join((key,) + tuple(str(p) for p in parts)).encode()).digest()
    return "2.25." + str(int.from_bytes(digest[:16], "big"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("out")
    ap.add_argument("--key", required=True)
    ap.add_argument("--charset", default="ISO_IR 192")
    ap.add_argument("--name", required=True)
    ap.add_argument("--patient-id", required=True)
    ap.add_argument("--date", required=True)
    ap.add_argument("--accession", required=True)
    ap.add_argument("--description", default="Peer test CT")
    ap.add_argument("--slices", type=int, default=4)
    ap.add_argument("--series", type=int, default=2)
    a = ap.parse_args()
    files = sorted(glob.glob(os.path.join(a.src, "**", "CT*.dcm"), recursive=True))[: a.slices]
    os.makedirs(a.out, exist_ok=True)
    codec = {"ISO_IR 192": "utf-8", "GB18030": "gb18030"}[a.charset]
    for i, f in enumerate(files):
        ds = pydicom.dcmread(f)
        series = i % a.series
        ds.SpecificCharacterSet = a.charset
        # Encoded by hand so the bytes are exactly the declared character set.
        ds[0x00100010].value = a.name.encode(codec)
        ds.PatientID = a.patient_id
        ds.StudyDate = ds.SeriesDate = ds.ContentDate = ds.AcquisitionDate = a.date
        ds.AccessionNumber = a.accession
        ds.StudyDescription = a.description
        ds.StudyInstanceUID = uid(a.key, "study")
        ds.SeriesInstanceUID = uid(a.key, "series", series)
        ds.SeriesNumber = series + 1
        ds.InstanceNumber = i // a.series + 1
        ds.SOPInstanceUID = uid(a.key, "instance", i)
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.save_as(os.path.join(a.out, "ct%03d.dcm" % i), write_like_original=True)


if __name__ == "__main__":
    main()
