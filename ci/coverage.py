#!/usr/bin/python3
"""Line coverage of the production code, per folder, from a build made with -DDWH_COVERAGE=ON
after its tests ran: `ci/coverage.py BUILD_DIR [FLOOR]`. Prints one row per production folder
(core, awsclient, local, source, pg, cli, jobs/<module>) and fails when any is under FLOOR percent
(90 by default). Only production sources count: tests/, bench/, the build tree and system and
third-party headers are outside every folder below, so they never enter the denominator."""
import json
import os
import re
import subprocess
import sys
import tempfile

PRODUCTION = ("core", "awsclient", "local", "source", "pg", "cli", "jobs")


def folder_of(path):
    """core/src/hash.cpp -> core; jobs/load/src/x.cpp -> jobs/load."""
    parts = path.split("/")
    return "/".join(parts[:2]) if parts[0] == "jobs" else parts[0]


def summarize(root, build):
    # gcovr takes a filter starting with "/" as anchored to the absolute path.
    keep = re.escape(root + "/") + "(" + "|".join(PRODUCTION) + ")/"
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        # Counters are not atomic (cheaper for the threaded hot loops), so racing updates can leave
        # a branch count negative; gcov then prints "taken -1", which gcovr 5.2 refuses unless told.
        # Line coverage needs only "executed at least once", which those races cannot undo.
        subprocess.run(["gcovr", "--root", root, "--object-directory", build, "--filter", keep,
                        "--gcov-ignore-parse-errors", "--json-summary", out.name], check=True,
                       # gcovr 5.2 with -j hung after a worker's parse error: one process, bounded.
                       timeout=900,
                       stdout=subprocess.DEVNULL)
        files = json.load(open(out.name))["files"]
    folders = {}
    for f in files:
        covered, total = folders.get(folder_of(f["filename"]), (0, 0))
        folders[folder_of(f["filename"])] = (covered + f["line_covered"], total + f["line_total"])
    return folders


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    build = os.path.abspath(sys.argv[1])
    floor = float(sys.argv[2]) if len(sys.argv) == 3 else 90.0
    folders = summarize(root, build)
    if not folders:
        sys.exit("coverage: no coverage data under " + build + " (built with -DDWH_COVERAGE=ON? tests run?)")
    below = []
    print(f"{'folder':<18}{'lines':>8}{'covered':>9}{'%':>8}")
    for name in sorted(folders):
        covered, total = folders[name]
        percent = 100.0 * covered / total if total else 100.0
        mark = "" if percent >= floor else f"   below the {floor:g}% floor"
        print(f"{name:<18}{total:>8}{covered:>9}{percent:>7.1f}%{mark}")
        if percent < floor:
            below.append(name)
    covered = sum(c for c, _ in folders.values())
    total = sum(t for _, t in folders.values())
    print(f"{'all':<18}{total:>8}{covered:>9}{100.0 * covered / total:>7.1f}%")
    if below:
        sys.exit("coverage: under " + f"{floor:g}% line coverage: " + ", ".join(below))


if __name__ == "__main__":
    main()
