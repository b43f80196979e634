"""The commands run once per section start quickly: they do not load what only notebooks need.

Every `csp build-section` and `csp build-index` is a fresh process, so an import that costs a
second is paid thirteen times per report, and the summary and index pay it alone at the end
of a parallel build. These tests pin the split that keeps them light.
"""

from __future__ import annotations

import subprocess
import sys


def _loaded_after(statement: str, modules: tuple[str, ...]) -> set[str]:
    """Which of ``modules`` a fresh interpreter has loaded after running ``statement``."""
    probe = (f"{statement}\nimport sys\n"
             f"print(' '.join(m for m in {modules!r} if sys.modules.get(m) is not None))")
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                               check=True)
    return set(completed.stdout.split())


def test_section_build_command_does_not_load_notebook_libraries():
    heavy = ("matplotlib", "IPython", "rfc3987_syntax", "analysis.present.page")
    assert _loaded_after("import analysis.cli\nimport analysis.publish.build", heavy) == set()


def test_index_command_does_not_load_papermill_or_nbconvert():
    heavy = ("papermill", "nbconvert", "nbformat", "matplotlib", "analysis.present.page")
    assert _loaded_after("import analysis.cli\nimport analysis.publish.index_page", heavy) == set()


def test_probe_sees_modules_that_are_loaded():
    """Guard against a probe that can never report anything."""
    assert _loaded_after("import analysis.present.page", ("matplotlib",)) == {"matplotlib"}
