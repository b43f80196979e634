"""Download police.uk monthly archives and ONS lookup files on demand.

Archives are large (hundreds of MB) and connections drop, so a download writes to
``<name>.part``, resumes from where it stopped with an HTTP Range request, is checked (sha256
when known, and zip integrity for archives) and only then renamed into place in one step. A
file that exists under its final name is therefore always complete; a corrupt download is
deleted and reported, never kept.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

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
CHUNK_BYTES = 1 << 16


def fetch_police_archive(
    month: str,
    dest_dir: Path,
    *,
    base_url: str = POLICE_UK_ARCHIVE_URL,
    sha256: str | None = None,
    progress: bool = True,
) -> Path:
    """Download the police.uk archive for ``month`` ("YYYY-MM") into ``dest_dir``.

    The archive holds every force's street, outcomes and stop-and-search files for the 36
    months up to ``month``. Returns the path of the verified ``YYYY-MM.zip``.
    """
    if not _MONTH.match(month):
        raise InputError(
            "not a month", found=month, expected="a month written YYYY-MM, e.g. 2024-03"
        )
    url = f"{base_url.rstrip('/')}/{month}.zip"
    return download(url, dest_dir, sha256=sha256, check_zip=True, progress=progress)


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
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
