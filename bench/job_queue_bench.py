#!/usr/bin/python3
"""Helper of bench/job_queue_bench.sh: submits jobs, waits, reads the catalog.

Queue latency and throughput come from the jobs table itself (created_at,
started_at, finished_at in ms), so they measure the queue, not this client.
"""
import argparse
import http.client
import json
import secrets
import sqlite3
import sys
import time


def wait_all(db, tag, n, timeout_s=600):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        row = db.execute("SELECT COUNT(*) FROM jobs WHERE json_extract(input, '$.bench') = ? AND state IN "
                         "('succeeded', 'failed', 'cancelled')", (tag,)).fetchone()
        if row[0] >= n:
            return
        time.sleep(0.2)
    sys.exit("timed out waiting for the jobs")


def report(db, tag, n, phase, latency=True):
    rows = db.execute("SELECT state, attempts, created_at, started_at, finished_at FROM jobs "
                      "WHERE json_extract(input, '$.bench') = ?", (tag,)).fetchall()
    succeeded = [r for r in rows if r[0] == "succeeded"]
    lost = n - len(succeeded)
    twice = sum(1 for r in rows if r[1] != 1)
    lat = sorted(r[3] - r[2] for r in succeeded)
    # Stream: first submission → last finish. Backlog: first claim → last finish.
    first = min(r[2] for r in succeeded) if latency else min(r[3] for r in succeeded)
    span_s = (max(r[4] for r in succeeded) - first) / 1000.0
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
    # A backlog's wait is the drain time itself: latency is only meaningful for the stream.
    p50, p99 = (f"{p(0.5)} ms", f"{p(0.99)} ms") if latency else ("—", "—")
    print(f"| {phase} | {n} | {len(succeeded) / span_s:,.0f} | {p50} | {p99} | {lost} | {twice} |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("phase", choices=["stream", "enqueue-offline", "backlog"])
    ap.add_argument("--port", type=int)
    ap.add_argument("--token")
    ap.add_argument("--jobs", type=int, default=10000)
    ap.add_argument("--catalog", required=True)
    a = ap.parse_args()
    if a.phase == "stream":
        tag = "stream"
        conn = http.client.HTTPConnection("127.0.0.1", a.port)
        headers = {"Authorization": "Bearer " + a.token, "Content-Type": "application/json"}
        for i in range(a.jobs):
            conn.request("POST", "/api/v1/jobs", json.dumps({"type": "test.noop", "input": {"bench": tag, "i": i}}),
                         headers)
            r = conn.getresponse()
            r.read()
            if r.status != 201:
                sys.exit(f"submit failed: HTTP {r.status}")
        db = sqlite3.connect(a.catalog)
        wait_all(db, tag, a.jobs)
        report(db, tag, a.jobs, "stream (REST submit while running)")
    elif a.phase == "enqueue-offline":
        # What a backlog looks like after a burst: rows exactly as the engine
        # inserts them, written while the server is down.
        db = sqlite3.connect(a.catalog)
        now = int(time.time() * 1000)
        inst = db.execute("SELECT id FROM institutions LIMIT 1").fetchone()[0]
        seq0 = db.execute("SELECT COALESCE(MAX(seq), 0) FROM jobs").fetchone()[0]
        db.executemany("INSERT INTO jobs (id, type, institution_id, created_by, input, state, priority, attempts, "
                       "max_attempts, next_attempt_at, created_at, updated_at, seq) VALUES (?, 'test.noop', ?, '', ?, "
                       "'queued', 0, 0, 5, ?, ?, ?, ?)",
                       [("job_bench" + secrets.token_hex(8), inst, json.dumps({"bench": "backlog", "i": i}), now, now,
                         now, seq0 + 1 + i) for i in range(a.jobs)])
        db.commit()
    else:
        db = sqlite3.connect(a.catalog)
        wait_all(db, "backlog", a.jobs)
        report(db, "backlog", a.jobs, "backlog (drained at start-up)", latency=False)


if __name__ == "__main__":
    main()
