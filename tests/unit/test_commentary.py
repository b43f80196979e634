"""The analyst's commentary box: read from config/narrative/<area>/<section>.md, safely."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.core.errors import ConfigError
from analysis.present.commentary import commentary_html, narrative_path


def _write(root: Path, text: str | bytes, section: str = "10_crime_overview") -> None:
    path = root / "config" / "narrative" / "demo" / f"{section}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    (path.write_bytes if isinstance(text, bytes) else path.write_text)(text)  # type: ignore[operator]


def test_a_missing_file_shows_nothing(tmp_path: Path) -> None:
    assert commentary_html("demo", "10_crime_overview", tmp_path) == ""
    _write(tmp_path, "  \n\n")
    assert commentary_html("demo", "10_crime_overview", tmp_path) == ""


def test_the_commentary_is_a_marked_box_of_safe_html(tmp_path: Path) -> None:
    _write(tmp_path, "Crime **rose**.\n\n<script>alert(1)</script> [x](javascript:alert)")
    box = commentary_html("demo", "10_crime_overview", tmp_path)
    assert box.startswith('<aside class="csp-commentary" aria-label="Analyst\'s commentary">'
                          "<h2>Analyst's commentary</h2><p>Crime <strong>rose</strong>.</p>")
    assert "<script" not in box and "href" not in box and "&lt;script&gt;" in box


def test_a_file_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    _write(tmp_path, b"caf\xe9")
    with pytest.raises(ConfigError, match="not UTF-8") as raised:
        commentary_html("demo", "10_crime_overview", tmp_path)
    assert str(raised.value.file).endswith("config/narrative/demo/10_crime_overview.md")


def test_the_area_name_cannot_be_a_path(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        narrative_path("../etc", "10_crime_overview", tmp_path)
