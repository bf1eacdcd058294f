#!/usr/bin/python3
"""Median and p95 latency of GET requests over one keep-alive connection.

  bench/http_latency.py PORT REPEAT [--header 'Name: value'] PATH...
Prints one line per path: median_ms p95_ms bytes matches (matches: length of
a JSON array answer, else -).
"""
import argparse
import http.client
import json
import statistics
import time

ap = argparse.ArgumentParser()
ap.add_argument("port", type=int)
ap.add_argument("repeat", type=int)
ap.add_argument("--header", action="append", default=[])
ap.add_argument("paths", nargs="+")
a = ap.parse_args()
headers = {"Accept": "application/dicom+json"}
for h in a.header:
    k, v = h.split(":", 1)
    headers[k.strip()] = v.strip()
conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=120)
for path in a.paths:
    times = []
    size = 0
    for _ in range(a.repeat):
        t0 = time.perf_counter()
        conn.request("GET", path, headers=headers)
        r = conn.getresponse()
        body = r.read()
        times.append((time.perf_counter() - t0) * 1000)
        if r.status != 200:
            raise SystemExit(f"{path}: HTTP {r.status} {body[:200]!r}")
        size = len(body)
    times.sort()
    try:
        doc = json.loads(body)
        matches = len(doc) if isinstance(doc, list) else "-"
    except ValueError:
        matches = "-"
    print(f"{statistics.median(times):.2f} {times[max(int(len(times) * 0.95) - 1, 0)]:.2f} {size} {matches}")
