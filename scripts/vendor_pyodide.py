"""Vendor the pinned Pyodide core into static/vendor/pyodide/<version>/ (docs/run-code.md).

Run on a developer machine with npm (`make vendor-pyodide`); the result is committed, so a
fresh clone, CI and production never need node or a download. The tarball npm fetches is
checked against the integrity value pinned here before anything is copied.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "pyodide"
VERSION = "314.0.8"
# The npm "integrity" (Subresource Integrity form) of pyodide-314.0.8.tgz, as `npm view
# pyodide@314.0.8 dist.integrity` printed it when the pin was set.
INTEGRITY = (
    "sha512-74Wq1kXOC+CCEzAfxuRAO701nAcCMLjf8NrwvWpu8S41dVMXwXmLQ05dYB+F4e46AdnGo0oq7Y"
    "HSVUpHsoarLQ=="
)
# What the browser loads for the bare interpreter and its standard library: the loader
# (an ES module, imported by static/js/run-code-worker.js), the Emscripten module it imports
# from the same folder, the WebAssembly binary, the zipped standard library and the lock
# file the loader reads at start-up. No packages: the snippets use the standard library only.
CORE_FILES = (
    "pyodide.mjs",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)
EXPECTED_LICENSE = "MPL-2.0"
# The npm tarball ships no licence text; Debian (and most Linux systems) keep the
# standard texts here, by SPDX name.
COMMON_LICENSES = Path("/usr/share/common-licenses")
REPOSITORY = Path(__file__).resolve().parents[1]
DESTINATION = REPOSITORY / "static" / "vendor" / PACKAGE / VERSION


class VendorError(Exception):
    """A step failed; the message says which and what to do."""


def sri_sha512(path: Path) -> str:
    digest = hashlib.sha512(path.read_bytes()).digest()
    return "sha512-" + base64.b64encode(digest).decode("ascii")


def pack(*, workdir: Path) -> Path:
    """`npm pack` the pinned version into workdir and return the tarball's path."""
    if shutil.which("npm") is None:
        raise VendorError("npm is not installed: run this on a developer machine with node.")
    completed = subprocess.run(
        ["npm", "pack", f"{PACKAGE}@{VERSION}", "--json", "--pack-destination", str(workdir)],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise VendorError(f"npm pack failed:\n{completed.stderr.strip()}")
    filename = json.loads(completed.stdout)[0]["filename"]
    return workdir / filename


def check_integrity(tarball: Path) -> None:
    actual = sri_sha512(tarball)
    if actual != INTEGRITY:
        raise VendorError(
            f"{tarball.name} has integrity {actual}, not the pinned {INTEGRITY}: "
            "refusing to vendor it."
        )


def extract_core(*, tarball: Path, workdir: Path) -> Path:
    """Extract only the core files (and package.json, for the licence) from the tarball."""
    wanted = {f"package/{name}" for name in (*CORE_FILES, "package.json", "LICENSE")}
    with tarfile.open(tarball, "r:gz") as archive:
        members = [member for member in archive.getmembers() if member.name in wanted]
        for member in members:
            if not member.isfile():
                raise VendorError(f"{member.name} in the tarball is not a regular file.")
        archive.extractall(workdir, members=members, filter="data")
    package = workdir / "package"
    missing = [name for name in CORE_FILES if not (package / name).is_file()]
    if missing:
        raise VendorError(f"the tarball lacks {', '.join(missing)}: has the layout changed?")
    return package


def license_text(package: Path) -> str:
    declared = json.loads((package / "package.json").read_text())["license"]
    if declared != EXPECTED_LICENSE:
        raise VendorError(f"package.json declares {declared}, not {EXPECTED_LICENSE}: check it.")
    shipped = package / "LICENSE"
    if shipped.is_file():
        return shipped.read_text()
    standard = COMMON_LICENSES / EXPECTED_LICENSE
    if not standard.is_file():
        raise VendorError(f"no licence text: the tarball has none and {standard} is missing.")
    return standard.read_text()


def version_note(package: Path) -> str:
    lock = json.loads((package / "pyodide-lock.json").read_text())
    lines = [
        f"Pyodide {VERSION} (Python {lock['info']['python']}), core files only.",
        f"Vendored by scripts/vendor_pyodide.py from `npm pack {PACKAGE}@{VERSION}`,",
        f"tarball integrity {INTEGRITY}.",
        f"Licence: {EXPECTED_LICENSE} (LICENSE here).",
        "",
        "sha256 of each file:",
    ]
    for name in CORE_FILES:
        lines.append(f"{hashlib.sha256((package / name).read_bytes()).hexdigest()}  {name}")
    return "\n".join(lines) + "\n"


def vendor(*, destination: Path = DESTINATION) -> Path:
    with tempfile.TemporaryDirectory(prefix="vendor-pyodide-") as temporary:
        workdir = Path(temporary)
        tarball = pack(workdir=workdir)
        check_integrity(tarball)
        package = extract_core(tarball=tarball, workdir=workdir)
        licence = license_text(package)
        note = version_note(package)
        if destination.exists():
            shutil.rmtree(destination)
        destination.mkdir(parents=True)
        for name in CORE_FILES:
            shutil.copyfile(package / name, destination / name)
        (destination / "LICENSE").write_text(licence)
        (destination / "VERSION").write_text(note)
    return destination


def main() -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    try:
        destination = vendor()
    except VendorError as error:
        print(f"vendor_pyodide: {error}", file=sys.stderr)
        return 1
    print(f"Pyodide {VERSION} vendored into {destination.relative_to(REPOSITORY)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
