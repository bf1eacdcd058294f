#!/usr/bin/python3
"""The fair upper bound for durable ingest on this disk: copy each input file
to a new file in OUT_DIR with write + fsync (one file per instance, as a DICOM
archive must), then fsync the folder. Prints files/s and MB/s.

  bench/disk_fsync_bound.py IN_DIR OUT_DIR
"""
import os
import sys
import time

src, dst = sys.argv[1], sys.argv[2]
os.makedirs(dst, exist_ok=True)
names = sorted(os.listdir(src))
blobs = [open(os.path.join(src, n), "rb").read() for n in names]
start = time.perf_counter()
total = 0
for n, data in zip(names, blobs):
    fd = os.open(os.path.join(dst, n), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.write(fd, data)
    os.fsync(fd)
    os.close(fd)
    total += len(data)
dfd = os.open(dst, os.O_RDONLY)
os.fsync(dfd)
os.close(dfd)
elapsed = time.perf_counter() - start
print(f"{len(names) / elapsed:.1f} {total / elapsed / 1e6:.1f}")
