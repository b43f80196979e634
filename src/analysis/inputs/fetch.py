"""Download police.uk monthly archives and ONS lookup files on demand.

Archives are large (hundreds of MB) and connections drop, so a download writes to
``<name>.part``, resumes from where it stopped with an HTTP Range request, is checked (sha256
when known, and zip integrity for archives) and only then renamed into place in one step. A
file that exists under its final name is therefore always complete; a corrupt download is
deleted and reported, never kept.

The transfer is our own rather than pooch's: pooch (1.9, in the lock) downloads into a
temporary file with a plain GET and starts again from nothing when a connection drops, where
a police.uk archive of every force is hundreds of megabytes and must resume with a Range
request. pooch does compute the checksum (:func:`file_sha256`).

``force`` keeps one force's files of an all-force archive (:func:`keep_force_files`): the
archive's member list is read from its central directory and only that force's members are
read, one at a time, into a small archive; nothing is extracted to disk.
"""

from __future__ import annotations

import difflib
import http.client
import os
import re
import shutil
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pooch  # type: ignore[import-untyped]  # no stubs or py.typed
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from analysis.core.errors import InputError

POLICE_UK_ARCHIVE_URL = "https://data.police.uk/data/archive"
"""Base URL of the police.uk monthly archives (``<base>/YYYY-MM.zip``)."""

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_CONTENT_RANGE = re.compile(r"^bytes (\d+)-\d+/(\d+|\*)$")
_FORCE_MEMBER = re.compile(r"^\d{4}-\d{2}-(?P<force>[a-z0-9-]+?)-(street|outcomes|stop-and-search)"
                           r"\.csv$")
"""A force's file in a police.uk archive: ``YYYY-MM-<force>-<street|outcomes|...>.csv``."""
CHUNK_BYTES = 1 << 16


def fetch_police_archive(
    month: str,
    dest_dir: Path,
    *,
    base_url: str = POLICE_UK_ARCHIVE_URL,
    sha256: str | None = None,
    progress: bool = True,
    force: str | None = None,
) -> Path:
    """Download the police.uk archive for ``month`` ("YYYY-MM") into ``dest_dir``.

    The archive holds every force's street, outcomes and stop-and-search files for the 36
    months up to ``month``. Returns the path of the verified ``YYYY-MM.zip``; with ``force``
    (its police.uk name, e.g. 'essex'), of ``YYYY-MM-<force>.zip`` holding only that force's
    files, the all-force archive deleted once it is written (:func:`keep_force_files`).
    """
    if not _MONTH.match(month):
        raise InputError(
            "not a month", found=month, expected="a month written YYYY-MM, e.g. 2024-03"
        )
    url = f"{base_url.rstrip('/')}/{month}.zip"
    if force is None:
        return download(url, dest_dir, sha256=sha256, check_zip=True, progress=progress)
    kept = Path(dest_dir) / f"{month}-{force}.zip"
    if kept.exists():
        try:
            _verify(kept, str(kept), sha256=None, check_zip=True)
            return kept
        except InputError:
            kept.unlink()  # damaged: written again from the archive
    archive = download(url, dest_dir, sha256=sha256, check_zip=True, progress=progress)
    keep_force_files(archive, kept, force)
    archive.unlink()
    return kept


def keep_force_files(archive: Path, target: Path, force: str) -> Path:
    """Write ``target``: a zip of the ``force``'s members of the police.uk ``archive``.

    The member list comes from the archive's central directory; only the force's members are
    read, each streamed from the archive into ``target`` (same names and times), so no member
    of another force is decompressed and nothing is extracted to disk. ``target`` appears in
    one step. A force with no file in the archive is an InputError naming the forces found
    (the archive is kept, so a corrected name needs no new download).
    """
    with zipfile.ZipFile(archive) as source:
        forces: dict[str, list[zipfile.ZipInfo]] = {}
        for info in source.infolist():
            match = _FORCE_MEMBER.match(Path(info.filename).name)
            if match:
                forces.setdefault(match["force"], []).append(info)
        if force not in forces:
            near = difflib.get_close_matches(force, list(forces), n=3)
            raise InputError(
                f"the archive holds no file of the force '{force}'", file=archive,
                found=force, expected=f"one of: {', '.join(sorted(forces)) or '(none)'}",
                hint=(f"did you mean {', '.join(near)}?" if near else
                      "use the force's name as in its file names, e.g. 'essex' for "
                      "2024-03-essex-street.csv"))
        part = target.with_name(target.name + ".part")
        with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED) as out:
            for info in forces[force]:
                copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                copy.compress_type = zipfile.ZIP_DEFLATED
                with source.open(info) as reader, out.open(copy, "w", force_zip64=True) as writer:
                    shutil.copyfileobj(reader, writer, CHUNK_BYTES)
    os.replace(part, target)
    return target


def fetch_lookup(
    url: str,
    dest_dir: Path,
    *,
    filename: str | None = None,
    sha256: str | None = None,
    progress: bool = True,
) -> Path:
    """Download an ONS lookup or boundary file (CSV, GeoJSON, zip) into ``dest_dir``."""
    return download(url, dest_dir, filename=filename, sha256=sha256, progress=progress)


def download(
    url: str,
    dest_dir: Path,
    *,
    filename: str | None = None,
    sha256: str | None = None,
    check_zip: bool | None = None,
    progress: bool = True,
    timeout: float = 60.0,
) -> Path:
    """Download ``url`` to ``dest_dir/filename`` with resume, checks and an atomic rename.

    ``filename`` defaults to the URL's last path segment; ``check_zip`` defaults to whether
    the name ends ``.zip``. A complete file already in place that passes the checks is not
    downloaded again. An interrupted download leaves ``<name>.part`` to resume from on the
    next call; a download that fails its checks is deleted.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise InputError("only http(s) downloads are supported", found=url, expected="http(s)://")
    name = filename or Path(parts.path).name
    if not name:
        raise InputError("cannot tell the file name from the URL", found=url, hint="pass filename")
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    target = dest_dir / name
    check_zip = name.lower().endswith(".zip") if check_zip is None else check_zip
    if target.exists():
        try:
            _verify(target, url, sha256=sha256, check_zip=check_zip)
            return target
        except InputError:
            target.unlink()  # an incomplete or corrupt earlier copy: fetch it again
    part = target.with_name(target.name + ".part")
    _transfer(url, part, timeout=timeout, progress=progress)
    try:
        _verify(part, url, sha256=sha256, check_zip=check_zip)
    except InputError:
        part.unlink()
        raise
    os.replace(part, target)
    return target


def _transfer(url: str, part: Path, *, timeout: float, progress: bool) -> None:
    """Fetch the bytes of ``url`` into ``part``, resuming after any bytes already there."""
    offset = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"User-Agent": "csp-analysis"})
    if offset:
        request.add_header("Range", f"bytes={offset}-")
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and offset:
            return  # nothing left to fetch: the .part is already whole; the checks decide
        raise InputError(
            f"download failed: HTTP {exc.code} {exc.reason}",
            file=url,
            hint="check the address (is the month published yet?) and try again",
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        raise InputError(
            f"cannot connect ({getattr(exc, 'reason', exc)})",
            file=url,
            hint="check the network connection and the address, then run again",
        ) from None
    with response:
        offset = _resume_offset(response, offset, url)
        length = response.headers.get("Content-Length")
        total = offset + int(length) if length is not None else None
        _copy(response, part, offset, total, url, progress)


def _resume_offset(response: http.client.HTTPResponse, offset: int, url: str) -> int:
    """Where the response body starts: ``offset`` for a 206 reply, 0 if the server restarts."""
    if response.status != 206:
        return 0
    match = _CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
    if not match or int(match.group(1)) != offset:
        raise InputError(
            "the server resumed the download at the wrong place",
            file=url,
            found=response.headers.get("Content-Range"),
            expected=f"bytes {offset}-...",
            hint="delete the .part file and download again",
        )
    return offset


def _copy(
    response: http.client.HTTPResponse,
    part: Path,
    offset: int,
    total: int | None,
    url: str,
    progress: bool,
) -> None:
    """Stream the body into ``part`` (appending from ``offset``) with a progress bar."""
    written = offset
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with (
        Progress(*columns, disable=not progress, transient=True) as bar,
        part.open("ab" if offset else "wb") as out,
    ):
        task = bar.add_task(part.name.removesuffix(".part"), total=total, completed=offset)
        try:
            while chunk := response.read(CHUNK_BYTES):
                out.write(chunk)
                written += len(chunk)
                bar.update(task, completed=written)
        except (http.client.IncompleteRead, OSError) as exc:
            out.flush()
            raise InputError(
                f"the download was interrupted after {written:,} bytes ({exc})",
                file=url,
                hint="run the same command again: it resumes where it stopped",
            ) from None
    if total is not None and written < total:
        raise InputError(
            f"the download stopped early: {written:,} of {total:,} bytes",
            file=url,
            hint="run the same command again: it resumes where it stopped",
        )


def _verify(path: Path, url: str, *, sha256: str | None, check_zip: bool) -> None:
    """Raise if the file's sha256 differs from ``sha256`` or it is not an intact zip."""
    if sha256:
        digest = file_sha256(path)
        if digest != sha256.lower():
            raise InputError(
                "the downloaded file is not the expected file (checksum differs)",
                file=url,
                found=digest,
                expected=f"sha256 {sha256.lower()}",
                hint="download again; if it persists the published file has changed",
            )
    if check_zip:
        try:
            with zipfile.ZipFile(path) as archive:
                broken = archive.testzip()
        except zipfile.BadZipFile as exc:
            raise InputError(
                f"the downloaded archive is not a valid zip ({exc})",
                file=url,
                hint="download again",
            ) from None
        if broken is not None:
            raise InputError(
                "the downloaded archive is corrupt",
                file=url,
                found=broken,
                expected="every member passing its CRC check",
                hint="download again",
            )


def file_sha256(path: Path) -> str:
    """The sha256 hex digest of a file, read in chunks (archives do not fit in memory)."""
    return str(pooch.file_hash(str(path), alg="sha256"))
