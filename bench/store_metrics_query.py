#!/usr/bin/env python3
"""Cost of the /metrics store gauges' query (medai_store_instances/_bytes) on a
large SQLite catalog: builds a dicom_instances table of N rows with the
schema of migration 0002 and times SELECT COUNT(*), SUM(size_bytes).

    python3 bench/store_metrics_query.py [rows=1000000]
"""
import os
import sqlite3
import sys
import tempfile
import time

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
with tempfile.TemporaryDirectory() as d:
    db = sqlite3.connect(os.path.join(d, "catalog.db"))
    db.execute("""CREATE TABLE dicom_instances (institution_id TEXT NOT NULL, sop_instance_uid TEXT NOT NULL,
        series_uid TEXT NOT NULL, study_uid TEXT NOT NULL, sop_class_uid TEXT NOT NULL, instance_number BIGINT,
        rows_count BIGINT, columns_count BIGINT, number_of_frames BIGINT, bits_allocated BIGINT,
        transfer_syntax TEXT NOT NULL, blob_sha256 TEXT NOT NULL, size_bytes BIGINT NOT NULL, received_at BIGINT NOT NULL,
        PRIMARY KEY (institution_id, sop_instance_uid))""")
    db.execute("CREATE INDEX dicom_instances_by_blob ON dicom_instances(blob_sha256)")
    uid = "1.2.826.0.1.3680043.2.1125."
    db.executemany("INSERT INTO dicom_instances VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                   (("i1", f"{uid}{i}", f"{uid}9.{i // 300}", f"{uid}8.{i // 300}", "1.2.840.10008.5.1.4.1.1.2",
                     i % 300, 512, 512, 1, 16, "1.2.840.10008.1.2.1", f"{i:064x}", 525000, 1700000000) for i in range(n)))
    db.commit()
    size = os.path.getsize(os.path.join(d, "catalog.db")) / 1e6
    times = []
    for _ in range(5):
        t = time.perf_counter()
        db.execute("SELECT COUNT(*), COALESCE(SUM(size_bytes), 0) FROM dicom_instances").fetchone()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    print(f"{n} instances ({size:.0f} MB catalog): COUNT+SUM median {times[2]:.0f} ms, min {times[0]:.0f} ms, max {times[-1]:.0f} ms")
