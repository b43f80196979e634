"""A slow reader's table kept as Parquet, so each input file is parsed once, not on every page.

The Census 2021 LSOA populations come as an R ``.rda`` file: reading it (pyreadr) and summing
its 214,000 age-group rows takes 1-3 s, and every real-data places page did it again, the
same file giving the same table each time. Here the first read writes the table to
``data/processed/read-cache/`` and later reads load that copy in milliseconds.

A copy is used only when it was made from the same bytes (a SHA-256 of the input file) by
the same reader code (a SHA-256 of the reader's module source) with the same pandas and
pyarrow; anything else reads the file again, so an edited input or reader never serves a
stale table. A reader's error (a clear :class:`~analysis.core.errors.InputError`) is raised
as it would be without the cache, and no copy is written. A copy that cannot be written (a
read-only folder) or read (damaged) only costs the time: the table comes from the file.
"""

from __future__ import annotations

import hashlib
import io
import logging
import sys
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path

import pandas as pd

from analysis.core.errors import StorageError
from analysis.core.files import atomic_write

CACHE_FOLDER = Path("data") / "processed" / "read-cache"

log = logging.getLogger(__name__)


def read_cache_dir(root: Path) -> Path:
    """``data/processed/read-cache`` under the project ``root``."""
    return root / CACHE_FOLDER


def cached_read(path: Path, reader: Callable[[Path], pd.DataFrame],
                cache_dir: Path) -> pd.DataFrame:
    """``reader(path)``, from its Parquet copy in ``cache_dir`` when one was made from this
    file's bytes by this reader's code (see the module docstring); otherwise read the file
    and keep a copy, replacing the copy of any earlier version of the same file."""
    if not path.is_file():
        return reader(path)  # the reader names the missing file in its own words
    stem = f"{reader.__name__}-{_digest(str(path.resolve()).encode())[:12]}"
    copy = cache_dir / f"{stem}-{_version_key(path, reader)}.parquet"
    if copy.is_file():
        try:
            return pd.read_parquet(copy)
        except Exception as error:  # pyarrow has many ways to fail: any means read the file
            log.warning("ignoring a damaged read cache %s (%s)", copy, error)
    table = reader(path)
    _keep(table, copy, stale=cache_dir.glob(f"{stem}-*.parquet"))
    return table


def _keep(table: pd.DataFrame, copy: Path, stale: Iterable[Path]) -> None:
    """Write ``table`` to ``copy`` (atomically) and delete the ``stale`` copies it replaces."""
    buffer = io.BytesIO()
    table.to_parquet(buffer, index=False)
    try:
        for old in list(stale):
            if old != copy:
                old.unlink(missing_ok=True)
        atomic_write(copy, buffer.getvalue())
    except (OSError, StorageError) as error:
        log.warning("could not keep a read cache at %s (%s); the file is read each time",
                    copy, error)


def _version_key(path: Path, reader: Callable[[Path], pd.DataFrame]) -> str:
    """What the table depends on: the file's bytes, the reader's module source and name, and
    the pandas and pyarrow that write and read the copy."""
    parts = [
        _digest(path.read_bytes()),
        _digest(_reader_source(reader)),
        reader.__qualname__,
        metadata.version("pandas"),
        metadata.version("pyarrow"),
    ]
    return _digest("\n".join(parts).encode())[:24]


def _reader_source(reader: Callable[[Path], pd.DataFrame]) -> bytes:
    """The source of the module ``reader`` is defined in (its name alone if it has no file)."""
    source = getattr(sys.modules.get(reader.__module__), "__file__", None)
    return Path(source).read_bytes() if source else reader.__module__.encode()


def _digest(data: bytes) -> str:
    """The SHA-256 of ``data``, in hex."""
    return hashlib.sha256(data).hexdigest()
