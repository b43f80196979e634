"""Downloads against a local HTTP server on 127.0.0.1 (no other address is ever contacted)."""

from __future__ import annotations

import hashlib
import io
import re
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from analysis.core.errors import InputError
from analysis.inputs.fetch import download, fetch_lookup, fetch_police_archive, file_sha256


@dataclass
class Site:
    """What the local server serves, and what it was asked for."""

    files: dict[str, bytes] = field(default_factory=dict)
    cut_next_after: int | None = None  # send only this many body bytes of the next reply
    requests: list[tuple[str, str | None]] = field(default_factory=list)
    base_url: str = ""


def make_handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.requests.append((self.path, self.headers.get("Range")))
            body = site.files.get(self.path)
            if body is None:
                self.send_error(404, "Not Found")
                return
            start = 0
            wanted = re.match(r"bytes=(\d+)-$", self.headers.get("Range") or "")
            if wanted:
                start = int(wanted.group(1))
                if start >= len(body):
                    self.send_error(416, "Range Not Satisfiable")
                    return
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
            else:
                self.send_response(200)
            self.send_header("Content-Length", str(len(body) - start))
            self.end_headers()
            payload = body[start:]
            if site.cut_next_after is not None:
                payload, site.cut_next_after = payload[: site.cut_next_after], None
                self.close_connection = True
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

    return Handler


@pytest.fixture
def site() -> Iterator[Site]:
    served = Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(served))
    served.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield served
    server.shutdown()
    server.server_close()


def archive_bytes() -> bytes:
    """A small police.uk-like archive; incompressible content so the file is ~40 kB.

    The member's time is fixed: with a name alone, ``writestr`` stamps the current time, and
    two calls a second apart would give different bytes.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        rows = "\n".join(f"id{i:05d},2024-03,Essex Police" for i in range(1200))
        member = zipfile.ZipInfo("2024-03/2024-03-essex-street.csv",
                                 date_time=(2024, 4, 1, 0, 0, 0))
        archive.writestr(member, rows)
    return buffer.getvalue()


def test_archive_downloads_verifies_and_renames(site: Site, tmp_path: Path) -> None:
    data = archive_bytes()
    site.files["/archive/2024-03.zip"] = data

    path = fetch_police_archive(
        "2024-03",
        tmp_path,
        base_url=site.base_url + "/archive/",
        sha256=hashlib.sha256(data).hexdigest(),
        progress=False,
    )

    assert path == tmp_path / "2024-03.zip"
    assert path.read_bytes() == data
    assert not (tmp_path / "2024-03.zip.part").exists()


def test_interrupted_download_resumes_with_range(site: Site, tmp_path: Path) -> None:
    data = archive_bytes()
    half = len(data) // 2
    site.files["/2024-03.zip"] = data
    site.cut_next_after = half

    with pytest.raises(InputError, match="resumes where it stopped"):
        fetch_police_archive("2024-03", tmp_path, base_url=site.base_url, progress=False)
    part = tmp_path / "2024-03.zip.part"
    assert part.stat().st_size == half
    assert not (tmp_path / "2024-03.zip").exists()

    path = fetch_police_archive("2024-03", tmp_path, base_url=site.base_url, progress=False)

    assert path.read_bytes() == data
    assert site.requests == [("/2024-03.zip", None), ("/2024-03.zip", f"bytes={half}-")]
    assert not part.exists()


def test_complete_part_file_is_finished_without_refetching(site: Site, tmp_path: Path) -> None:
    data = archive_bytes()
    site.files["/2024-03.zip"] = data
    (tmp_path / "2024-03.zip.part").write_bytes(data)  # server answers 416: nothing left
    path = fetch_police_archive("2024-03", tmp_path, base_url=site.base_url, progress=False)
    assert path.read_bytes() == data


def test_corrupt_archive_is_rejected_and_deleted(site: Site, tmp_path: Path) -> None:
    data = bytearray(archive_bytes())
    data[100:110] = b"XXXXXXXXXX"  # inside the member's data: CRC check fails
    site.files["/2024-03.zip"] = bytes(data)

    with pytest.raises(InputError, match="corrupt") as info:
        fetch_police_archive("2024-03", tmp_path, base_url=site.base_url, progress=False)

    assert info.value.found == "2024-03/2024-03-essex-street.csv"
    assert list(tmp_path.iterdir()) == []


def test_not_a_zip_is_rejected(site: Site, tmp_path: Path) -> None:
    site.files["/2024-03.zip"] = b"<html>maintenance</html>"
    with pytest.raises(InputError, match="not a valid zip"):
        fetch_police_archive("2024-03", tmp_path, base_url=site.base_url, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_checksum_mismatch_is_rejected(site: Site, tmp_path: Path) -> None:
    site.files["/lookup.csv"] = b"LAD19CD,LAD19NM\n"
    with pytest.raises(InputError, match="checksum differs") as info:
        fetch_lookup(site.base_url + "/lookup.csv", tmp_path, sha256="0" * 64, progress=False)
    assert info.value.found == hashlib.sha256(b"LAD19CD,LAD19NM\n").hexdigest()
    assert list(tmp_path.iterdir()) == []


def test_http_error_is_clear(site: Site, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="HTTP 404") as info:
        fetch_police_archive("2099-01", tmp_path, base_url=site.base_url, progress=False)
    assert info.value.file == site.base_url + "/2099-01.zip"


def test_existing_good_file_is_not_downloaded_again(site: Site, tmp_path: Path) -> None:
    site.files["/lookup.csv"] = b"a,b\n"
    first = fetch_lookup(site.base_url + "/lookup.csv", tmp_path, progress=False)
    second = fetch_lookup(site.base_url + "/lookup.csv", tmp_path, progress=False)
    assert first == second
    assert len(site.requests) == 1
    assert file_sha256(first) == hashlib.sha256(b"a,b\n").hexdigest()


def test_bad_month_and_scheme_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a month"):
        fetch_police_archive("2024-13", tmp_path)
    with pytest.raises(InputError, match="http"):
        download("file:///etc/passwd", tmp_path)


def test_cli_fetch_downloads_archives_and_files(site: Site, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from analysis.cli import app

    site.files["/2024-03.zip"] = archive_bytes()
    site.files["/lookups/lad_to_csp.csv"] = b"LAD19CD,CSP19CD\nE06000034,E22000091\n"
    result = CliRunner().invoke(app, [
        "fetch", "--month", "2024-03", "--url", f"{site.base_url}/lookups/lad_to_csp.csv",
        "--to", str(tmp_path), "--base-url", site.base_url,
    ])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "2024-03.zip").read_bytes() == archive_bytes()
    assert (tmp_path / "lad_to_csp.csv").read_text().startswith("LAD19CD")


def all_forces_archive() -> bytes:
    """A police.uk-like archive of two forces and two months, each with its three files."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for month in ("2024-02", "2024-03"):
            for force in ("essex", "kent", "devon-and-cornwall"):
                for kind in ("street", "outcomes", "stop-and-search"):
                    member = zipfile.ZipInfo(f"{month}/{month}-{force}-{kind}.csv",
                                             date_time=(2024, 4, 1, 0, 0, 0))
                    archive.writestr(member, f"{force},{kind},{month}\n" * 50)
    return buffer.getvalue()


def test_force_keeps_only_that_forces_files(site: Site, tmp_path: Path) -> None:
    site.files["/2024-03.zip"] = all_forces_archive()

    path = fetch_police_archive("2024-03", tmp_path, base_url=site.base_url, progress=False,
                                force="essex")

    assert path == tmp_path / "2024-03-essex.zip"
    assert [p.name for p in tmp_path.iterdir()] == ["2024-03-essex.zip"]  # the big one is gone
    with zipfile.ZipFile(path) as kept, zipfile.ZipFile(io.BytesIO(all_forces_archive())) as full:
        assert kept.namelist() == [f"{m}/{m}-essex-{k}.csv" for m in ("2024-02", "2024-03")
                                   for k in ("street", "outcomes", "stop-and-search")]
        for name in kept.namelist():  # same bytes and time as published
            assert kept.read(name) == full.read(name)
            assert kept.getinfo(name).date_time == (2024, 4, 1, 0, 0, 0)
    from analysis.inputs.police_uk import discover_street_files

    assert [(s.force, s.member) for s in discover_street_files([path])] == [
        ("essex", "2024-02/2024-02-essex-street.csv"),
        ("essex", "2024-03/2024-03-essex-street.csv")]
    again = fetch_police_archive("2024-03", tmp_path, base_url=site.base_url, progress=False,
                                 force="essex")
    assert again == path and len(site.requests) == 1  # kept file is not fetched again


def test_force_with_a_hyphenated_name_is_kept_whole(site: Site, tmp_path: Path) -> None:
    site.files["/2024-03.zip"] = all_forces_archive()
    path = fetch_police_archive("2024-03", tmp_path, base_url=site.base_url, progress=False,
                                force="devon-and-cornwall")
    with zipfile.ZipFile(path) as kept:
        assert len(kept.namelist()) == 6
        assert all("-devon-and-cornwall-" in name for name in kept.namelist())


def test_unknown_force_names_the_forces_and_keeps_the_archive(site: Site, tmp_path: Path
                                                               ) -> None:
    site.files["/2024-03.zip"] = all_forces_archive()
    with pytest.raises(InputError, match="no file of the force 'esex'") as info:
        fetch_police_archive("2024-03", tmp_path, base_url=site.base_url, progress=False,
                             force="esex")
    assert info.value.hint == "did you mean essex?"
    assert info.value.expected == "one of: devon-and-cornwall, essex, kent"
    assert [p.name for p in tmp_path.iterdir()] == ["2024-03.zip"]
    fetch_police_archive("2024-03", tmp_path, base_url=site.base_url, progress=False,
                         force="kent")
    assert len(site.requests) == 1  # the corrected name reused the downloaded archive


def test_force_download_resumes_and_checks_the_archive(site: Site, tmp_path: Path) -> None:
    data = all_forces_archive()
    site.files["/2024-03.zip"] = data
    site.cut_next_after = len(data) // 3
    with pytest.raises(InputError, match="resumes where it stopped"):
        fetch_police_archive("2024-03", tmp_path, base_url=site.base_url, progress=False,
                             force="essex")
    path = fetch_police_archive("2024-03", tmp_path, base_url=site.base_url, progress=False,
                                force="essex", sha256=hashlib.sha256(data).hexdigest())
    assert site.requests[-1] == ("/2024-03.zip", f"bytes={len(data) // 3}-")
    with zipfile.ZipFile(path) as kept:
        assert len(kept.namelist()) == 6


def test_cli_fetch_force_keeps_one_force(site: Site, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from analysis.cli import app

    site.files["/2024-03.zip"] = all_forces_archive()
    result = CliRunner().invoke(app, ["fetch", "--month", "2024-03", "--force", "kent",
                                      "--to", str(tmp_path), "--base-url", site.base_url])
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == ["2024-03-kent.zip"]
