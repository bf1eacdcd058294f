#!/usr/bin/python3
"""Writes many small instances (no pixel data) for the QIDO benchmark: S
studies x 4 series x I instances, with varied patient names (Latin and
Chinese), dates, modalities and descriptions so searches have realistic
selectivity. Deterministic.

  bench/make_index_instances.py OUT_DIR [--studies 1000] [--instances 25]
"""
import argparse
import os
import random

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

SURNAMES = ["Smith", "Jones", "Wang", "Li", "Zhang", "Chen", "Garcia", "Muller", "Rossi", "Tanaka"]
GIVEN = ["Anna", "Ben", "Chloe", "David", "Eva", "Fang", "Hui", "Jun", "Lei", "Min"]
CHINESE = ["王^小明", "李^华", "张^伟", "陈^静", "刘^洋"]
MODALITIES = ["CT", "MR", "PT", "SEG"]
CLASSES = {"CT": "1.2.840.10008.5.1.4.1.1.2", "MR": "1.2.840.10008.5.1.4.1.1.4",
           "PT": "1.2.840.10008.5.1.4.1.1.128", "SEG": "1.2.840.10008.5.1.4.1.1.66.4"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--studies", type=int, default=1000)
    ap.add_argument("--instances", type=int, default=25)
    a = ap.parse_args()
    rnd = random.Random(7)
    os.makedirs(a.out, exist_ok=True)
    n = 0
    for s in range(a.studies):
        study = generate_uid(entropy_srcs=[f"qido-study-{s}"])
        if s % 10 == 0:
            name = CHINESE[s % len(CHINESE)]
        else:
            name = f"{rnd.choice(SURNAMES)}^{rnd.choice(GIVEN)}"
        pid = f"PID{s // 2:06d}"
        date = f"20{rnd.randint(15, 25):02d}{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}"
        folder = os.path.join(a.out, f"s{s:05d}")
        os.makedirs(folder, exist_ok=True)
        for se, modality in enumerate(MODALITIES):
            series = generate_uid(entropy_srcs=[f"qido-series-{s}-{se}"])
            for i in range(a.instances):
                sop = generate_uid(entropy_srcs=[f"qido-sop-{s}-{se}-{i}"])
                meta = FileMetaDataset()
                meta.MediaStorageSOPClassUID = CLASSES[modality]
                meta.MediaStorageSOPInstanceUID = sop
                meta.TransferSyntaxUID = ExplicitVRLittleEndian
                ds = Dataset()
                ds.file_meta = meta
                ds.SpecificCharacterSet = "ISO_IR 192"
                ds.SOPClassUID = CLASSES[modality]
                ds.SOPInstanceUID = sop
                ds.StudyInstanceUID = study
                ds.SeriesInstanceUID = series
                ds.PatientName = name
                ds.PatientID = pid
                ds.PatientBirthDate = f"19{rnd.randint(30, 99):02d}0101"
                ds.PatientSex = rnd.choice("MF")
                ds.StudyDate = date
                ds.StudyTime = "101500"
                ds.AccessionNumber = f"ACC{s:07d}"
                ds.StudyID = str(s)
                ds.StudyDescription = rnd.choice(["CHEST CT", "BRAIN MR", "PET-CT WHOLE BODY", "ABDOMEN"])
                ds.ReferringPhysicianName = "Ref^Doctor"
                ds.Modality = modality
                ds.SeriesNumber = se + 1
                ds.SeriesDescription = f"{modality} series {se + 1}"
                ds.InstanceNumber = i + 1
                ds.save_as(os.path.join(folder, f"{se}_{i:04d}.dcm"), write_like_original=False)
                n += 1
    print(n)


if __name__ == "__main__":
    main()
