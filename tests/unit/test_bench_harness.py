"""The benchmark harness's shared report pieces: the runs table and the target rows."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from harness import Runs, Target, runs_table


def test_runs_table_has_one_line_per_contender_with_median_and_peak() -> None:
    runs = {"cold": Runs(seconds=[3.0, 1.0, 2.0], rows=[12, 12, 11],
                         peak_rss_mib=[100.4, 250.6, 90]),
            "warm": Runs(seconds=[0.5], rows=[12], peak_rss_mib=[80.0])}
    lines = runs_table(runs, "pages", digits=1)
    assert lines[0] == "| contender | median s | runs (s) | pages | peak RSS MiB |"
    assert lines[1] == "|---|---:|---|---:|---:|"
    assert lines[2] == "| cold | 2.0 | 3.0, 1.0, 2.0 | 12 | 251 |"
    assert lines[3] == "| warm | 0.5 | 0.5 | 12 | 80 |"
    assert len(lines) == 4


@pytest.mark.parametrize(("value", "verdict"), [(15.0, "**met**"), (15.01, "**not met**")])
def test_target_is_met_up_to_and_including_its_bound(value: float, verdict: str) -> None:
    target = Target("demo", value, "s", 15.0, "today's method 40 s")
    assert target.met is (verdict == "**met**")
    assert verdict in target.row()
    assert target.row().startswith(f"| demo | {value:,.2f} s | <= 15.00 s |")
