"""Shared test settings.

Integration tests read the real public data in ``../shared/data/real`` (never copied into the
project). Locally they skip when it is absent, and browser tests skip without Chromium; with
``CSP_STRICT_TESTS=1`` (set by ``.ci/run``) a skipped integration or browser test is reported
as a failure, so CI cannot go green without having run them.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
REAL_DATA = PROJECT_ROOT.parent / "shared" / "data" / "real"


@pytest.fixture(scope="session")
def real_data() -> Path:
    """The real public data folder, or a skip with the reason."""
    if not REAL_DATA.is_dir():
        pytest.skip(f"real data not found at {REAL_DATA} (../shared beside the project)")
    return REAL_DATA


@pytest.fixture(scope="session")
def real_project(real_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A throwaway project on the real data: the repo's config and notebooks, the config's
    ``../shared`` paths made absolute, and the Essex store (shared by every Essex CSP,
    Thurrock included) ingested once."""
    from analysis.inputs.areas import load_area
    from analysis.store.area import ingest_area

    root = tmp_path_factory.mktemp("real_project")
    shutil.copytree(PROJECT_ROOT / "notebooks", root / "notebooks")
    for path in (PROJECT_ROOT / "config").rglob("*.yaml"):
        target = root / path.relative_to(PROJECT_ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text().replace("../shared/", f"{real_data.parent.parent}/"))
    ingest_area(load_area("thurrock", root), root)
    return root


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):  # type: ignore[no-untyped-def]
    """On CI, an integration or browser test that skipped is a failure (they must run there)."""
    outcome = yield
    report = outcome.get_result()
    strict = os.environ.get("CSP_STRICT_TESTS") == "1"
    must_run = any(item.get_closest_marker(m) is not None for m in ("integration", "browser"))
    if strict and report.skipped and must_run:
        report.outcome = "failed"
        report.longrepr = f"test skipped on CI, where it must run: {report.longrepr}"
