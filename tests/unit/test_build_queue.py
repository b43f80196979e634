"""make's queue of out-of-date pages (``make report`` with warm kernels): read once per
batch, emptied only of the sections that built."""

from __future__ import annotations

from pathlib import Path

from analysis.publish.build import queued_sections, settle_queue

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_queued_sections_are_each_named_once_in_notebook_order(tmp_path: Path) -> None:
    queue = tmp_path / "queue.txt"
    queue.write_text("99_key_findings\n10_crime_overview\n\n10_crime_overview\n 30_places \n"
                     "35_renamed_away\n")
    assert queued_sections(queue, PROJECT_ROOT) == ["10_crime_overview", "30_places",
                                                    "99_key_findings"]
    assert queue.is_file(), "reading leaves the queue whole until the batch settles it"


def test_no_queue_means_nothing_queued(tmp_path: Path) -> None:
    assert queued_sections(tmp_path / "queue.txt", PROJECT_ROOT) == []


def test_settling_keeps_only_the_failed_sections(tmp_path: Path) -> None:
    queue = tmp_path / "queue.txt"
    queue.write_text("10_crime_overview\n30_places\n")
    settle_queue(queue, ["30_places", "30_places"])
    assert queued_sections(queue, PROJECT_ROOT) == ["30_places"]
    settle_queue(queue, [])
    assert not queue.exists()
