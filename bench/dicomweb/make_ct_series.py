# Writes N synthetic 512x512 16-bit CT instances (4 series, one study) as
# Explicit VR Little Endian Part 10 files for the STOW benchmark.
# Usage: /usr/bin/python3 make_ct_series.py OUT_DIR [COUNT=200]
import os, sys
import numpy as np
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

out = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 200
os.makedirs(out, exist_ok=True)
study = generate_uid()
rng = np.random.default_rng(1)
per_series = max(1, count // 4)
series = None
for n in range(count):
    if n % per_series == 0:
        series = generate_uid()
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = '1.2.840.10008.5.1.4.1.1.2'
    sop = generate_uid()
    meta.MediaStorageSOPInstanceUID = sop
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = FileDataset(None, {}, file_meta=meta, preamble=b'\0' * 128)
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = sop
    ds.StudyInstanceUID = study
    ds.SeriesInstanceUID = series
    ds.PatientName = 'Bench^Patient'
    ds.PatientID = 'B1'
    ds.Modality = 'CT'
    ds.SeriesNumber = n // per_series + 1
    ds.InstanceNumber = n % per_series + 1
    ds.StudyDate = '20240101'
    ds.Rows = ds.Columns = 512
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = 'MONOCHROME2'
    ds.BitsAllocated = ds.BitsStored = 16
    ds.HighBit = 15
    ds.PixelRepresentation = 0
    ds.PixelData = rng.integers(0, 4000, (512, 512), dtype=np.uint16).tobytes()
    ds.is_little_endian = True
    ds.is_implicit_VR = False
    ds.save_as(f'{out}/{n:05d}.dcm', write_like_original=False)
