"""Files as a user expects (issue 18): permissions from the umask, failures of the disk as
messages, and no temporary folder left behind by a killed ingest.

Tests run as root, which ignores permission bits, so a read-only folder and a full disk are
simulated by making the operating-system call fail with the error it would raise
(PermissionError / OSError ENOSPC) at the point where the real failure would occur.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from analysis.cli import report_failure
from analysis.core import files as layout
from analysis.core.errors import StorageError
from analysis.core.files import atomic_write, user_file_mode
from analysis.store import ingest
from analysis.store.ingest import ingest_police_uk, remove_stale_temporaries
from analysis.store.query import connect

HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
          "LSOA name,Crime type,Last outcome category,Context\n")
ROW = ("{id},2024-01,Essex Police,Essex Police,0.1,51.5,On or near X,E01015921,Thurrock 015A,"
       "Burglary,Under investigation,\n")


def inputs(folder: Path, rows: int = 1) -> Path:
    path = folder / "2024-01" / "2024-01-essex-street.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + "".join(ROW.format(id=f"a{i}") for i in range(rows)))
    return folder


def loaded_rows(store_dir: Path) -> int:
    with connect(store_dir) as con:
        return con.execute("SELECT count(*) FROM street").fetchone()[0]  # type: ignore[index]


def shown(error: StorageError, capsys: pytest.CaptureFixture[str]) -> str:
    """What `csp` prints for ``error``: exit code 2 and no traceback."""
    assert report_failure(error) == 2
    printed = capsys.readouterr().err
    assert "Traceback" not in printed
    return printed


# --- permissions -------------------------------------------------------------------------


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_atomic_write_gives_the_file_the_users_umask(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        atomic_write(tmp_path / "page.html", "<p>x</p>")
        assert user_file_mode() == 0o666 & ~umask
    finally:
        os.umask(old)
    assert (tmp_path / "page.html").stat().st_mode & 0o777 == 0o666 & ~umask
    assert (tmp_path / "page.html").read_text() == "<p>x</p>"


def test_atomic_write_on_a_full_disk_keeps_the_old_file(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    page = tmp_path / "10_crime_overview.html"
    page.write_text("old page")

    def full(*_: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(layout.os, "replace", full)
    with pytest.raises(StorageError) as caught:
        atomic_write(page, "new page")
    printed = shown(caught.value, capsys)
    assert printed.startswith(f"Error: {page}: the disk is full while writing the report; the "
                              "previous file is kept")
    assert "free space on the disk" in printed
    assert page.read_text() == "old page"
    assert [p.name for p in tmp_path.iterdir()] == [page.name]  # no temporary file left


# --- the store on a read-only or full disk --------------------------------------------------


def test_read_only_store_folder_is_a_message_and_the_store_is_kept(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    ingest_police_uk([inputs(tmp_path / "in")], tmp_path / "processed")
    real_mkdir = Path.mkdir

    def read_only(self: Path, *args: object, **kwargs: object) -> None:
        if self.parent == tmp_path / "processed":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        real_mkdir(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "mkdir", read_only)
    with pytest.raises(StorageError) as caught:
        ingest_police_uk([inputs(tmp_path / "in2", rows=3)], tmp_path / "processed")
    printed = shown(caught.value, capsys)
    assert printed.startswith(f"Error: {tmp_path / 'processed'}: permission denied while "
                              "preparing the store; the previous store is kept")
    assert "check you may read and write this folder" in printed
    assert loaded_rows(tmp_path / "processed") == 1


@pytest.mark.parametrize("engine", ["python", "duckdb"])
def test_full_disk_during_ingest_keeps_the_previous_store(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        engine: str) -> None:
    ingest_police_uk([inputs(tmp_path / "in")], tmp_path / "processed")

    def disk_full(_: object, building: Path) -> None:
        (building / "street").mkdir()  # part-written, as a real failure leaves it
        if engine == "duckdb":
            raise duckdb.IOException("IO Error: Could not write file: No space left on device")
        raise OSError(errno.ENOSPC, "No space left on device",
                      str(building / "street" / "2024-01" / "data_0.parquet"))

    monkeypatch.setattr(ingest, "_write_store", disk_full)
    with pytest.raises(StorageError) as caught:
        ingest_police_uk([inputs(tmp_path / "in2", rows=3)], tmp_path / "processed")
    printed = shown(caught.value, capsys)
    assert printed.startswith(f"Error: {tmp_path / 'processed'}: the disk is full while "
                              "writing the store; the previous store is kept")
    assert "free space on the disk" in printed
    assert loaded_rows(tmp_path / "processed") == 1
    assert [p.name for p in (tmp_path / "processed").iterdir()] == ["police_uk"]


def test_unreadable_input_names_the_input_not_the_store(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    source = inputs(tmp_path / "in")
    street = source / "2024-01" / "2024-01-essex-street.csv"

    def unreadable(*_: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(street))

    monkeypatch.setattr(ingest, "load_raw_rows", unreadable)
    with pytest.raises(StorageError) as caught:
        ingest_police_uk([source], tmp_path / "processed")
    assert caught.value.file == str(street)
    assert caught.value.message == ("permission denied while reading an input file; the store "
                                    "was not changed")


# --- temporary folders left by a killed ingest ------------------------------------------------

HOLD_A_TEMPORARY_FOLDER = """
import os, signal, sys, time
from pathlib import Path
from analysis.store.ingest import _temporary_folder
folder = _temporary_folder(Path(sys.argv[1]), "police_uk", ".tmp")
(folder / "spill").mkdir()
(folder / "spill" / "big.tmp").write_bytes(b"x" * 1000)
print(folder.name, flush=True)
if sys.argv[2] == "kill":
    os.kill(os.getpid(), signal.SIGKILL)  # as `kill -9` does, mid-ingest
time.sleep(60)
"""


def hold_temporary_folder(store_dir: Path, then: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen([sys.executable, "-c", HOLD_A_TEMPORARY_FOLDER, str(store_dir),
                                then], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def test_next_ingest_removes_folders_of_killed_runs_and_keeps_live_ones(tmp_path: Path) -> None:
    store_dir = tmp_path / "processed"
    ingest_police_uk([inputs(tmp_path / "in")], store_dir)
    live, live_folder = hold_temporary_folder(store_dir, "wait")
    killed, killed_folder = hold_temporary_folder(store_dir, "kill")
    assert killed.wait(timeout=60) == -signal.SIGKILL
    legacy = store_dir / f".police_uk-{'0' * 32}.tmp"  # made before folders named a process
    legacy.mkdir()
    try:
        assert {killed_folder, live_folder, legacy.name} <= {p.name for p in store_dir.iterdir()}
        with pytest.warns(UserWarning, match="removed 2 temporary folder"):
            report = ingest_police_uk([inputs(tmp_path / "in", rows=2)], store_dir)
        assert report.rows_loaded == 2
        left = sorted(p.name for p in store_dir.iterdir())
        assert left == sorted(["police_uk", live_folder])  # the live run's folder is kept
    finally:
        live.kill()
        live.wait(timeout=60)
    with pytest.warns(UserWarning, match="removed 1"):  # that run has ended now
        assert remove_stale_temporaries(store_dir) == [store_dir / live_folder]
    assert [p.name for p in store_dir.iterdir()] == ["police_uk"]


def test_stale_partner_and_retired_folders_are_removed_too(tmp_path: Path) -> None:
    store_dir = tmp_path / "processed"
    store_dir.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    names = [f".partner-{dead}-{'a' * 32}", f".partner-{dead}-{'b' * 32}.old",
             f".police_uk-{dead}-{'c' * 32}.old"]
    for name in names:
        (store_dir / name).mkdir()
    (store_dir / "police_uk").mkdir()
    (store_dir / ".notes").mkdir()  # not a temporary folder: never touched
    with pytest.warns(UserWarning, match="removed 3"):
        removed = remove_stale_temporaries(store_dir)
    assert sorted(p.name for p in removed) == sorted(names)
    assert sorted(p.name for p in store_dir.iterdir()) == [".notes", "police_uk"]


def test_lock_in_a_read_only_folder_is_a_message_before_any_work(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from analysis.core.locks import exclusive

    lock = tmp_path / "processed" / ".demo.lock"
    real_open = Path.open

    def read_only(self: Path, *args: object, **kwargs: object) -> object:
        if self == lock:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", read_only)
    ran = []
    with pytest.raises(StorageError) as caught, exclusive(lock, "an ingest into demo"):
        ran.append(True)
    printed = shown(caught.value, capsys)
    assert printed.startswith(f"Error: {lock.parent}: permission denied while starting an "
                              "ingest into demo; nothing was changed")
    assert ran == []


def test_atomic_write_removes_temporary_copies_left_by_killed_runs(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        killed_copy = tmp_path / f".index.html.{dead}.x1y2z3.tmp"
        live_copy = tmp_path / f".index.html.{live.pid}.a1b2c3.tmp"
        other_page = tmp_path / f".10_crime_overview.html.{dead}.q1w2e3.tmp"
        for path in (killed_copy, live_copy, other_page):
            path.write_text("half a page")
        atomic_write(tmp_path / "index.html", "<p>index</p>")
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
            ["index.html", live_copy.name, other_page.name])  # other pages' copies: their turn
    finally:
        live.kill()
        live.wait(timeout=60)
