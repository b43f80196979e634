"""Shared test settings.

Integration tests read the real public data in ``../shared/data/real`` (never copied into the
project). Locally they skip when it is absent, and browser tests skip without Chromium; with
``CSP_STRICT_TESTS=1`` (set by ``.ci/run``) a skipped integration or browser test is reported
as a failure, so CI cannot go green without having run them.

The demo project and its built report are session fixtures here (not in ``tests/build``) so
that the build tests and the backtest (``tests/backtest``) share one generated demo and one
full build: it holds the real notebooks and configs and 36 months of demo data (April 2022 to
March 2025: the 2024/25 assessment with its full three-year trend window).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import settings

import analysis  # noqa: F401 - before any test module imports nbformat: see its __init__

# Property tests check values, not speed: hypothesis's default 200 ms deadline per example
# fails them at random on a loaded two-core machine (CI), so no deadline applies.
settings.register_profile("csp", deadline=None)
settings.load_profile("csp")

PROJECT_ROOT = Path(__file__).resolve().parents[1]
REAL_DATA = PROJECT_ROOT.parent / "shared" / "data" / "real"
DEMO_MONTHS = 36
DEMO_FIRST_MONTH = date(2022, 4, 1)
SOUTHEND_CSP_CODE = "E22000089"
"""Southend-on-Sea CSP: the real-data suite builds it from the config ``csp init`` writes."""


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--refresh-snapshot``: rewrite the backtest snapshot from the built demo report."""
    parser.addoption(
        "--refresh-snapshot", action="store_true", default=False,
        help="rewrite tests/backtest/snapshot from the demo report built by the suite "
        "(then review the diff with git before committing it)",
    )


@pytest.fixture(scope="session")
def demo_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Project root with config/, notebooks/ and an ingested 36-month demo store."""
    from analysis.demo import DemoSpec, generate
    from analysis.inputs.areas import load_area
    from analysis.store.area import ingest_area

    root = tmp_path_factory.mktemp("project")
    shutil.copytree(PROJECT_ROOT / "config", root / "config")
    shutil.copytree(PROJECT_ROOT / "notebooks", root / "notebooks")
    generate(root / "data" / "raw" / "demo",
             DemoSpec(first_month=DEMO_FIRST_MONTH, n_months=DEMO_MONTHS))
    ingest_area(load_area("demo", root), root)
    return root


@pytest.fixture(scope="session")
def built_demo_report(demo_project: Path) -> Path:
    """Every section of the demo built (executive summary last) and the index written."""
    from analysis.core.files import report_dir
    from analysis.publish.build import build_areas

    build_areas(["demo"], "2024-25", jobs=2, root=demo_project)
    return report_dir("demo", "2024-25", demo_project)


@pytest.fixture(scope="session")
def real_data() -> Path:
    """The real public data folder, or a skip with the reason."""
    if not REAL_DATA.is_dir():
        pytest.skip(f"real data not found at {REAL_DATA} (../shared beside the project)")
    return REAL_DATA


@pytest.fixture(scope="session")
def real_project(real_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A throwaway project on the real data: the repo's config and notebooks, the config's
    ``../shared`` paths made absolute, Southend-on-Sea's config written by ``csp init`` from
    the real ONS lookups (area ``southend-on-sea``, built with no further edit), and the
    Essex store (shared by every Essex CSP, Thurrock included) ingested once."""
    from typer.testing import CliRunner

    from analysis.cli import app
    from analysis.inputs.areas import load_area
    from analysis.store.area import ingest_area

    root = tmp_path_factory.mktemp("real_project")
    shutil.copytree(PROJECT_ROOT / "notebooks", root / "notebooks")
    for path in (PROJECT_ROOT / "config").rglob("*.yaml"):
        target = root / path.relative_to(PROJECT_ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text().replace("../shared/", f"{real_data.parent.parent}/"))
    init = CliRunner().invoke(app, ["init", "--csp-code", SOUTHEND_CSP_CODE, "--data-dir",
                                    str(real_data)], env={"CSP_PROJECT_ROOT": str(root)})
    assert init.exit_code == 0, init.output
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


SUITE_RECORD = PROJECT_ROOT / "benchmarks" / "results" / "tests.json"
"""Where a full run of the suite records its wall time (``benchmarks/bench_tests.py``)."""


def pytest_sessionstart(session: pytest.Session) -> None:
    """Note when the session started and the machine's load then (for the suite's record)."""
    session.config.stash[_STARTED] = (time.perf_counter(), os.getloadavg()[0])


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """After a full run of the suite (no selection, every test passed), record its wall
    time, test count and the load at its start in ``benchmarks/results/tests.json``."""
    config = session.config
    if hasattr(config, "workerinput"):
        return  # an xdist worker ran part of the suite: the controller records the whole
    selected = config.option.keyword or config.option.markexpr or config.option.collectonly
    whole = [str(Path(a).resolve()) for a in config.args] in ([], [str(PROJECT_ROOT / "tests")])
    if selected or not whole or exitstatus != 0 or _STARTED not in config.stash:
        return
    started, load = config.stash[_STARTED]
    record = {"seconds": round(time.perf_counter() - started, 1), "tests": session.testscollected,
              "workers": config.getoption("numprocesses", None) or 1,
              "load_average": round(load, 2),
              "finished": datetime.now(UTC).isoformat(timespec="seconds")}
    SUITE_RECORD.parent.mkdir(exist_ok=True)
    SUITE_RECORD.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


_STARTED = pytest.StashKey[tuple[float, float]]()


# Running on two cores (``make test`` runs pytest-xdist's two workers). The session builds
# (the demo's, the real data's) must each be made on one worker only, so every test that uses
# one goes to the same worker. pytest-xdist's own ``--dist loadgroup`` cannot do this with
# pytest 9: it renames ``item._nodeid``, which pytest 9 no longer reads (a test's id is
# ``item._id``), so its groups never form and each worker built both session builds. Here the
# workers write each such test's group to a file at collection, and the controller's
# scheduler (pytest-xdist's documented ``pytest_xdist_make_scheduler`` hook) reads it; any
# other test is scheduled with its module, as ``--dist loadscope`` does, so module fixtures
# are also made once.

SESSION_BUILDS = {"real_project": "the real-data builds", "demo_project": "the demo builds"}
"""A session fixture whose users share one worker -> the name of their group."""
_GROUPS_INPUT = "csp_session_groups"  # the file's path, as each worker is told it
_GROUPS_FILE = pytest.StashKey[str]()


def _session_group(item: pytest.Item) -> str | None:
    """The group of a test that uses a session build, None for any other test."""
    names = set(getattr(item, "fixturenames", ()))
    return next((group for fixture, group in SESSION_BUILDS.items() if fixture in names), None)


def pytest_configure_node(node: object) -> None:
    """On the controller: tell each worker where to write the groups (one file a run)."""
    config = node.config  # type: ignore[attr-defined]
    if _GROUPS_FILE not in config.stash:
        folder = Path(tempfile.mkdtemp(prefix="csp-xdist-"))
        config.stash[_GROUPS_FILE] = str(folder / "groups.json")
    node.workerinput[_GROUPS_INPUT] = config.stash[_GROUPS_FILE]  # type: ignore[attr-defined]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On a worker: write the test id -> group of every test that uses a session build."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput is None or _GROUPS_INPUT not in workerinput:
        return
    groups = {item.nodeid: group for item in items if (group := _session_group(item))}
    target = Path(workerinput[_GROUPS_INPUT])
    temporary = target.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(json.dumps(groups), encoding="utf-8")
    os.replace(temporary, target)  # the workers write the same content; either one will do


def pytest_unconfigure(config: pytest.Config) -> None:
    """On the controller, after the run: remove the groups' folder."""
    if _GROUPS_FILE in config.stash:
        shutil.rmtree(Path(config.stash[_GROUPS_FILE]).parent, ignore_errors=True)


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """The controller's scheduler: tests of a session build in one unit, others by module."""
    from xdist.scheduler import LoadScopeScheduling

    class SessionBuildScheduling(LoadScopeScheduling):  # type: ignore[misc]
        groups: dict[str, str] | None = None

        def _split_scope(self, nodeid: str) -> str:
            if self.groups is None:  # read once, after every worker has collected
                self.groups = json.loads(Path(config.stash[_GROUPS_FILE]).read_text("utf-8"))
            return self.groups.get(nodeid) or super()._split_scope(nodeid)

    return SessionBuildScheduling(config, log)
