"""The plan on a page as configuration: what the partnership fills in for each priority.

The priorities page ranks issues from the data; what the partnership will do about them
(the outcome sought, the lead and supporting partners, resources, the legal duty, the link to
the Police and Crime Plan) is the partnership's, so it lives in an editable file per area,
``config/plan/<area>.yaml``, keyed by the priority matrix's issue ids. Validated on reading:
a misspelt key or an unknown issue is an error naming the file and line, never ignored. The
default legal duty of each issue is the reference table ``reference/legal_duties.csv``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from analysis.core.config import check_name, project_root, read_yaml
from analysis.core.errors import ConfigError

PLAN_FOLDER = Path("config") / "plan"
"""Where each area's plan on a page lives: ``config/plan/<area>.yaml``."""

OWNER_FIELDS = {"outcome": "Outcome sought", "lead": "Lead partner",
                "supporting": "Supporting partners", "resources": "Resources",
                "police_and_crime_plan": "Police and Crime Plan"}
"""The fields the partnership fills in for each priority, with their column headings."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlanEntry(_Strict):
    """What the partnership has agreed for one priority (every field optional)."""

    outcome: str | None = Field(default=None, description="the outcome sought")
    lead: str | None = Field(default=None, description="the lead partner or officer")
    supporting: list[str] = Field(default_factory=list, description="supporting partners")
    resources: str | None = Field(default=None, description="funding and resources")
    legal_duty: str | None = Field(default=None,
                                   description="overrides reference/legal_duties.csv")
    police_and_crime_plan: str | None = Field(
        default=None, description="the Police and Crime Plan priority it serves")
    measures: list[str] = Field(default_factory=list,
                                description="measures added to the matrix's own")


class AreaPlan(_Strict):
    """``config/plan/<area>.yaml``: the Police and Crime Plan named once, then one entry per
    priority, keyed by the priority matrix's issue id."""

    police_and_crime_plan: str | None = Field(
        default=None, description="the title of the Police and Crime Plan the links refer to")
    priorities: dict[str, PlanEntry] = Field(default_factory=dict)


def plan_path(area: str, root: Path | None = None) -> Path:
    """``config/plan/<area>.yaml`` (the area name checked as a plain name)."""
    check_name(area, "an area", PLAN_FOLDER)
    return (root or project_root()) / PLAN_FOLDER / f"{area}.yaml"


def yaml_line(source: str, location: Sequence[object]) -> int | None:
    """The line (1 = first) of the value at ``location`` (keys and list indexes, as pydantic
    gives an error's ``loc``) in the YAML ``source``; the deepest part found when the rest
    is missing (an unknown key is reported at its own line). None for unparsable YAML."""
    try:
        node = yaml.compose(source, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    line = None if node is None else node.start_mark.line + 1
    for part in location:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if k.value == str(part)), None)
            if match is None:
                return line
            line, node = match[0].start_mark.line + 1, match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and \
                part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def parse_plan(source: str, path: Path | str, issues: Iterable[str]) -> AreaPlan:
    """The plan in ``source`` (the text of ``path``), validated, its priorities checked
    against the matrix's issue ids ``issues``; errors name the file, line and key."""
    raw = read_yaml(Path(path), source)
    known = sorted(issues)
    try:
        plan = AreaPlan.model_validate(raw or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(first["msg"], file=path, line=yaml_line(source, first["loc"]),
                          column=".".join(str(p) for p in first["loc"]) or None,
                          found=first.get("input"),
                          expected=f"keys {', '.join(AreaPlan.model_fields)}; each priority "
                                   f"with some of {', '.join(PlanEntry.model_fields)}",
                          hint="see README, 'Plan on a page and commentary'") from exc
    unknown = [name for name in plan.priorities if name not in known]
    if unknown:
        raise ConfigError("the plan names a priority that is not an issue of the priority "
                          "matrix", file=path,
                          line=yaml_line(source, ["priorities", unknown[0]]),
                          column=f"priorities.{unknown[0]}", found=unknown[0],
                          expected=f"one of {', '.join(known)}")
    return plan


def load_plan(area: str, issues: Iterable[str], root: Path | None = None
              ) -> tuple[AreaPlan, Path | None]:
    """The area's plan and its file, or an empty plan and None when it has none."""
    path = plan_path(area, root)
    if not path.is_file():
        return AreaPlan(), None
    try:
        source = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError("the file is not UTF-8 text", file=path,
                          hint="save it as UTF-8 in your editor") from None
    return parse_plan(source, path, issues), path


def default_legal_duties() -> dict[str, str]:
    """Issue id -> the legal duty shown by default (``reference/legal_duties.csv``)."""
    source = resources.files("analysis").joinpath("reference", "legal_duties.csv")
    rows = csv.DictReader(io.StringIO(source.read_text(encoding="utf-8")))
    return {row["issue_id"]: row["legal_duty"] for row in rows}
