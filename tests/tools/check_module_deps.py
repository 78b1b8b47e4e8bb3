#!/usr/bin/python3
"""Fails when a module includes a header of a dwh module it does not link directly.

Each module's CMakeLists.txt declares its links with dwh_add_module(<name> PUBLIC ... PRIVATE ...);
the cli and test targets with target_link_libraries. A `#include "dwh/<m>/..."` in a module's
files is allowed only for <m> itself or a dwh::<m> it names there. awsclient's headers live
under dwh/aws/. Usage: check_module_deps.py <source root>
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
HEADER_DIR_OF = {"awsclient": "aws"}  # module name -> folder under include/dwh/
MODULE_DIRS = ["core", "awsclient", "pg", "local", "source", "iac", "lambda", "cli"] + [
    f"jobs/{m}" for m in ["stores", "parquet", "model", "ledger", "ingest", "transform", "load", "report", "pipeline"]
]
include_re = re.compile(r'^\s*#\s*include\s+"dwh/([a-z_]+)/', re.M)
call_re = re.compile(r"dwh_add_module\(\s*([a-z_]+)(.*?)\)", re.S)
link_re = re.compile(r"target_link_libraries\(\s*\S+(.*?)\)", re.S)

failures = []
checked = 0
for rel in MODULE_DIRS:
    folder = root / rel
    cmake = folder / "CMakeLists.txt"
    if not cmake.exists():
        continue
    text = cmake.read_text()
    name = pathlib.PurePath(rel).name
    allowed = {HEADER_DIR_OF.get(name, name)}
    bodies = [m.group(2) for m in call_re.finditer(text)] + [m.group(1) for m in link_re.finditer(text)]
    for body in bodies:
        for dep in re.findall(r"dwh::([a-z_]+)", body):
            allowed.add(HEADER_DIR_OF.get(dep, dep))
    for path in sorted(folder.rglob("*")):
        if path.suffix not in (".cpp", ".hpp"):
            continue
        checked += 1
        for lineno, line in enumerate(path.read_text().splitlines(), 1):
            m = include_re.match(line)
            if m and m.group(1) not in allowed:
                failures.append(f"{path.relative_to(root)}:{lineno}: includes dwh/{m.group(1)}/ "
                                f"but module '{name}' does not link dwh::{m.group(1)} "
                                f"(links: {', '.join(sorted(allowed))})")
if checked == 0:
    sys.exit(f"check_module_deps: no module sources found under {root}")
for f in failures:
    print(f)
print(f"check_module_deps: {checked} files, {len(failures)} violations")
sys.exit(1 if failures else 0)
