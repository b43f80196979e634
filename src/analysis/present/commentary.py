"""The analyst's own commentary on a page: ``config/narrative/<area>/<section>.md``.

A strategic assessment carries the analyst's interpretation beside the numbers. Kept as a
Markdown file per area and section, it survives every rebuild (instead of being pasted into
Word after each one) and is versioned with the area's configuration. The page shows it in a
marked box after its header; a missing file shows nothing. The text is converted by
:func:`analysis.core.safe_markdown.markdown_html`, so it cannot script or restyle the page.
"""

from __future__ import annotations

from pathlib import Path

from analysis.core.config import check_name, project_root
from analysis.core.errors import ConfigError
from analysis.core.safe_markdown import markdown_html

NARRATIVE_FOLDER = Path("config") / "narrative"
"""Where the commentaries live: one folder per area, one ``<section>.md`` per page."""
BOX_TITLE = "Analyst's commentary"


def narrative_path(area: str, section_id: str, root: Path | None = None) -> Path:
    """``config/narrative/<area>/<section>.md`` (the area name checked as a plain name)."""
    check_name(area, "an area", NARRATIVE_FOLDER)
    return (root or project_root()) / NARRATIVE_FOLDER / area / f"{section_id}.md"


def commentary_html(area: str, section_id: str, root: Path | None = None) -> str:
    """The page's commentary box, or '' when the area has no commentary for the section
    (or the file holds only white space). A file that is not UTF-8 text is a ConfigError."""
    path = narrative_path(area, section_id, root)
    if not path.is_file():
        return ""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError("the commentary is not UTF-8 text", file=path,
                          hint="save it as UTF-8 in your editor") from None
    body = markdown_html(text)
    if not body:
        return ""
    return (f'<aside class="csp-commentary" aria-label="{BOX_TITLE}"><h2>{BOX_TITLE}</h2>'
            f"{body}</aside>")
