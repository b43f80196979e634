"""Warm kernels (``analysis.publish.warm_kernels``): each section runs in a fresh kernel forked
from a zygote that imported the analysis stack once, and nothing a section does reaches the
next one; the pages are the same, byte for byte, as with cold kernels."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import nbformat
import pytest
from jupyter_client.connect import write_connection_file

from analysis.core.files import report_dir
from analysis.publish import warm_kernels
from analysis.publish.build import build_section, execute_section

pytestmark = pytest.mark.build

FIRST = """\
import os, sys
print(os.getppid(), 'geopandas' in sys.modules, 'statsmodels.api' in sys.modules)
import random
import matplotlib
import analysis.present.page as page
leaked_global = 1
page.LEAKED_BY_FIRST = True
matplotlib.rcParams['lines.linewidth'] = 9.0
os.environ['LEAKED_BY_FIRST'] = '1'
sys.modules['leaked_module'] = page
print(random.random())
"""

SECOND = """\
import os, sys
print(os.getppid(), 'geopandas' in sys.modules, 'statsmodels.api' in sys.modules)
import random
import matplotlib
import analysis.present.page as page
assert 'leaked_global' not in globals(), 'a global of the first notebook'
assert not hasattr(page, 'LEAKED_BY_FIRST'), 'a module attribute set by the first notebook'
assert matplotlib.rcParams['lines.linewidth'] != 9.0, 'a chart style set by the first notebook'
assert 'LEAKED_BY_FIRST' not in os.environ, 'an environment variable of the first notebook'
assert 'leaked_module' not in sys.modules, 'a module registered by the first notebook'
print(random.random())
"""


def _run(tmp_path: Path, name: str, source: str) -> list[str]:
    """Execute a one-cell notebook in a warm kernel; the lines it printed."""
    notebook = tmp_path / f"{name}.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)]),
                   notebook)
    executed = tmp_path / "executed" / notebook.name
    execute_section(notebook, {}, executed, tmp_path, tmp_path / f"{name}.log", warm=True)
    cell = nbformat.read(executed, as_version=4).cells[0]
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream").split()


def test_each_section_gets_a_fresh_fork_of_the_untouched_zygote(tmp_path: Path) -> None:
    """Both kernels are children of one zygote that had already imported geopandas and
    statsmodels; the second sees none of the state the first left (the second notebook's
    assertions fail its cell, and so this test, if any leaked); random generators differ."""
    try:
        first = _run(tmp_path, "first", FIRST)
        second = _run(tmp_path, "second", SECOND)
        zygote = warm_kernels.zygote_for(tmp_path)
        assert first[:3] == second[:3] == [str(zygote.process.pid), "True", "True"]
        assert first[3] != second[3], "every kernel reseeds its random generator"
    finally:
        warm_kernels.close_zygotes()
    assert zygote.process.poll() is not None, "the zygote exits once its worker closes it"


def test_kernel_commands_other_than_ipykernel_start_cold() -> None:
    """Only the python3 kernel's own launcher is forked; any other command starts as usual."""
    assert warm_kernels.launcher_arguments(
        ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "k.json"]) == ["-f", "k.json"]
    assert warm_kernels.launcher_arguments(["/usr/bin/R", "--slave", "-f", "k.json"]) is None


def test_warm_and_cold_kernels_write_the_same_pages(built_demo_report: Path,
                                                    tmp_path: Path) -> None:
    """The suite's demo report is built by a batch (warm kernels); two sections built again
    in cold kernels, in a copy of the project, give the same page and tables byte for byte."""
    project = tmp_path / "project"
    shutil.copytree(built_demo_report.parents[2], project)
    for section in ("20_anti_social_behaviour", "85_public_perception"):
        build_section("demo", "2024-25", section, project, warm=False)
        cold = report_dir("demo", "2024-25", project)
        assert (cold / f"{section}.html").read_bytes() == \
            (built_demo_report / f"{section}.html").read_bytes(), section
        tables = sorted((built_demo_report / "tables").glob(f"{section}__*"))
        assert tables, section
        for table in tables:
            assert (cold / "tables" / table.name).read_bytes() == table.read_bytes(), table.name


def test_a_kernel_does_not_outlive_its_zygote(tmp_path: Path) -> None:
    """A build killed outright (its zygote with it) leaves no kernel running: each kernel
    watches the zygote, its parent, and exits when it goes."""
    connection, _ = write_connection_file(str(tmp_path / "kernel.json"))
    zygote = warm_kernels.KernelZygote(tmp_path)
    try:
        kernel = zygote.fork_kernel(["-f", connection], dict(os.environ), str(tmp_path),
                                    tmp_path / "kernel.log")
        time.sleep(1)
        assert kernel.poll() is None, "the kernel runs while its zygote does"
        zygote.process.kill()
        kernel.wait(timeout=15)
    finally:
        zygote.close()
