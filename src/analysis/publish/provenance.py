"""Provenance: which input files, software and code produced a report.

The same inventory goes into ``manifest.json`` and onto the data-and-methods page, so a reader
of the page can check that the files they hold are the ones used (SHA-256), and see how many
rows and which months each contributed.
"""

from __future__ import annotations

import subprocess
from importlib import metadata
from pathlib import Path

RECORDED_PACKAGES = ("csp-analysis", "pandas", "duckdb", "numpy", "scipy", "matplotlib",
                     "seaborn", "papermill", "nbconvert", "pyarrow", "geopandas")


def git_state(root: Path) -> dict[str, object]:
    """The commit the report was built from and whether the work tree had changes."""
    def git(*args: str) -> str | None:
        try:
            result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                                    check=True, timeout=20)
        except (OSError, subprocess.SubprocessError):
            return None
        return result.stdout.strip()

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": None if status is None else bool(status)}


def package_versions() -> dict[str, str | None]:
    """Installed versions of the packages that shape the numbers and pages."""
    versions: dict[str, str | None] = {}
    for name in RECORDED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


