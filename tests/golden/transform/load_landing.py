#!/usr/bin/python3
"""Prints every row version a file:// landing zone holds, as CSV for PostgreSQL's COPY:
run ordinal (1 = oldest committed ingest run), table, 1-based line in the run's object, the JSON
line. Only runs with a manifest count, and only the objects their manifests name (as the
transform job sees the landing). Usage: load_landing.py LANDING_DIR > rows.csv"""
import csv
import gzip
import json
import os
import sys

root = sys.argv[1]
manifest_dir = os.path.join(root, "_manifests", "ingest")
writer = csv.writer(sys.stdout, lineterminator="\n")
for ordinal, name in enumerate(sorted(n for n in os.listdir(manifest_dir) if n.endswith(".json")), start=1):
    with open(os.path.join(manifest_dir, name), encoding="utf-8") as f:
        manifest = json.load(f)
    for table, entry in sorted(manifest["tables"].items()):
        if not entry.get("key") or entry.get("rows", 0) == 0:
            continue
        with gzip.open(os.path.join(root, entry["key"]), "rt", encoding="utf-8") as lines:
            count = 0
            for count, line in enumerate(lines, start=1):
                writer.writerow([ordinal, table, count, line.rstrip("\n")])
        if count != entry["rows"]:
            sys.exit(f"{entry['key']}: {count} lines, the manifest says {entry['rows']}")
