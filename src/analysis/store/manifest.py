"""The inputs a police.uk store was built from, so the next ingest re-reads only what changed.

An ingest writes ``police_uk/sources.json``: the settings it ran with (lookup, vintage switch,
a digest of the ingest's own code) and one entry per street and outcomes file (name, month,
release and an identity that changes when the file's content does). The next ingest compares
the files it finds with that list (:func:`plan_update`): only the months of new, changed or
removed street files are read again, with every other month kept from the store; a change of
settings or code rebuilds everything.

Identity. A file on disk is known by its size and modification time (nanoseconds), an archive
member by its CRC-32 and size. As in git's index, a file modified in the same clock tick as an
ingest started could keep its time, so a file whose time is not clearly older than the start of
the ingest that recorded it counts as changed ("racy") and is read again next time.

The manifest is bookkeeping, not data: the table fingerprints that decide which pages to rebuild
leave it out (:func:`analysis.publish.dependencies.table_fingerprint`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import pandas as pd

from analysis.inputs.police_uk import StreetSource

MANIFEST_FILE = "sources.json"
MANIFEST_VERSION = 1
"""Bumped when the store's layout or the ingest's rules change: an older store is rebuilt."""

GZIP_RATIO = 5
"""How many times larger a street CSV is as text than gzip-compressed (4.6 on the real Essex
files), to estimate a .gz file's size without reading it."""

GROUP_TEXT_BYTES = 450_000_000
"""About how much street CSV text an ingest reads in one go (about 2 million rows, three
national months): larger inputs are read a few months at a time, each group within DuckDB's
memory cap instead of one pass spilling to disk (docs/benchmarks.md, "National scale")."""

RACY_MARGIN_NS = 2_000_000_000
"""How much older than the recording ingest's start a file must be for its identity to be
trusted. File times come from a coarse clock (a few milliseconds behind the one the start is
read from) and may live on another machine's disk; two seconds covers both."""


@dataclass(frozen=True)
class SourceEntry:
    """One input file as the manifest records it."""

    name: str  # StreetSource.name: the path, or archive.zip!member
    month: str  # YYYY-MM, the month in the file name
    release: str  # YYYY-MM, decides which copy of a force-month wins
    identity: str  # changes when the content does (see the module docstring)
    modified_ns: int  # the file's (or archive's) modification time, for the racy check
    text_bytes: int  # the CSV's size as text (a .gz file's estimated), to size month groups


@dataclass(frozen=True)
class Manifest:
    """What a store was built from: settings, street files, outcomes files, when it started."""

    settings: dict[str, str]
    street: tuple[SourceEntry, ...]
    outcomes: tuple[SourceEntry, ...]
    started_ns: int


@dataclass(frozen=True)
class UpdatePlan:
    """What an ingest must read again to bring a store up to date with its inputs.

    ``months`` are the street months to re-read: every source of those months is read, and
    every other month's rows are kept (their files are ``kept_street``). ``outcomes`` are the
    outcomes files to read; the rows of ``kept_outcomes`` are kept and those of removed
    outcomes files dropped (``outcomes_removed``).
    """

    months: frozenset[str]
    kept_street: frozenset[str]
    outcomes: frozenset[str]
    kept_outcomes: frozenset[str]
    outcomes_removed: bool

    @property
    def nothing_changed(self) -> bool:
        """Whether the store already holds exactly what the inputs hold."""
        return not self.months and not self.outcomes and not self.outcomes_removed


INGEST_CODE = ("core", "inputs", "store", "reference")
"""The package folders whose files decide what an ingest writes (``store`` imports only
``core`` and ``inputs``; ``reference`` holds the crime types and outcome stages)."""


@functools.cache
def code_digest() -> str:
    """A SHA-256 of the ingest's code and reference files and the DuckDB version: a store
    written by other code is rebuilt whole, never updated under other rules."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(duckdb.__version__.encode())
    for folder in INGEST_CODE:
        for path in sorted((package / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(package).as_posix().encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def lookup_digest(lookup: pd.DataFrame | None) -> str:
    """A SHA-256 of the LSOA lookup's rows (``"none"`` without a lookup)."""
    if lookup is None:
        return "none"
    hashed = pd.util.hash_pandas_object(lookup, index=False).to_numpy()
    return hashlib.sha256(hashed.tobytes() + ",".join(lookup.columns).encode()).hexdigest()


def source_entries(sources: Sequence[StreetSource]) -> tuple[SourceEntry, ...]:
    """Manifest entries of ``sources`` (each archive is opened once for its members' CRCs)."""
    archives: dict[Path, dict[str, zipfile.ZipInfo]] = {}
    entries = []
    for source in sources:
        stat = source.container.stat()
        if source.member is None:
            identity = f"file:{stat.st_size}:{stat.st_mtime_ns}"
            text_bytes = stat.st_size * (GZIP_RATIO if source.is_gzip else 1)
        else:
            if source.container not in archives:
                with zipfile.ZipFile(source.container) as archive:
                    archives[source.container] = {i.filename: i for i in archive.infolist()}
            info = archives[source.container][source.member]
            identity = f"zip:{info.CRC:08x}:{info.file_size}"
            text_bytes = info.file_size * (GZIP_RATIO if source.is_gzip else 1)
        entries.append(SourceEntry(source.name, f"{source.month:%Y-%m}",
                                   f"{source.release:%Y-%m}", identity, stat.st_mtime_ns,
                                   text_bytes))
    return tuple(entries)


def write_manifest(folder: Path, manifest: Manifest) -> None:
    """Write ``manifest`` as ``folder/sources.json``."""
    document = {"version": MANIFEST_VERSION, "started_ns": manifest.started_ns,
                "settings": manifest.settings,
                "street": [asdict(e) for e in manifest.street],
                "outcomes": [asdict(e) for e in manifest.outcomes]}
    (folder / MANIFEST_FILE).write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")


def read_manifest(folder: Path) -> Manifest | None:
    """The manifest in ``folder``; None when there is none, it is unreadable or of another
    version (the store is then rebuilt whole, which is always correct)."""
    try:
        document = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
        if document.get("version") != MANIFEST_VERSION:
            return None
        return Manifest(settings=dict(document["settings"]),
                        street=tuple(SourceEntry(**e) for e in document["street"]),
                        outcomes=tuple(SourceEntry(**e) for e in document["outcomes"]),
                        started_ns=int(document["started_ns"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def plan_update(previous: Manifest | None, current: Manifest,
                also_months: Iterable[str] = ()) -> UpdatePlan | None:
    """What to re-read to turn the store ``previous`` describes into what ``current`` holds.

    None means rebuild the store whole: no usable manifest, other settings, every month
    touched (no gain from keeping any), only removals, or only outcomes files changed (both
    rare, and an update needs a street month to read). ``also_months`` are months to re-read
    whatever their files say (the caller's: e.g. months with rows quarantined as not yet
    happened, which the passing of time can make valid).
    """
    if previous is None or previous.settings != current.settings:
        return None
    old_street = _unchanged_entries(previous, previous.street)
    old_outcomes = _unchanged_entries(previous, previous.outcomes)
    changed = {e for e in current.street if old_street.get(e.name) != e}
    removed = [e for e in previous.street if e.name not in {c.name for c in current.street}]
    months = {e.month for e in changed} | {e.month for e in removed} | set(also_months)
    current_months = {e.month for e in current.street}
    if current_months and current_months <= months:
        return None
    if months and not months & current_months:
        return None  # only removals: nothing to read, simpler to rebuild
    kept_street = frozenset(e.name for e in current.street if e.month not in months)
    outcomes = frozenset(e.name for e in current.outcomes if old_outcomes.get(e.name) != e)
    current_outcomes = {e.name for e in current.outcomes}
    plan = UpdatePlan(
        months=frozenset(months), kept_street=kept_street, outcomes=outcomes,
        kept_outcomes=frozenset(current_outcomes - outcomes),
        outcomes_removed=any(e.name not in current_outcomes for e in previous.outcomes))
    if not months and not plan.nothing_changed:
        return None
    return plan


def _unchanged_entries(manifest: Manifest,
                       entries: Iterable[SourceEntry]) -> dict[str, SourceEntry]:
    """The entries whose identity can be trusted: modified well before the recording ingest
    started (see "racy" in the module docstring)."""
    return {e.name: e for e in entries
            if e.modified_ns < manifest.started_ns - RACY_MARGIN_NS}


def month_groups(entries: Iterable[SourceEntry], months: Iterable[str],
                 budget: int) -> list[frozenset[str]]:
    """``months`` cut into runs of consecutive months of at most ``budget`` bytes of text in
    ``entries`` (a month larger than the budget is a group of its own), in month order."""
    sizes: dict[str, int] = {}
    for entry in entries:
        sizes[entry.month] = sizes.get(entry.month, 0) + entry.text_bytes
    groups: list[list[str]] = []
    total = 0
    for month in sorted(months):
        size = sizes.get(month, 0)
        if not groups or total + size > budget:
            groups.append([])
            total = 0
        groups[-1].append(month)
        total += size
    return [frozenset(group) for group in groups]


def file_entries(paths: Iterable[Path]) -> list[list[str | int]]:
    """``[path, size, modification time in ns]`` of each file in ``paths`` (a folder's files,
    recursively), for a record of inputs that are read whole (:func:`record_matches`)."""
    files: list[list[str | int]] = []
    for path in paths:
        for file in sorted(Path(path).rglob("*")) if Path(path).is_dir() else [Path(path)]:
            if file.is_file():
                stat = file.stat()
                files.append([str(file), stat.st_size, stat.st_mtime_ns])
    return files


def record_matches(folder: Path, record: dict[str, object]) -> bool:
    """Whether the store ``folder`` was last written from exactly the inputs ``record`` lists
    (settings, and ``files`` as :func:`file_entries` gives them), none of them racy."""
    try:
        document = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
        if document.get("version") != MANIFEST_VERSION or document.get("record") != record:
            return False
        started = int(document["started_ns"])
    except (OSError, ValueError, KeyError, TypeError):
        return False
    files = record.get("files", [])
    assert isinstance(files, list)
    return all(modified < started - RACY_MARGIN_NS for _, _, modified in files)


def write_record(folder: Path, record: dict[str, object], started_ns: int) -> None:
    """Write ``record`` as ``folder/sources.json`` (read back by :func:`record_matches`)."""
    document = {"version": MANIFEST_VERSION, "started_ns": started_ns, "record": record}
    (folder / MANIFEST_FILE).write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
